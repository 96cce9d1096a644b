"""Writes the bundled recordings: figures in the exact shape of the CBS OData v3 API (and v4 for 86165NED).

Not part of the package's runtime; run it to regenerate after changing a table spec below:

    .venv/bin/python ingestion/dev/recordings/cbs/synthesize.py

The shape (keys, titles, units, decimals, dimensions, codes, period codes) follows ingestion/config/cbs_evidence/;
the figures are synthetic except the rows the evidence gives (named in each function and in README.md).

Shape facts kept (SOURCES.md §1): envelope with ``odata.metadata``/``value``; dimension keys right-padded to the
longest key of their dimension; string topics padded; ``null`` for missing numbers; the newest period may exist
with all-null figures; period status Voorlopig/Definitief. The figures are deterministic and plausible, not CBS's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parent / "v3"

# code, name, inhabitants (2024), bijstand per 10 000 inhabitants 15+
GEMEENTEN = [
    ("GM0141", "Almelo", 73900, 620),
    ("GM0147", "Borne", 24000, 250),
    ("GM0153", "Enschede", 161000, 720),
    ("GM0158", "Haaksbergen", 24600, 260),
    ("GM0163", "Hellendoorn", 36500, 230),
    ("GM0164", "Hengelo (O.)", 82000, 480),
    ("GM0168", "Losser", 22800, 270),
    ("GM0173", "Oldenzaal", 32200, 380),
    ("GM0183", "Tubbergen", 21600, 130),
    ("GM0189", "Wierden", 25000, 220),
    ("GM1700", "Twenterand", 34000, 240),
    ("GM1735", "Hof van Twente", 35300, 220),
    ("GM1742", "Rijssen-Holten", 38700, 170),
    ("GM1774", "Dinkelland", 26500, 120),
]
NEDERLAND = ("NL01", "Nederland", 17950000, 390)
OUTSIDE_TWENTE = ("GM0150", "Deventer", 102000, 560)  # present in the table, filtered out by the loader


def other_gemeenten(count: int = 327) -> list[tuple[str, str, int, int]]:
    """The rest of the country for the tables loaded for all gemeenten (series with region set alle_gemeenten):
    with the 14 Twente gemeenten and Deventer 342, as many as the Netherlands has. Synthetic codes GM3001.. that
    no real gemeente has (so nobody mistakes them for one), deterministic sizes spread over every CBS
    gemeentegrootteklasse (about 4 000 to 900 000 inhabitants, most between 20 000 and 50 000, as in reality) and
    bijstand rates of 100-900 per 10 000."""
    rows = []
    for n in range(count):
        position = 0.005 + 0.99 * ((n * 0.6180339887) % 1.0)  # golden-ratio sequence: evenly spread, no randomness
        # log-normal around a median of 27 000 inhabitants, as Dutch gemeenten are
        inhabitants = int(round(27000 * math.exp(0.8 * NormalDist().inv_cdf(position)) / 10.0)) * 10
        rate = 100 + (n * 37) % 800
        rows.append((f"GM{3001 + n:04d}", f"Gemeente {3001 + n}", inhabitants, rate))
    return rows


def r10(x: float) -> int:
    return int(round(x / 10.0)) * 10


# Tables CBS serves for others (politie, RIVM) on its second catalogue, with the same OData v3 API.
DATADERDEN = {"47018NED": "Politie", "47024NED": "Politie", "50150NED": "RIVM"}


def write(table_id: str, entity: str, rows: list[dict]) -> None:
    folder = ROOT / table_id
    folder.mkdir(parents=True, exist_ok=True)
    host = "dataderden.cbs.nl" if table_id in DATADERDEN else "opendata.cbs.nl"
    doc = {
        "odata.metadata": f"https://{host}/ODataFeed/OData/{table_id}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": rows,
    }
    (folder / f"{entity}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def table_infos(table_id: str, title: str, frequency: str, period: str, modified: str) -> None:
    write(
        table_id,
        "TableInfos",
        [
            {
                "ID": 0,
                "Title": title,
                "ShortTitle": title[:60],
                "Identifier": table_id,
                "Summary": title + ".",
                "Modified": modified,
                "MetaDataModified": modified,
                "ReasonDelivery": "Actualisering",
                "Frequency": frequency,
                "Period": period,
                "Catalog": DATADERDEN.get(table_id, "CBS"),
                "Language": "nl",
                "OutputStatus": "Regulier",
                "Source": "CBS.",
            }
        ],
    )


def data_properties(table_id: str, dims: list[tuple[str, str, str]], topics: list[tuple]) -> None:
    """dims: (key, type, title); topics: (key, title, unit, datatype[, decimals]); decimals default to 1 for a
    Double, 0 otherwise, where the evidence gives none."""
    rows, position = [], 0
    for key, kind, title in dims:
        rows.append(
            {
                "odata.type": "Cbs.OData.Dimension",
                "ID": position,
                "Position": position,
                "ParentID": None,
                "Type": kind,
                "Key": key,
                "Title": title,
                "Description": "",
                "Datatype": None,
                "Unit": None,
                "Decimals": None,
                "Default": None,
            }
        )
        position += 1
    for key, title, unit, datatype, *decimals in topics:
        rows.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": position,
                "Position": position,
                "ParentID": None,
                "Type": "Topic",
                "Key": key,
                "Title": title,
                "Description": "",
                "Datatype": datatype,
                "Unit": unit,
                "Decimals": decimals[0] if decimals else (1 if datatype == "Double" else 0),
                "Default": "Impossible",
            }
        )
        position += 1
    write(table_id, "DataProperties", rows)


def periods(table_id: str, codes: list[tuple[str, str, str]]) -> None:
    write(table_id, "Perioden", [{"Key": k, "Title": t, "Description": "", "Status": s} for k, t, s in codes])


def padded(codes: list[str]) -> dict[str, str]:
    width = max(len(c) for c in codes)
    return {c: c.ljust(width) for c in codes}


# The uitkeringen wijken-en-buurten series (cbs_evidence/86003NED.md, 85586NED.md, 86113NED.md): one table per
# year, the same keys in every edition, peildata March/June/September/December coded as months.
UITKERINGEN_EDITIONS: dict[str, tuple[int, dict[int, str]]] = {
    # table id: (year, {month: status}). Status texts as StatLine gives them (Definitief, Nader voorlopig (**),
    # Voorlopig (*)); the recording is one moment of the table's life: 2024 december is there but not filled yet
    # (all figures null, as the data contract says the newest period may be), the current 2025 edition has maart
    # and juni (what cbs.nl shows).
    "85586NED": (2023, {3: "Definitief", 6: "Definitief", 9: "Definitief", 12: "Definitief"}),
    "86003NED": (2024, {3: "Definitief", 6: "Definitief", 9: "Nader voorlopig", 12: "Voorlopig"}),
    "86113NED": (2025, {3: "Voorlopig", 6: "Voorlopig"}),
}
UITKERINGEN_NOT_FILLED = {"2024MM12"}
# Almelo's wijken (cbs_evidence/almelo_regions.md: numbered from 10; names third-party) and the buurten cbs.nl
# shows for them (KWB 2022): code -> (title, share of Almelo's inhabitants)
ALMELO_WIJKEN = {
    "WK014110": ("Wijk 10 Binnenstad", 0.06),
    "WK014111": ("Wijk 11 De Riet", 0.08),
    "WK014112": ("Wijk 12 Noorderkwartier", 0.09),
    "WK014113": ("Wijk 13 Sluitersveld", 0.10),
    "WK014114": ("Wijk 14 Wierdense Hoek", 0.09),
    "WK014115": ("Wijk 15 Nieuwstraat-Kwartier", 0.08),
    "WK014116": ("Wijk 16 Ossenkoppelerhoek", 0.09),
    "WK014117": ("Wijk 17 Hofkamp", 0.10),
    "WK014118": ("Wijk 18 Schelfhorst", 0.11),
    "WK014119": ("Wijk 19 Windmolenbroek", 0.11),
    "WK014120": ("Wijk 20 Aadorp", 0.04),
    "WK014121": ("Wijk 21 Bornerbroek", 0.05),
}
ALMELO_BUURTEN = {
    "BU01411105": ("Bedrijventerrein Bornsestraat", 80),
    "BU01411200": ("Vriezenveenseweg e.o. Haghoek Oost", 1310),
    "BU01411202": ("Vriezenveenseweg e.o. Haghoek West", 1550),
    "BU01411204": ("Bedrijventerrein Dollegoor Turfkade", 60),
    "BU01411205": ("Bedrijvenpark Twente", 0),
    "BU01411908": ("Bedrijventerrein Twentepoort - Stadion", 150),
    "BU01411910": ("Bedrijventerrein XL Businesspark", 0),
}


# The real Nederland rows of 86003NED for 2024 maart (cbs.nl, cbs_evidence/86003NED.md [P1]): NL00 Totaal =
# NL01 Nederland + NL98 Buitenland (persons living abroad); relative figures only for NL01.
NEDERLAND_2024_MAART = {
    "NL00": {"Werkloosheidsuitkering_5": 153060, "Bijstandsuitkering_6": 403830,
             "Arbeidsongeschiktheidsuitkering_7": 810510, "AOWUitkering_8": 3568590},
    "NL01": {"Werkloosheidsuitkering_5": 150810, "Bijstandsuitkering_6": 403660,
             "Arbeidsongeschiktheidsuitkering_7": 783020, "AOWUitkering_8": 3235560,
             "Werkloosheidsuitkering_9": 1, "Bijstandsuitkering_10": 3},
    "NL98": {"Werkloosheidsuitkering_5": 2250, "Bijstandsuitkering_6": 170,
             "Arbeidsongeschiktheidsuitkering_7": 27490, "AOWUitkering_8": 333030},
}
UITKERINGEN_COUNTS = ("Werkloosheidsuitkering_5", "Bijstandsuitkering_6", "Arbeidsongeschiktheidsuitkering_7",
                      "AOWUitkering_8")
UITKERINGEN_SHARES = ("Werkloosheidsuitkering_9", "Bijstandsuitkering_10", "Arbeidsongeschiktheidsuitkering_11",
                      "AOWUitkering_12")
UITKERINGEN_INWONERS = ("InwonersVanaf15Jaar_13", "InwonersVanaf15JrTotAOWLeeftijd_14", "InwonersVanafDeAOWLeeftijd_15")


def uitkeringen_data_properties(table_id: str) -> None:
    """The columns of every edition, with CBS's titles and units (cbs.nl headers). Keys _5.._15 and Codering_3 are
    verified; Gemeentenaam_1, SoortRegio_2, IndelingswijzigingWijkenEnBuurten_4 are the usual names, unverified."""
    rows: list[dict] = []

    def add(kind: str, key: str, title: str, parent: int | None = None, unit: str | None = None,
            datatype: str | None = None) -> int:
        position = len(rows)
        rows.append({
            "odata.type": f"Cbs.OData.{kind if kind in ('Topic', 'TopicGroup') else 'Dimension'}",
            "ID": position, "Position": position, "ParentID": parent, "Type": kind, "Key": key, "Title": title,
            "Description": "", "Datatype": datatype, "Unit": unit,
            "Decimals": 0 if kind == "Topic" else None, "Default": "Impossible" if kind == "Topic" else None,
        })
        return position

    add("GeoDimension", "WijkenEnBuurten", "Wijken en buurten")
    add("TimeDimension", "Perioden", "Perioden")
    group = add("TopicGroup", "", "Regioaanduiding")
    add("Topic", "Gemeentenaam_1", "Gemeentenaam", group, "Tekst", "String")
    add("Topic", "SoortRegio_2", "Soort regio", group, "Tekst", "String")
    add("Topic", "Codering_3", "Codering", group, "Code", "String")
    add("Topic", "IndelingswijzigingWijkenEnBuurten_4", "Indelingswijziging wijken en buurten", group, "Code",
        "String")
    titles = ("Werkloosheidsuitkering", "Bijstandsuitkering", "Arbeidsongeschiktheidsuitkering", "AOW-uitkering")
    group = add("TopicGroup", "", "Personen per soort uitkering")
    for key, title in zip(UITKERINGEN_COUNTS, titles, strict=True):
        add("Topic", key, title, group, "aantal", "Long")
    group = add("TopicGroup", "", "Personen per soort uitkering, relatief")
    for key, title in zip(UITKERINGEN_SHARES, titles, strict=True):
        add("Topic", key, title, group, "% van het aantal inwoners vanaf 15 jaar", "Long")
    group = add("TopicGroup", "", "Inwoners")
    for key, title in zip(UITKERINGEN_INWONERS, ("Inwoners vanaf 15 jaar", "Inwoners vanaf 15 jr tot AOW-leeftijd",
                                                 "Inwoners vanaf de AOW-leeftijd"), strict=True):
        add("Topic", key, title, group, "aantal", "Long")
    write(table_id, "DataProperties", rows)


def uitkeringen_wijken_en_buurten(table_id: str) -> None:
    """One edition: Nederland (NL00/NL01/NL98), the gemeenten (Twente, Deventer, the synthetic rest of the
    country), Almelo's wijken and the buurten CBS shows. Keys padded to 10 as in the real API ('GM0141    ').
    Figures synthetic, rounded to tens as CBS rounds them, except the real Nederland counts of 2024 maart."""
    year, statuses = UITKERINGEN_EDITIONS[table_id]
    months_published = tuple(statuses)
    table_infos(
        table_id,
        f"Personen met een uitkering; soort uitkering, wijken en buurten {year}",
        "Perkwartaal",
        f"{year} {MONTH_NAMES[months_published[0] - 1]} - {year} {MONTH_NAMES[months_published[-1] - 1]}",
        f"{year + 1}-03-15T02:00:00" if months_published[-1] == 12 else f"{year}-09-15T02:00:00",
    )
    uitkeringen_data_properties(table_id)
    codes = [(f"{year}MM{m:02d}", f"{year} {MONTH_NAMES[m - 1]}", status) for m, status in statuses.items()]
    periods(table_id, codes)
    almelo = GEMEENTEN[0]
    # (code, title, soort regio, inhabitants, bijstand per 10 000 inhabitants 15+)
    regions: list[tuple[str, str, str, float, int]] = [
        ("NL00", "Totaal", "Land", NEDERLAND[2], NEDERLAND[3]),
        ("NL01", "Nederland", "Land", NEDERLAND[2], NEDERLAND[3]),
        ("NL98", "Buitenland", "Land", 0, 0),
        *[(c, n, "Gemeente", i, r) for c, n, i, r in [*GEMEENTEN, OUTSIDE_TWENTE, *other_gemeenten()]],
        *[(c, n, "Wijk", almelo[2] * share, int(almelo[3] * (0.4 + 1.6 * share / 0.12)))
          for c, (n, share) in ALMELO_WIJKEN.items()],
        *[(c, n, "Buurt", inhabitants, almelo[3]) for c, (n, inhabitants) in ALMELO_BUURTEN.items()],
    ]
    keys = {code: code.ljust(10) for code, *_ in regions}
    rows = []
    for code, title, soort, inhabitants, rate in regions:
        for q, (period, _, _) in enumerate(codes):
            in15 = r10(inhabitants * 0.84 * (1 + 0.001 * q + 0.002 * (year - 2024)))
            aow = r10(in15 * 0.24)
            counts = {
                "Werkloosheidsuitkering_5": r10(in15 * 0.021 * (1 + 0.02 * q)),
                "Bijstandsuitkering_6": r10(in15 * rate / 10000 * (1 - 0.01 * q - 0.02 * (year - 2024))),
                "Arbeidsongeschiktheidsuitkering_7": r10(in15 * 0.085),
                "AOWUitkering_8": aow,
            }
            if code in NEDERLAND_2024_MAART:
                # Nederland: the real counts of 2024 maart (cbs.nl), other periods synthetic around them
                drift = 1 + 0.004 * q + 0.01 * (year - 2024) if (year, months_published[q]) != (2024, 3) else 1
                counts = {k: r10(v * drift) for k, v in NEDERLAND_2024_MAART[code].items() if k in counts}
                aow = counts["AOWUitkering_8"] if code == "NL01" else aow
            if code == "NL98":  # persons living abroad: no inhabitants, no relative figures
                in15 = aow = 0
            figures: dict[str, int | None] = dict(counts)
            relative = code not in ("NL00", "NL98") and in15 > 0  # CBS leaves them empty for Totaal and abroad
            for count_key, share_key in zip(UITKERINGEN_COUNTS, UITKERINGEN_SHARES, strict=True):
                figures[share_key] = round(100 * counts[count_key] / in15) if relative else None
            if code in NEDERLAND_2024_MAART and (year, months_published[q]) == (2024, 3):
                figures.update({k: v for k, v in NEDERLAND_2024_MAART[code].items() if k in UITKERINGEN_SHARES})
            inwoners = (in15, in15 - aow, aow) if code not in ("NL00", "NL98") else (None, None, None)
            figures.update(dict(zip(UITKERINGEN_INWONERS, inwoners, strict=True)))
            if (inhabitants == 0 and code != "NL98") or period in UITKERINGEN_NOT_FILLED:
                figures = dict.fromkeys(figures)  # a buurt without inhabitants, a period not filled yet: '.' (null)
            rows.append({
                "ID": len(rows),
                "WijkenEnBuurten": keys[code],
                "Perioden": period,
                "Gemeentenaam_1": ("" if code.startswith("NL") else almelo[1] if code[:2] in ("WK", "BU")
                                   else title).ljust(30),
                "SoortRegio_2": soort.ljust(10),
                "Codering_3": keys[code],
                "IndelingswijzigingWijkenEnBuurten_4": "1" if code[:2] in ("WK", "BU") else None,
                **figures,
            })
    write(table_id, "TypedDataSet", rows)
    write(table_id, "WijkenEnBuurten",
          [{"Key": keys[code], "Title": title, "Description": "", "DimensionGroupId": None}
           for code, title, *_ in regions])


def months(first_year: int, last_year: int, provisional_from: tuple[int, int]) -> list[tuple[str, str, str]]:
    return [
        (f"{y}MM{m:02d}", f"{y} {MONTH_NAMES[m - 1]}", "Voorlopig" if (y, m) >= provisional_from else "Definitief")
        for y in range(first_year, last_year + 1)
        for m in range(1, 13)
    ]


MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
               "november", "december")


def years(first: int, last: int, provisional_from: int, title: str = "{y}") -> list[tuple[str, str, str]]:
    return [
        (f"{y}JJ00", title.format(y=y), "Voorlopig" if y >= provisional_from else "Definitief")
        for y in range(first, last + 1)
    ]


def bevolking_per_maand() -> None:
    """37230ned: population per month, the denominator for per-10 000 indicators (cbs_evidence/37230ned.md).

    Real shape: all 15 topics in DataProperties (titles, units, decimals as on cbs.nl); the months and, beside
    them, a whole year per year (2024JJ00), which the configuration filters out (period_types [MM]). The rows
    carry 3 of the 15 topic columns (the loader selects 2), to keep the recording small. Nederland's figures for
    2024 januari, februari, juni and the year 2024 are CBS's (S2, S2b); the rest is synthetic.
    """
    table_id = "37230ned"
    table_infos(
        table_id, "Bevolkingsontwikkeling; regio per maand", "Permaand", "2023 januari - 2024", "2025-02-14T02:00:00"
    )
    count = "aantal"
    topics = [
        ("BevolkingAanHetBeginVanDePeriode_1", "Bevolking aan het begin van de periode", count, "Long"),
        ("LevendGeborenKinderen_2", "Levend geboren kinderen", count, "Long"),
        ("Overledenen_3", "Overledenen", count, "Long"),
        ("TotaleVestiging_4", "Totale vestiging", count, "Long"),
        ("VestigingVanuitEenAndereGemeente_5", "Vestiging vanuit een andere gemeente", count, "Long"),
        ("Immigratie_6", "Immigratie", count, "Long"),
        ("TotaalVertrekInclAdmCorrecties_7", "Totaal vertrek (incl. adm. correcties)", count, "Long"),
        ("VertrekNaarAndereGemeente_8", "Vertrek naar andere gemeente", count, "Long"),
        ("EmigratieInclusiefAdmCorrecties_9", "Emigratie inclusief adm. correcties", count, "Long"),
        ("OverigeCorrecties_10", "Overige correcties", count, "Long"),
        ("Bevolkingsgroei_11", "Bevolkingsgroei", count, "Long"),
        ("BevolkingsgroeiRelatief_12", "Bevolkingsgroei, relatief", "%", "Double", 2),
        ("BevolkingsgroeiSinds1Januari_13", "Bevolkingsgroei sinds 1 januari", count, "Long"),
        ("BevolkingsgroeiSinds1JanuariRela_14", "Bevolkingsgroei sinds 1 januari, relatief", "%", "Double", 2),
        ("BevolkingAanHetEindeVanDePeriode_15", "Bevolking aan het einde van de periode", count, "Long"),
    ]
    data_properties(
        table_id, [("RegioS", "GeoDimension", "Regio's"), ("Perioden", "TimeDimension", "Perioden")], topics
    )
    # "De cijfers tot en met 2023 zijn definitief ... De overige cijfers vanaf 2024 zijn voorlopig." (S2)
    codes: list[tuple[str, str, str]] = []
    for year in (2023, 2024):
        codes += months(year, year, (2024, 1)) + years(year, year, 2024)
    periods(table_id, codes)
    # Nederland (NL01), real (S2, S2b): period -> (begin, end)
    real_nl = {
        "2024MM01": (17942942, 17946556),
        "2024MM02": (17946556, 17955743),
        "2024MM06": (17977676, 17981933),
        "2024JJ00": (None, 18045532),
    }
    # Nederland sized so that its synthetic months run into the real ones
    regions = [*GEMEENTEN, ("NL01", "Nederland", 18062000, 390), OUTSIDE_TWENTE, *other_gemeenten()]
    keys = padded([r[0] for r in regions] + ["PV23", "LD02"])
    rows = []
    for code, _name, inhabitants, _rate in regions:
        month_index = 0
        for period, _, _ in codes:
            year_total = period.endswith("JJ00")
            if year_total:
                # the year: the begin of its January, the end of its December
                first = 0 if period.startswith("2023") else 12
                start = round(inhabitants * (0.985 + 0.0007 * first))
                end = round(inhabitants * (0.985 + 0.0007 * (first + 11)) * 1.0007)
            else:
                start = round(inhabitants * (0.985 + 0.0007 * month_index))
                end = round(start * 1.0007)
                month_index += 1
            if code == "NL01" and period in real_nl:
                real_start, end = real_nl[period]
                start = real_start if real_start is not None else start
            newest = period == "2024MM12"  # published as a skeleton: all figures still null
            births = 0.0096 if year_total else 0.0008
            rows.append(
                {
                    "ID": len(rows),
                    "RegioS": keys[code],
                    "Perioden": period,
                    "BevolkingAanHetBeginVanDePeriode_1": None if newest else start,
                    "LevendGeborenKinderen_2": None if newest else round(inhabitants * births),
                    "BevolkingAanHetEindeVanDePeriode_15": None if newest else end,
                }
            )
    write(table_id, "TypedDataSet", rows)


def arbeidsdeelname() -> None:
    """86008NED: netto arbeidsparticipatie per gemeente per year (cbs_evidence/86008NED.md).

    Real shape: the dimensions cbs.nl shows (Geslacht, Persoonskenmerken, Geboorteland (ouders), Herkomstland,
    Regio's, Perioden; no Leeftijd), each pinned to its total by the configuration. Only the one topic whose title
    and unit are seen on the table's own page ("Netto arbeidsparticipatie", %, whole numbers) is recorded; the
    other topics of the family (BeroepsEnNietBeroepsbevolking_1, WerkzameBeroepsbevolking_2, Werknemer_4 ..) have
    no unit in the evidence. No Nederland row: none was seen in this gemeenten table. Haaksbergen and Tubbergen
    2023 are CBS's (74, 79); the rest is synthetic.
    """
    table_id = "86008NED"
    table_infos(
        table_id, "Arbeidsdeelname; gemeenten (regio-indeling 2024)", "Perjaar", "2019 - 2023*", "2025-04-01T02:00:00"
    )
    data_properties(
        table_id,
        [
            ("Geslacht", "Dimension", "Geslacht"),
            ("Persoonskenmerken", "Dimension", "Persoonskenmerken"),
            ("GeboortelandOuders", "Dimension", "Geboorteland (ouders)"),
            ("Herkomstland", "Dimension", "Herkomstland"),
            ("RegioS", "GeoDimension", "Regio's"),
            ("Perioden", "TimeDimension", "Perioden"),
        ],
        [("NettoArbeidsparticipatie_3", "Netto arbeidsparticipatie", "%", "Double", 0)],
    )
    year_codes = years(2019, 2023, 2023)  # "2023*": voorlopig
    periods(table_id, year_codes)
    totals = {
        "Geslacht": ("T001038", "Totaal mannen en vrouwen"),
        "Persoonskenmerken": ("T009002", "Totaal personen"),
        "GeboortelandOuders": ("T001638", "Totaal"),
        "Herkomstland": ("T001040", "Totaal"),
    }
    for dimension, (key, title) in totals.items():
        write(table_id, dimension, [{"Key": key, "Title": title, "Description": ""}])
    real_2023 = {"GM0158": 74, "GM0183": 79}  # cbs.nl, 2023* (S1)
    regions = [*GEMEENTEN, OUTSIDE_TWENTE, *other_gemeenten()]
    keys = padded([r[0] for r in regions])
    rows = []
    for code, _name, _inhabitants, rate in regions:
        for i, (period, _, _) in enumerate(year_codes):
            value = round(74 - rate / 100 + 0.6 * i)
            if period == "2023JJ00" and code in real_2023:
                value = real_2023[code]
            rows.append(
                {
                    "ID": len(rows),
                    **{dimension: key for dimension, (key, _) in totals.items()},
                    "RegioS": keys[code],
                    "Perioden": period,
                    "NettoArbeidsparticipatie_3": float(value),
                }
            )
    write(table_id, "TypedDataSet", rows)


def jeugdhulp() -> None:
    """85098NED: share of young people (< 18) with jeugdhulp in natura (cbs_evidence/85098NED.md).

    Real shape: five topics, all "% (zie toelichting)" with one decimal; half-years beside whole years (the
    configuration keeps the years: period_types [JJ]); COROP Twente all '.' (null). Nederland's 2023 rows (both
    half-years and the year) and Overijssel's provisional 2023 are CBS's; the rest is synthetic.
    """
    table_id = "85098NED"
    table_infos(
        table_id, "Indicatoren jeugdzorg in natura; gemeenten", "Perhalfjaar", "1e halfjaar 2022 - 2023",
        "2024-10-31T02:00:00",
    )
    pct = "% (zie toelichting)"
    topics = [
        ("JongerenMetJeugdhulpInNatura_1", "Jongeren met jeugdhulp in natura", pct, "Double", 1),
        ("JongerenMetJeugdhMetVerblInNat_2", "Jongeren met jeugdh. met verbl. in nat.", pct, "Double", 1),
        ("JongerenMetJeugdbescherming_3", "Jongeren met jeugdbescherming", pct, "Double", 1),
        ("JeugdbeschEnJeugdhMetVerblInNat_4", "Jeugdbesch. en jeugdh. met verbl. in nat", pct, "Double", 1),
        ("JongerenMetJeugdreclassering_5", "Jongeren met jeugdreclassering", pct, "Double", 1),
    ]
    data_properties(
        table_id, [("RegioS", "GeoDimension", "Regio's"), ("Perioden", "TimeDimension", "Perioden")], topics
    )
    # Half-year codes: CBS's format per third-party parsers (HJ01/HJ02), not seen in this table (unverified).
    codes = []
    for year in (2022, 2023):
        codes += [
            (f"{year}HJ01", f"1e halfjaar {year}", "Definitief"),
            (f"{year}HJ02", f"2e halfjaar {year}", "Definitief"),
            (f"{year}JJ00", str(year), "Definitief"),
        ]
    periods(table_id, codes)
    real = {  # cbs.nl (S1b, S1c): region -> period -> the five topics
        "NL01": {
            "2023HJ01": (11.7, 8.7, 1.0, 48.5, 0.3),
            "2023HJ02": (11.7, 8.9, 0.9, 48.9, 0.3),
            "2023JJ00": (13.9, 8.3, 1.1, 48.4, 0.3),
        },
        "PV23": {"2023JJ00": (12.2, 11.9, 1.3, 55.5, 0.3)},  # 2023*, provisional when seen
    }
    regions = [*GEMEENTEN, NEDERLAND, ("PV23", "Overijssel (PV)", 1170000, 450), ("CR14", "Twente (CR)", 0, 0)]
    keys = padded([r[0] for r in regions])
    rows = []
    for code, _name, _inhabitants, rate in regions:
        for i, (period, _, _) in enumerate(codes):
            half = not period.endswith("JJ00")
            share = (10.5 + rate / 300 + 0.3 * (i // 3)) * (0.85 if half else 1.0)
            figures: tuple = (round(share, 1), round(share * 0.6, 1), round(share * 0.08, 1), 48.0, 0.3)
            if code in real and period in real[code]:
                figures = real[code][period]
            if code == "CR14":
                figures = (None,) * 5  # "Twente (CR) 2023* . . . . ." (S1c)
            rows.append(
                {
                    "ID": len(rows),
                    "RegioS": keys[code],
                    "Perioden": period,
                    **{topic[0]: value for topic, value in zip(topics, figures, strict=True)},
                }
            )
    write(table_id, "TypedDataSet", rows)


def simple_table(
    table_id: str,
    title: str,
    frequency: str,
    period_codes: list[tuple[str, str, str]],
    totals: dict[str, tuple[str, str]],
    topics: list[tuple],
    value,
    *,
    modified: str = "2025-03-01T02:00:00",
    dimension_titles: dict[str, str] | None = None,
    extra_codes: dict[str, list[tuple[str, str]]] | None = None,
    extra_regions: dict[str, tuple[int, dict[str, float]]] | None = None,
) -> None:
    """A table with RegioS x Perioden (x extra dimensions held at their total): value(topic, inhabitants, rate, i).

    ``extra_codes``: more codes of a pinned dimension, with rows for the Twente gemeenten (for the filter to drop).
    ``extra_regions``: regions the loader does not ask for (COROP ..): code -> (inhabitants, real values by period).
    """
    table_infos(table_id, title, frequency, f"{period_codes[0][1]} - {period_codes[-1][1]}", modified)
    titles = dimension_titles or {}
    dims = [(d, "Dimension", titles.get(d, d)) for d in totals] + [
        ("RegioS", "GeoDimension", "Regio's"),
        ("Perioden", "TimeDimension", "Perioden"),
    ]
    data_properties(table_id, dims, topics)
    periods(table_id, period_codes)
    extra_codes = extra_codes or {}
    for dimension, (key, label) in totals.items():
        codes = [(key, label), *extra_codes.get(dimension, [])]
        write(table_id, dimension, [{"Key": k, "Title": t, "Description": ""} for k, t in codes])
    regions = [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE]
    keys = padded([r[0] for r in regions] + ["PV23", *(extra_regions or {})])
    rows = []

    def add(dimension_codes: dict[str, str], code: str, period: str, figures: dict[str, object]) -> None:
        rows.append({"ID": len(rows), **dimension_codes, "RegioS": keys[code], "Perioden": period, **figures})

    total_codes = {d: key for d, (key, _) in totals.items()}
    for code, _name, inhabitants, rate in regions:
        for i, (period, _, _) in enumerate(period_codes):
            add(total_codes, code, period, {t[0]: value(t[0], inhabitants, rate, i) for t in topics})
            for dimension, others in extra_codes.items():
                if code in {g[0] for g in GEMEENTEN}:
                    for other, _ in others:
                        figures = {t[0]: value(t[0], inhabitants * 0.04, rate, i) for t in topics}
                        add({**total_codes, dimension: other}, code, period, figures)
    for code, (inhabitants, real) in (extra_regions or {}).items():
        for i, (period, _, _) in enumerate(period_codes):
            figures = {t[0]: value(t[0], inhabitants, 400, i) for t in topics}
            add(total_codes, code, period, {**figures, **({topics[0][0]: real[period]} if period in real else {})})
    write(table_id, "TypedDataSet", rows)


def more_tables() -> None:
    # 80794ned: the 12 topic keys are verified (third-party SQL over the table, cbs_evidence/80794ned.md); their
    # titles here are what that code says they mean and the unit "aantal" is inferred: CBS's own DataProperties
    # of this table were not seen.
    simple_table(
        "80794ned",
        "Personen met een uitkering; uitkeringsontvangers per regio",
        "Permaand",
        months(2023, 2024, (2024, 10)),
        {},
        [
            ("UitkeringsontvangersTotaal_1", "Uitkeringsontvangers totaal", "aantal", "Long"),
            ("TotDeAOWLeeftijd_2", "Tot de AOW-leeftijd", "aantal", "Long"),
            ("VanafDeAOWLeeftijd_3", "Vanaf de AOW-leeftijd", "aantal", "Long"),
            ("Werkloosheid_4", "Werkloosheid", "aantal", "Long"),
            ("BijstandGerelateerdTotAOWLeeftijd_5", "Bijstand/-gerelateerd tot AOW-leeftijd", "aantal", "Long"),
            ("BijstandGerelateerdVanafAOWLeeftijd_6", "Bijstandgerelateerd vanaf AOW-leeftijd", "aantal", "Long"),
            ("BijstandTotDeAOWLeeftijd_7", "Bijstand tot de AOW-leeftijd", "aantal", "Long"),
            ("ArbeidsongeschiktheidTotaal_8", "Arbeidsongeschiktheid totaal", "aantal", "Long"),
            ("WAOUitkering_9", "WAO-uitkering", "aantal", "Long"),
            ("WIAUitkeringWGARegeling_10", "WIA-uitkering, WGA-regeling", "aantal", "Long"),
            ("WajongUitkering_11", "Wajong-uitkering", "aantal", "Long"),
            ("AlgemeneOuderdomswet_12", "Algemene Ouderdomswet", "aantal", "Long"),
        ],
        lambda topic, inh, rate, i: r10(
            {
                "UitkeringsontvangersTotaal_1": inh * (0.018 + 0.84 * rate / 10000 + 0.07 + 0.205),
                "TotDeAOWLeeftijd_2": inh * (0.018 + 0.84 * rate / 10000 + 0.07),
                "VanafDeAOWLeeftijd_3": inh * 0.205,
                "Werkloosheid_4": inh * 0.018 * (1 + 0.01 * (i % 12 < 3)),
                "BijstandGerelateerdTotAOWLeeftijd_5": inh * 0.84 * rate / 10000 * 1.08,
                "BijstandGerelateerdVanafAOWLeeftijd_6": inh * 0.004,
                "BijstandTotDeAOWLeeftijd_7": inh * 0.84 * rate / 10000 * (1.04 - 0.004 * i),
                "ArbeidsongeschiktheidTotaal_8": inh * 0.07,
                "WAOUitkering_9": inh * 0.017,
                "WIAUitkeringWGARegeling_10": inh * 0.021,
                "WajongUitkering_11": inh * 0.014,
                "AlgemeneOuderdomswet_12": inh * 0.205 * (1 + 0.0015 * i),
            }[topic]
        ),
        modified="2025-02-20T02:00:00",
    )
    # 83582NED (cbs_evidence/83582NED.md): one topic, x 1 000 with one decimal; years titled "2024 december";
    # SBI keys 7 wide. COROP rows CR01/CR14/CR23: CBS's values where the cached extract has them (S4).
    simple_table(
        "83582NED",
        "Banen van werknemers in december; economische activiteit (SBI2008), regio",
        "Perjaar",
        years(2010, 2024, 2024, "{y} december"),
        {"BedrijfstakkenBranchesSBI2008": ("T001081", "A-U Alle economische activiteiten")},
        [("BanenVanWerknemersInDecember_1", "Banen van werknemers in december", "x 1 000", "Double", 1)],
        lambda topic, inh, rate, i: round(inh * (0.48 + 0.005 * i) / 1000, 1),
        modified="2025-04-11T02:00:00",
        dimension_titles={"BedrijfstakkenBranchesSBI2008": "Bedrijfstakken/branches (SBI 2008)"},
        extra_codes={"BedrijfstakkenBranchesSBI2008": [("391600 ", "J Informatie en communicatie")]},
        extra_regions={
            "CR01": (95000, {"2010JJ00": 47.7, "2024JJ00": 48.0}),
            "CR14": (350000, {"2023JJ00": 177.8, "2024JJ00": 176.1}),
            "CR23": (2000000, {"2024JJ00": 1079.3}),
        },
    )
    simple_table(
        "81575NED",
        "Vestigingen van bedrijven; bedrijfstak, gemeente",
        "Perjaar",
        years(2016, 2024, 2024),
        {"BedrijfstakkenBranchesSBI2008": ("T001081", "A-U Alle economische activiteiten")},
        [("Vestigingen_1", "Vestigingen", "aantal", "Long")],
        lambda topic, inh, rate, i: r10(inh * (0.072 + 0.002 * i)),
        modified="2024-11-05T02:00:00",
        dimension_titles={"BedrijfstakkenBranchesSBI2008": "Bedrijfstakken/branches (SBI 2008)"},
    )


def veiligheidsmonitor() -> None:
    """85146NED, Veiligheidsmonitor; kerncijfers, regio (cbs_evidence/85146NED.md).

    Real shape: a Marges dimension (MW00000 = Waarde); the first ten topics with their cbs.nl titles and units and
    the two onveiligheidsgevoel topics (keys third-party, unit %); the biennial years 2021 and 2023. Only gemeenten
    of 70 000 inhabitants or more are in the table (cbs.nl lists Almelo, Almere, Amersfoort .. but no small ones),
    so of Twente only Almelo, Enschede and Hengelo, and of the rest of the country the large synthetic ones.
    Nederland's and Oost-Nederland's 2023 values of the first ten topics are CBS's (P1); the rest is synthetic.
    """
    table_id = "85146NED"
    table_infos(table_id, "Veiligheidsmonitor; kerncijfers, regio", "Per2jaar", "2021 - 2023", "2024-03-01T02:00:00")
    tevreden, eens = "% (heel) tevreden", "% (helemaal) eens"
    topics = [
        ("OnderhoudStoepenStratenEnPleintjes_1", "Onderhoud stoepen, straten en pleintjes", tevreden, "Double", 1),
        ("OnderhoudVanPlantsoenenEnParken_2", "Onderhoud van plantsoenen en parken", tevreden, "Double", 1),
        ("Straatverlichting_3", "Straatverlichting", tevreden, "Double", 1),
        ("SpeelplekkenVoorKinderen_4", "Speelplekken voor kinderen", tevreden, "Double", 1),
        ("VoorzieningenVoorJongeren_5", "Voorzieningen voor jongeren", tevreden, "Double", 1),
        ("FysiekeVoorzieningenSchaalscore_6", "Fysieke voorzieningen - schaalscore", "schaalscore (0 - 10)", "Double",
         1),
        ("MensenKennenElkaarNauwelijks_7", "Mensen kennen elkaar nauwelijks", eens, "Double", 1),
        ("MensenGaanPrettigMetElkaarOm_8", "Mensen gaan prettig met elkaar om", eens, "Double", 1),
        ("GezelligeBuurtWaarMenElkaarHelpt_9", "Gezellige buurt waar men elkaar helpt", eens, "Double", 1),
        ("VoelMijThuisBijMensenInDezeBuurt_10", "Voel mij thuis bij mensen in deze buurt", eens, "Double", 1),
        # keys, titles and unit from third-party code (S2, S8): unverified against DataProperties
        ("VoeltZichWeleensOnveilig_43", "Voelt zich weleens onveilig", "%", "Double", 1),
        ("VoeltZichWeleensOnveiligInBuurt_50", "Voelt zich weleens onveilig in buurt", "%", "Double", 1),
    ]
    data_properties(
        table_id,
        [
            ("Marges", "Dimension", "Marges"),
            ("RegioS", "GeoDimension", "Regio's"),
            ("Perioden", "TimeDimension", "Perioden"),
        ],
        topics,
    )
    year_list = [2021, 2023]
    periods(table_id, [(f"{y}JJ00", str(y), "Definitief") for y in year_list])
    write(
        table_id,
        "Marges",
        [
            {"Key": "MW00000", "Title": "Waarde", "Description": ""},
            {"Key": "MOG0095", "Title": "Ondergrens 95%-interval", "Description": ""},
            {"Key": "MBG0095", "Title": "Bovengrens 95%-interval", "Description": ""},
        ],
    )
    real_2023 = {  # cbs.nl, Marges = Waarde, 2023, topics _1 .. _10 (P1)
        "NL01": (60.8, 65.0, 82.5, 59.5, 45.3, 6.5, 26.1, 75.3, 60.5, 62.1),
        "LD02": (62.2, 65.2, 82.6, 59.5, 46.1, 6.6, 22.7, 77.9, 64.1, 64.5),
    }
    large = [g for g in [*GEMEENTEN, OUTSIDE_TWENTE, *other_gemeenten()] if g[2] >= 70000]
    regions = [NEDERLAND, ("LD02", "Oost-Nederland (LD)", 3500000, 350), *large]
    keys = padded([r[0] for r in regions])
    twente = {g[0] for g in GEMEENTEN}
    rows = []
    for code, _name, _inhabitants, rate in regions:
        level = 0.75 + rate / 1600  # places with more bijstand report somewhat more onveiligheid here
        # Twente and Nederland with the bounds of the 95 % interval too; the rest only the value, to keep it small
        marges = (("MW00000", 0.0), ("MOG0095", -2.1), ("MBG0095", 2.1)) if code in twente | {"NL01"} else (
            ("MW00000", 0.0),)
        for i, year in enumerate(year_list):
            for marge, shift in marges:
                base = (60.0, 65.0, 82.0, 59.0, 45.0, 6.5, 25.0, 75.0, 60.0, 62.0)
                figures = [round(b * (1.05 - 0.05 * level) + shift * (b > 10), 1) for b in base]
                if marge == "MW00000" and year == 2023 and code in real_2023:
                    figures = list(real_2023[code])
                figures.append(round(max(28.0 * level * (1 + 0.03 * i) + shift, 0.0), 1))
                figures.append(round(max(11.0 * level * (1 + 0.03 * i) + shift, 0.0), 1))
                rows.append(
                    {
                        "ID": len(rows),
                        "Marges": marge,
                        "RegioS": keys[code],
                        "Perioden": f"{year}JJ00",
                        **{topic[0]: value for topic, value in zip(topics, figures, strict=True)},
                    }
                )
    write(table_id, "TypedDataSet", rows)


# 47024NED's Nederland (NL00) yearly totals of "E33 Overlast door verward persoon", as downloaded from the table in
# January 2024 (bernasco/staat_van_de_misdaad data/NL_Disorder.csv @14f99b5; cbs_evidence/47024NED.md).
VERWARD_PERSOON_NL = {2012: 44571, 2013: 52168, 2014: 59600, 2015: 66030, 2016: 74939, 2017: 83611, 2018: 90628,
                      2019: 99662, 2020: 117246, 2021: 130194, 2022: 138807, 2023: 141724}
# Almelo's wijken as the politie tables title them (47024NED's WijkenEnBuurten code list, the same download)
ALMELO_WIJKEN_POLITIE = {
    "WK014110": "Binnenstad", "WK014111": "De Riet", "WK014112": "Noorderkwartier", "WK014113": "Sluitersveld",
    "WK014114": "Wierdense Hoek", "WK014115": "Nieuwstraat-Kwartier", "WK014116": "Ossenkoppelerhoek",
    "WK014117": "Hofkamp", "WK014118": "Schelfhorst", "WK014119": "Windmolenbroek", "WK014120": "Aadorp",
    "WK014121": "Bornerbroek",
}


def politie_wijk_en_buurt_table(
    table_id: str,
    dimension: tuple[str, str],
    codes: dict[str, tuple[str, float]],
    topic: tuple[str, str],
    year_list: list[int],
    figure: Callable[[str, str, int, float, float, float], int],
) -> None:
    """The rows and code lists of a politie table per wijk and buurt (47018NED, 47024NED): the dimension of kinds of
    crime or overlast (``dimension`` = key, title; ``codes``: code as padded -> title, share of the total),
    WijkenEnBuurten typed GeoDetail and padded to 10 (Nederland "NL00      ", the Twente gemeenten and Deventer,
    Almelo's wijken with the politie's titles), the year totals (JJ00), the topic (key, title; aantal) and the
    string columns Gemeentenaam_2 and SoortRegio_3. ``figure(region, code, year, inhabitants, rate, share)`` gives
    each cell's value (real where the evidence has one, else synthetic)."""
    data_properties(
        table_id,
        [(dimension[0], "Dimension", dimension[1]), ("WijkenEnBuurten", "GeoDetail", "Wijken en buurten"),
         ("Perioden", "TimeDimension", "Perioden")],
        [(topic[0], topic[1], "aantal", "Long"),
         ("Gemeentenaam_2", "Gemeentenaam", None, "String"), ("SoortRegio_3", "Soort regio", None, "String")],
    )
    write(table_id, dimension[0], [{"Key": k, "Title": t, "Description": ""} for k, (t, _) in codes.items()])
    almelo = GEMEENTEN[0]
    regions = [("NL00", "Nederland", "Land", NEDERLAND[2], NEDERLAND[3]),
               *[(c, n, "Gemeente", i, r) for c, n, i, r in [*GEMEENTEN, OUTSIDE_TWENTE]],
               *[(c, ALMELO_WIJKEN_POLITIE[c], "Wijk", almelo[2] * share, almelo[3] * (2.0 if c == "WK014110" else 1.0))
                 for c, (_, share) in ALMELO_WIJKEN.items()]]
    rows = []
    for code, name, soort_regio, inhabitants, rate in regions:
        for year in year_list:
            for dimension_code, (_, share) in codes.items():
                rows.append({
                    "ID": len(rows), dimension[0]: dimension_code, "WijkenEnBuurten": code.ljust(10),
                    "Perioden": f"{year}JJ00", topic[0]: figure(code, dimension_code, year, inhabitants, rate, share),
                    "Gemeentenaam_2": "" if code == "NL00" else almelo[1] if code[:2] == "WK" else name,
                    "SoortRegio_3": "" if code == "NL00" else soort_regio,
                })
    write(table_id, "TypedDataSet", rows)
    write(table_id, "WijkenEnBuurten", [{"Key": code.ljust(10), "Title": name, "Description": "",
                                         "DimensionGroupId": None} for code, name, *_ in regions])


def geregistreerde_misdrijven() -> None:
    """47018NED, politie: Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers, on dataderden
    (cbs_evidence/47018NED.md).

    Real shape: SoortMisdrijf codes with a trailing space ("0.0.0 " Totaal misdrijven, "1.1.1 " Diefstal/inbraak
    woning), WijkenEnBuurten typed GeoDetail and padded to 10 (Nederland "NL00      "), yearly periods
    2012JJ00 .. 2025JJ00, the topic GeregistreerdeMisdrijven_1 (aantal). Real values: Nederland's totals of 2012
    (1 127 693) and 2024 (805 327); every other figure is synthetic (Almelo around 60 registered crimes per 1 000
    inhabitants, falling over the years as nationally).
    """
    table_id = "47018NED"
    year_list = list(range(2012, 2026))
    table_infos(table_id, "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers", "Perjaar",
                "2012 - 2025", "2026-02-15T02:00:00")
    periods(table_id, [(f"{y}JJ00", str(y), "Definitief") for y in year_list])
    nederland_real = {2012: 1127693, 2024: 805327}

    def figure(code: str, soort: str, year: int, inhabitants: float, rate: float, share: float) -> int:
        if code == "NL00" and year in nederland_real and soort == "0.0.0 ":
            return nederland_real[year]
        trend = 1.0 - 0.3 * (year - 2012) / 12  # crime fell by about 30 % from 2012 to 2024 (the real NL00)
        return round(inhabitants * (0.045 + rate / 60000) * trend * share)

    politie_wijk_en_buurt_table(
        table_id, ("SoortMisdrijf", "Soort misdrijf"),
        {"0.0.0 ": ("Totaal misdrijven", 1.0), "1.1.1 ": ("Diefstal/inbraak woning", 0.045)},
        ("GeregistreerdeMisdrijven_1", "Geregistreerde misdrijven"), year_list, figure,
    )


def geregistreerde_overlast() -> None:
    """47024NED, politie: registered nuisance (overlast) per wijk and buurt, on dataderden
    (cbs_evidence/47024NED.md).

    Real shape from a download of the table (January 2024): the Overlast code list (nine codes padded to 6, "0.0.0 "
    the total, "E33   " Overlast door verward persoon ...; three written), WijkenEnBuurten padded to 10 with Nederland
    "NL00      " and Almelo's wijken WK014110 .. WK014121 with the politie's titles, months and each year's total
    (JJ00), the topic GeregistreerdeOverlast_1 (aantal). Real values: Nederland's yearly E33 totals 2012-2023;
    everything else synthetic (Almelo around 10 E33 registrations per 1 000 inhabitants, rising as nationally). Only
    the yearly rows are written (the loader asks for JJ only).
    """
    table_id = "47024NED"
    year_list = list(range(2012, 2024))
    # the official title was not seen anywhere: this one is ours, from the topic title (47024NED.md)
    table_infos(table_id, "Geregistreerde overlast; wijk, buurt", "Permaand", "2012 - 2023", "2024-01-15T02:00:00")
    periods(table_id, [(f"{y}MM{m:02d}", f"{y} {MONTH_NAMES[m - 1]}", "Definitief") for y in year_list
                       for m in range(1, 13)] + [(f"{y}JJ00", str(y), "Definitief") for y in year_list])

    def figure(code: str, soort: str, year: int, inhabitants: float, rate: float, share: float) -> int:
        if code == "NL00" and soort == "E33   ":
            return VERWARD_PERSOON_NL[year]
        trend = VERWARD_PERSOON_NL[year] / VERWARD_PERSOON_NL[2019]
        return round(inhabitants * (0.004 + rate / 100000) * trend * share)

    politie_wijk_en_buurt_table(
        table_id, ("Overlast", "Overlast"),
        {"0.0.0 ": ("Totaal registraties overlast", 4.0), "E33   ": ("Overlast door verward persoon", 1.0),
         "M22   ": ("Geluidshinder overig", 1.3)},
        ("GeregistreerdeOverlast_1", "Geregistreerde overlast"), year_list, figure,
    )


def gezondheid_wijken_en_buurten() -> None:
    """50150NED, RIVM: Gezondheid per wijk en buurt (modelled estimates, adults 18+), on dataderden
    (cbs_evidence/50150NED.md).

    Shape from third-party code reading the table: Leeftijd "20300" (18 jaar of ouder), Marges "MW00000" (the
    central estimate), WijkenEnBuurten with NL01 for Nederland, the measurement years 2012, 2016, 2020, 2022 and
    2024 (2024JJ00), the topics GoedErvarenGezondheid_4, EenOfMeerLangdurigeAandoeningen_5 and Eenzaam_25 ..
    SociaalEenzaam_28 in % (keys, titles and unit third-party, unverified). No other Leeftijd or Marges code is
    written: none was seen. Every figure is synthetic; the rest of the country as the GM3001.. gemeenten (the table
    covers every gemeente), for the ranks.
    """
    table_id = "50150NED"
    table_infos(table_id, "Gezondheid per wijk en buurt; 2012/2016/2020/2022/2024 (indeling 2024)", "Onregelmatig",
                "2012 - 2024", "2025-06-30T02:00:00")
    topics = [("GoedErvarenGezondheid_4", "Goed ervaren gezondheid", "%", "Double", 1),
              ("EenOfMeerLangdurigeAandoeningen_5", "Een of meer langdurige aandoeningen", "%", "Double", 1),
              ("Eenzaam_25", "Eenzaam", "%", "Double", 1),
              ("SterkEenzaam_26", "Sterk eenzaam", "%", "Double", 1),
              ("EmotioneelEenzaam_27", "Emotioneel eenzaam", "%", "Double", 1),
              ("SociaalEenzaam_28", "Sociaal eenzaam", "%", "Double", 1)]
    data_properties(
        table_id,
        [("Leeftijd", "Dimension", "Leeftijd"), ("Marges", "Dimension", "Marges"),
         ("WijkenEnBuurten", "GeoDimension", "Wijken en buurten"), ("Perioden", "TimeDimension", "Perioden")],
        topics,
    )
    year_list = [2012, 2016, 2020, 2022, 2024]
    periods(table_id, [(f"{y}JJ00", str(y), "Definitief") for y in year_list])
    write(table_id, "Leeftijd", [{"Key": "20300", "Title": "18 jaar of ouder", "Description": ""}])
    write(table_id, "Marges", [{"Key": "MW00000", "Title": "Waarde", "Description": ""}])
    almelo = GEMEENTEN[0]
    regions = [NEDERLAND, *GEMEENTEN, OUTSIDE_TWENTE, *other_gemeenten(),
               *[(c, n, almelo[2] * share, int(almelo[3] * (0.4 + 1.6 * share / 0.12)))
                 for c, (n, share) in ALMELO_WIJKEN.items()]]
    wave = {2012: 0.0, 2016: 0.3, 2020: 0.9, 2022: 3.2, 2024: 2.0}  # the corona wave of 2022 lonelier
    rows = []
    for code, _name, _inhabitants, rate in regions:
        for year in year_list:
            sterk = round(8.0 + rate / 200 + wave[year], 1)
            figures = (round(78.0 - rate / 60, 1), round(47.0 + rate / 200, 1), round(40.0 + rate / 80 + wave[year], 1),
                       sterk, round(sterk * 2.6, 1), round(sterk * 3.1, 1))
            rows.append({"ID": len(rows), "Leeftijd": "20300", "Marges": "MW00000", "WijkenEnBuurten": code.ljust(10),
                         "Perioden": f"{year}JJ00",
                         **{topic[0]: value for topic, value in zip(topics, figures, strict=True)}})
    write(table_id, "TypedDataSet", rows)


ROOT_V4 = Path(__file__).resolve().parent / "v4"

def write_v4(table_id: str, entity: str, document: dict) -> None:
    folder = ROOT_V4 / table_id
    folder.mkdir(parents=True, exist_ok=True)
    context = {"@odata.context": f"https://datasets.cbs.nl/odata/v1/CBS/{table_id}/$metadata#{entity}"}
    text = json.dumps({**context, **document}, ensure_ascii=False, indent=1) + "\n"
    (folder / f"{entity}.json").write_text(text, encoding="utf-8")


def kerncijfers_wijken_en_buurten_2025() -> None:
    """86165NED, Kerncijfers wijken en buurten 2025, OData v4 (cbs_evidence/86165NED.md).

    Real shape: one dimension, WijkenEnBuurten (no Perioden: the year is the edition's); MeasureCodes with the
    fields of a real KWB export (Identifier, Index, Title, Description, MeasureGroupId, DataType, Unit, Format,
    Decimals, PresentationType), titles, units, decimals and groups as CBS gives them (KWB 2017 export, S1);
    unpadded codes; Nederland NL00. Netto arbeidsparticipatie and the income measure have no observations yet (the
    2026-06 export, S3). Every figure is synthetic. Deliberate test cases: wijk 21's bijstand is suppressed
    (ValueAttribute "Confidential"), wijk 10's AOW count has none ("Missing"); the buurten are there for the
    region filter to leave out.
    """
    table_id = "86165NED"
    uitkering = "Personen per soort uitkering; "
    measures = [
        # identifier, title, description, group, datatype, unit, decimals, presentation
        ("T001036", "Aantal inwoners", "", "M000352", "Long", "aantal", 0, "Absolute"),
        ("3000", "Mannen", "", "T001038", "Long", "aantal", 0, "Absolute"),
        ("4000", "Vrouwen", "", "T001038", "Long", "aantal", 0, "Absolute"),
        ("M000100", "Bevolkingsdichtheid", "", "M000352", "Long", "aantal inwoners per km²", 0, "Relative"),
        # title and unit third-party (S3, S11), decimals unverified
        ("M001796_2", "Nettoarbeidsparticipatie", "", None, "Double", "%", 1, "Relative"),
        ("M000224", "Gemiddeld inkomen per inwoner", "", None, "Double", "x 1 000 euro", 1, "Absolute"),
        ("D006842", uitkering + "Bijstand",
         "Personen die een bijstandsuitkering op grond van de Participatiewet ontvangen.", "M000267", "Long",
         "aantal", 0, "Absolute"),
        ("D006837", uitkering + "AO", "", "M000267", "Long", "aantal", 0, "Absolute"),
        ("D001827", uitkering + "WW", "", "M000267", "Long", "aantal", 0, "Absolute"),
        ("D000193", uitkering + "AOW", "", "M000267", "Long", "aantal", 0, "Absolute"),
    ]
    write_v4(table_id, "MeasureCodes", {"value": [
        {
            "Identifier": identifier, "Index": index, "Title": title, "Description": description,
            "MeasureGroupId": group, "DataType": datatype, "Unit": unit, "Format": None, "Decimals": decimals,
            "PresentationType": presentation,
        }
        for index, (identifier, title, description, group, datatype, unit, decimals, presentation)
        in enumerate(measures, start=1)
    ]})
    write_v4(table_id, "Dimensions", {"value": [{
        "Identifier": "WijkenEnBuurten",
        "Title": "Wijken en buurten",
        "Description": "Nederland, gemeenten, wijken en buurten volgens de indeling op 1 januari 2025.",
        "Kind": "GeoDimension",
        "MapYear": 2025,
        "ReleasePolicy": None,
        "ContainsGroups": True,
        "ContainsCodes": True,
    }]})
    # region code -> (title, inhabitants, bijstand per 10 000 inhabitants)
    regions: dict[str, tuple[str, int, int]] = {"NL00": ("Nederland", 18044027, 230)}
    for code, name, inhabitants, rate in GEMEENTEN:
        regions[code] = (name, r10(inhabitants * 1.001), int(rate * 0.55))
    almelo = regions["GM0141"][1]
    for code, (title, share) in ALMELO_WIJKEN.items():
        regions[code] = (title, r10(almelo * share), 330 + 40 * (int(code[-2:]) % 5))
    for code, (title, inhabitants) in ALMELO_BUURTEN.items():
        regions[code] = (title, inhabitants, 300)
    write_v4(table_id, "WijkenEnBuurtenCodes", {"value": [
        {"Identifier": code, "Index": index, "Title": title, "Description": "", "DimensionGroupId": None,
         "Status": None}
        for index, (code, (title, _, _)) in enumerate(regions.items(), start=1)
    ]})
    rows = []
    for measure in ("T001036", "3000", "4000", "M000100", "D006842", "D006837", "D001827", "D000193"):
        for code, (_title, inhabitants, rate) in regions.items():
            value: float | None = {
                "T001036": inhabitants,
                "3000": r10(inhabitants * 0.5),
                "4000": inhabitants - r10(inhabitants * 0.5),
                "M000100": round(inhabitants / 60) if inhabitants else None,
                "D006842": r10(inhabitants * rate / 10000),
                "D006837": r10(inhabitants * 0.055),
                "D001827": r10(inhabitants * 0.011),
                "D000193": r10(inhabitants * 0.2),
            }[measure]
            attribute = "None"
            if (code, measure) == ("WK014121", "D006842"):
                value, attribute = None, "Confidential"
            if (code, measure) == ("WK014110", "D000193"):
                value, attribute = None, "Missing"
            if value is None and attribute == "None":
                attribute = "Missing"  # bevolkingsdichtheid of an empty buurt: below 10 inhabitants, not given
            rows.append({"Id": len(rows), "Measure": measure, "ValueAttribute": attribute,
                         "Value": value, "StringValue": None, "WijkenEnBuurten": code})
    write_v4(table_id, "Observations", {"value": rows})
    write_v4(table_id, "Properties", {
        "Identifier": table_id,
        "Title": "Kerncijfers wijken en buurten 2025",
        "Description": "De voorlopige cijfers over 2025 verschijnen eind 2026 in deze tabel.",
        "Summary": "Kerncijfers van wijken en buurten, 2025",
        "Language": "nl",
        "Catalog": "CBS",
        "Frequency": "Eenmalig",
        "TemporalCoverage": "2025",
        "Modified": "2026-06-25T00:00:00+02:00",
        "ObservationsModified": "2026-06-25T00:00:00+02:00",
        "ObservationCount": len(rows),
        "DatasetType": "Numeric",
        "Status": "Regulier",
        "Version": "202606250000",
        "VersionReason": "Actualisering",
        "VersionNotes": "",
        "Source": "CBS.",
        "License": "https://creativecommons.org/licenses/by/4.0/",
        "Publisher": "https://standaarden.overheid.nl/owms/terms/Centraal_Bureau_voor_de_Statistiek",
        "Authority": "https://standaarden.overheid.nl/owms/terms/Centraal_Bureau_voor_de_Statistiek",
        "ContactPoint": "infoservice@cbs.nl",
        "SearchPriority": "2",
        "GraphTypes": "Table,Bar,Map",
        "DefaultPresentation": "",
    })
    (ROOT_V4 / table_id / "PeriodenCodes.json").unlink(missing_ok=True)  # the table has no period dimension


# The tables of issue 19's corrections (everything but the uitkeringen wijken-en-buurten series).
CORRECTED = (bevolking_per_maand, arbeidsdeelname, jeugdhulp, more_tables, veiligheidsmonitor,
             kerncijfers_wijken_en_buurten_2025, geregistreerde_misdrijven, geregistreerde_overlast,
             gezondheid_wijken_en_buurten)

def region_code_lists() -> None:
    """The code list of the region dimension (RegioS) for every v3 table that has none written above, as CBS serves
    it beside the data: every key of the table's rows (padded as there), with the region's name. The pre-flight
    checks the configured codes against it."""
    names = {code: name for code, name, *_ in [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE, *other_gemeenten()]}
    names.update({"PV23": "Overijssel (PV)", "LD02": "Oost-Nederland (LD)"})
    names.update({code: title for code, (title, _) in ALMELO_WIJKEN.items()})
    for folder in sorted(ROOT.iterdir()):
        properties = json.loads((folder / "DataProperties.json").read_text(encoding="utf-8"))["value"]
        geo = next((p["Key"] for p in properties if p["Type"] in ("GeoDimension", "GeoDetail")), None)
        if geo is None or (folder / f"{geo}.json").exists():
            continue
        rows = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))["value"]
        keys = list(dict.fromkeys(r[geo] for r in rows))
        write(folder.name, geo, [{"Key": k, "Title": names.get(k.strip(), k.strip()), "Description": "",
                                  "DimensionGroupId": None} for k in keys])


if __name__ == "__main__":
    for write_table in CORRECTED:
        write_table()
    for uitkeringen_table in UITKERINGEN_EDITIONS:
        uitkeringen_wijken_en_buurten(uitkeringen_table)
    region_code_lists()
    print(f"recordings written under {ROOT} and {ROOT_V4}")
