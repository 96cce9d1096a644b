"""Writes the bundled v3 recordings: synthetic figures in the exact shape of the CBS OData v3 API.

Not part of the package's runtime; run it to regenerate after changing a table spec below:

    .venv/bin/python ingestion/recordings/cbs/synthesize.py

Shape facts kept (SOURCES.md §1): envelope with ``odata.metadata``/``value``; dimension keys right-padded to the
longest key of their dimension; string topics padded; ``null`` for missing numbers; the newest period may exist
with all-null figures; period status Voorlopig/Definitief. The figures are deterministic and plausible, not CBS's.
"""

from __future__ import annotations

import json
import math
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


def write(table_id: str, entity: str, rows: list[dict]) -> None:
    folder = ROOT / table_id
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "odata.metadata": f"https://opendata.cbs.nl/ODataFeed/OData/{table_id}/$metadata#Cbs.OData.WebAPI.{entity}",
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
                "Catalog": "CBS",
                "Language": "nl",
                "OutputStatus": "Regulier",
                "Source": "CBS.",
            }
        ],
    )


def data_properties(table_id: str, dims: list[tuple[str, str, str]], topics: list[tuple[str, str, str, str]]) -> None:
    """dims: (key, type, title); topics: (key, title, unit, datatype)."""
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
    for key, title, unit, datatype in topics:
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
                "Decimals": 1 if datatype == "Double" else 0,
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
MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")
# Almelo's wijken, numbered from 10 (codes derived from CBS buurt codes; names from third parties, unverified:
# cbs_evidence/almelo_regions.md), with a share of Almelo's inhabitants each (synthetic).
ALMELO_WIJKEN = [
    ("WK014110", "Wijk 10 Binnenstad", 0.06), ("WK014111", "Wijk 11 De Riet", 0.09),
    ("WK014112", "Wijk 12 Noorderkwartier", 0.08), ("WK014113", "Wijk 13 Sluitersveld", 0.10),
    ("WK014114", "Wijk 14 Wierdense Hoek", 0.09), ("WK014115", "Wijk 15 Nieuwstraat-Kwartier", 0.08),
    ("WK014116", "Wijk 16 Ossenkoppelerhoek", 0.08), ("WK014117", "Wijk 17 Hofkamp", 0.10),
    ("WK014118", "Wijk 18 Schelfhorst", 0.11), ("WK014119", "Wijk 19 Windmolenbroek", 0.12),
    ("WK014120", "Wijk 20 Aadorp", 0.04), ("WK014121", "Wijk 21 Bornerbroek", 0.05),
]
# Buurten of Almelo that CBS itself shows (85318NED, Kerncijfers wijken en buurten 2022), with their wijk.
ALMELO_BUURTEN = [
    ("BU01411105", "Bedrijventerrein Bornsestraat", "WK014111", 0.01),
    ("BU01411200", "Vriezenveenseweg e.o. Haghoek Oost", "WK014112", 0.20),
    ("BU01411202", "Vriezenveenseweg e.o. Haghoek West", "WK014112", 0.24),
    ("BU01411204", "Bedrijventerrein Dollegoor Turfkade", "WK014112", 0.01),
    ("BU01411205", "Bedrijvenpark Twente", "WK014112", 0.0),
    ("BU01411908", "Bedrijventerrein Twentepoort - Stadion", "WK014119", 0.02),
    ("BU01411910", "Bedrijventerrein XL Businesspark", "WK014119", 0.0),
]
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
        f"{year} {MAANDEN[months_published[0] - 1]} - {year} {MAANDEN[months_published[-1] - 1]}",
        f"{year + 1}-03-15T02:00:00" if months_published[-1] == 12 else f"{year}-09-15T02:00:00",
    )
    uitkeringen_data_properties(table_id)
    codes = [(f"{year}MM{m:02d}", f"{year} {MAANDEN[m - 1]}", status) for m, status in statuses.items()]
    periods(table_id, codes)
    almelo = GEMEENTEN[0]
    # (code, title, soort regio, inhabitants, bijstand per 10 000 inhabitants 15+)
    regions: list[tuple[str, str, str, float, int]] = [
        ("NL00", "Totaal", "Land", NEDERLAND[2], NEDERLAND[3]),
        ("NL01", "Nederland", "Land", NEDERLAND[2], NEDERLAND[3]),
        ("NL98", "Buitenland", "Land", 0, 0),
        *[(c, n, "Gemeente", i, r) for c, n, i, r in [*GEMEENTEN, OUTSIDE_TWENTE, *other_gemeenten()]],
        *[(c, n, "Wijk", almelo[2] * share, int(almelo[3] * (0.4 + 1.6 * share / 0.12)))
          for c, n, share in ALMELO_WIJKEN],
        *[(c, n, "Buurt", almelo[2] * share * 0.1, almelo[3]) for c, n, _wijk, share in ALMELO_BUURTEN],
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


def bevolking_per_maand() -> None:
    """Population per month: the denominator for per-10 000 indicators. RegioS keys 6 wide ('NL01  ')."""
    table_id = "37230ned"
    table_infos(
        table_id,
        "Bevolkingsontwikkeling; regio per maand",
        "Permaand",
        "2023 januari - 2024 december",
        "2025-02-14T02:00:00",
    )
    topics = [
        ("BevolkingAanHetBeginVanDePeriode_1", "Bevolking aan het begin van de periode", "aantal", "Long"),
        ("LevendGeborenKinderen_2", "Levend geboren kinderen", "aantal", "Long"),
        ("BevolkingAanHetEindeVanDePeriode_15", "Bevolking aan het einde van de periode", "aantal", "Long"),
    ]
    data_properties(
        table_id, [("RegioS", "GeoDimension", "Regio's"), ("Perioden", "TimeDimension", "Perioden")], topics
    )
    months = [
        (f"{y}MM{m:02d}", f"{y} {m}", "Voorlopig" if (y, m) >= (2024, 10) else "Definitief")
        for y in (2023, 2024)
        for m in range(1, 13)
    ]
    periods(table_id, months)
    regions = [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE, *other_gemeenten()]
    keys = padded([r[0] for r in regions] + ["PV23", "LD02"])
    rows = []
    for code, _name, inhabitants, _rate in regions:
        for i, (period, _, _) in enumerate(months):
            start = round(inhabitants * (0.985 + 0.0007 * i))
            newest = period == "2024MM12"  # published as a skeleton: all figures still null
            rows.append(
                {
                    "ID": len(rows),
                    "RegioS": keys[code],
                    "Perioden": period,
                    "BevolkingAanHetBeginVanDePeriode_1": None if newest else start,
                    "LevendGeborenKinderen_2": None if newest else round(inhabitants * 0.0008),
                    "BevolkingAanHetEindeVanDePeriode_15": None if newest else round(start * 1.0007),
                }
            )
    write(table_id, "TypedDataSet", rows)


def arbeidsdeelname() -> None:
    """Labour participation per gemeente per year, x 1 000, with sex and age dimensions (totals filtered)."""
    table_id = "86008NED"
    table_infos(
        table_id, "Arbeidsdeelname; gemeenten (regio-indeling 2024)", "Perjaar", "2019 - 2024", "2025-04-01T02:00:00"
    )
    topics = [
        ("Beroepsbevolking_1", "Beroepsbevolking", "x 1 000", "Double"),
        ("WerkzameBeroepsbevolking_2", "Werkzame beroepsbevolking", "x 1 000", "Double"),
        ("WerklozeBeroepsbevolking_3", "Werkloze beroepsbevolking", "x 1 000", "Double"),
        ("NietBeroepsbevolking_4", "Niet-beroepsbevolking", "x 1 000", "Double"),
        ("Werkloosheidspercentage_5", "Werkloosheidspercentage", "%", "Double"),
        ("NettoArbeidsparticipatie_6", "Netto arbeidsparticipatie", "%", "Double"),
        ("SemiWerklozen_7", "Semi-werklozen", "x 1 000", "Double"),
        ("OnderbenutteDeeltijdwerkers_8", "Onderbenutte deeltijdwerkers", "x 1 000", "Double"),
        ("OnbenutArbeidspotentieel_9", "Onbenut arbeidspotentieel", "x 1 000", "Double"),
    ]
    data_properties(
        table_id,
        [
            ("Geslacht", "Dimension", "Geslacht"),
            ("Leeftijd", "Dimension", "Leeftijd"),
            ("RegioS", "GeoDimension", "Regio's"),
            ("Perioden", "TimeDimension", "Perioden"),
        ],
        topics,
    )
    years = [(f"{y}JJ00", str(y), "Voorlopig" if y == 2024 else "Definitief") for y in range(2019, 2025)]
    periods(table_id, years)
    write(
        table_id,
        "Geslacht",
        [
            {"Key": "T001038", "Title": "Totaal mannen en vrouwen", "Description": ""},
            {"Key": "3000   ", "Title": "Mannen", "Description": ""},
            {"Key": "4000   ", "Title": "Vrouwen", "Description": ""},
        ],
    )
    write(
        table_id,
        "Leeftijd",
        [
            {"Key": "52052   ", "Title": "15 tot 75 jaar", "Description": ""},
            {"Key": "53105   ", "Title": "15 tot 25 jaar", "Description": ""},
        ],
    )
    regions = [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE]
    others = other_gemeenten()
    keys = padded([r[0] for r in regions + others])
    rows = []
    for code, _name, inhabitants, rate in regions + others:
        # the rest of the country only with the totals the loader keeps, to keep the recording small
        detailed = code in {r[0] for r in regions}
        sexes = (("T001038", 1.0), ("3000   ", 0.51), ("4000   ", 0.49)) if detailed else (("T001038", 1.0),)
        ages = (("52052   ", 1.0), ("53105   ", 0.17)) if detailed else (("52052   ", 1.0),)
        for i, (period, _, _) in enumerate(years):
            for sex, sex_share in sexes:
                for age, age_share in ages:
                    pop = inhabitants * 0.74 * sex_share * age_share / 1000
                    unemployment = (0.032 + rate / 40000) * (1 + 0.15 * math.cos(i))
                    labour = pop * (0.68 + 0.006 * i - rate / 20000)
                    employed, unemployed = labour * (1 - unemployment), labour * unemployment
                    rows.append(
                        {
                            "ID": len(rows),
                            "Geslacht": sex,
                            "Leeftijd": age,
                            "RegioS": keys[code],
                            "Perioden": period,
                            "Beroepsbevolking_1": round(labour, 1),
                            "WerkzameBeroepsbevolking_2": round(employed, 1),
                            "WerklozeBeroepsbevolking_3": round(unemployed, 1),
                            "NietBeroepsbevolking_4": round(pop - labour, 1),
                            "Werkloosheidspercentage_5": round(100 * unemployment, 1),
                            "NettoArbeidsparticipatie_6": round(100 * employed / pop, 1),
                            "SemiWerklozen_7": round(unemployed * 1.2, 1),
                            "OnderbenutteDeeltijdwerkers_8": round(employed * 0.035, 1),
                            "OnbenutArbeidspotentieel_9": round(unemployed * 2.2 + employed * 0.035, 1),
                        }
                    )
    write(table_id, "TypedDataSet", rows)


def jeugdhulp() -> None:
    """Young people (0-17) with youth care in kind per gemeente per year."""
    table_id = "85098NED"
    table_infos(table_id, "Indicatoren jeugdzorg in natura; gemeenten", "Perjaar", "2019 - 2024", "2025-05-02T02:00:00")
    topics = [
        ("JongerenMetJeugdhulpInNatura_1", "Jongeren (0 tot 18 jaar) met jeugdhulp in natura", "aantal", "Long"),
        ("JongerenMetJeugdhulpInNatura_2", "Jongeren met jeugdhulp in natura (relatief)", "%", "Double"),
    ]
    data_properties(
        table_id, [("RegioS", "GeoDimension", "Regio's"), ("Perioden", "TimeDimension", "Perioden")], topics
    )
    years = [(f"{y}JJ00", str(y), "Voorlopig" if y >= 2024 else "Definitief") for y in range(2019, 2025)]
    periods(table_id, years)
    regions = [*GEMEENTEN, NEDERLAND]
    keys = padded([r[0] for r in regions])
    rows = []
    for code, _name, inhabitants, rate in regions:
        for i, (period, _, _) in enumerate(years):
            youth = inhabitants * 0.2
            share = 0.10 + rate / 30000 - 0.002 * i
            rows.append(
                {
                    "ID": len(rows),
                    "RegioS": keys[code],
                    "Perioden": period,
                    "JongerenMetJeugdhulpInNatura_1": r10(youth * share),
                    "JongerenMetJeugdhulpInNatura_2": round(100 * share, 1),
                }
            )
    write(table_id, "TypedDataSet", rows)


def simple_table(
    table_id: str,
    title: str,
    frequency: str,
    period_codes: list[tuple[str, str, str]],
    totals: dict[str, tuple[str, str]],
    topics: list[tuple[str, str, str, str]],
    value,
    *,
    modified: str = "2025-03-01T02:00:00",
) -> None:
    """A table with RegioS x Perioden (x extra dimensions held at their total): value(topic, inhabitants, rate, i)."""
    table_infos(table_id, title, frequency, f"{period_codes[0][1]} - {period_codes[-1][1]}", modified)
    dims = [(d, "Dimension", d) for d in totals] + [
        ("RegioS", "GeoDimension", "Regio's"),
        ("Perioden", "TimeDimension", "Perioden"),
    ]
    data_properties(table_id, dims, topics)
    periods(table_id, period_codes)
    for dimension, (key, label) in totals.items():
        write(table_id, dimension, [{"Key": key, "Title": label, "Description": ""}])
    regions = [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE]
    keys = padded([r[0] for r in regions] + ["PV23"])
    rows = []
    for code, _name, inhabitants, rate in regions:
        for i, (period, _, _) in enumerate(period_codes):
            row = {
                "ID": len(rows),
                **{d: key for d, (key, _) in totals.items()},
                "RegioS": keys[code],
                "Perioden": period,
            }
            for topic in topics:
                row[topic[0]] = value(topic[0], inhabitants, rate, i)
            rows.append(row)
    write(table_id, "TypedDataSet", rows)


def months(first_year: int, last_year: int, provisional_from: tuple[int, int]) -> list[tuple[str, str, str]]:
    return [
        (f"{y}MM{m:02d}", f"{y} {m}", "Voorlopig" if (y, m) >= provisional_from else "Definitief")
        for y in range(first_year, last_year + 1)
        for m in range(1, 13)
    ]


def years(first: int, last: int, provisional_from: int) -> list[tuple[str, str, str]]:
    return [
        (f"{y}JJ00", str(y), "Voorlopig" if y >= provisional_from else "Definitief") for y in range(first, last + 1)
    ]


def more_tables() -> None:
    simple_table(
        "80794ned",
        "Personen met een uitkering; uitkeringsontvangers per regio",
        "Permaand",
        months(2023, 2024, (2024, 10)),
        {},
        [
            ("Werkloosheid_4", "Werkloosheid", "aantal", "Long"),
            ("BijstandTotDeAOWLeeftijd_7", "Bijstand tot de AOW-leeftijd", "aantal", "Long"),
            ("ArbeidsongeschiktheidTotaal_8", "Arbeidsongeschiktheid totaal", "aantal", "Long"),
            ("AlgemeneOuderdomswet_12", "Algemene Ouderdomswet", "aantal", "Long"),
        ],
        lambda topic, inh, rate, i: r10(
            {
                "Werkloosheid_4": inh * 0.018 * (1 + 0.01 * (i % 12 < 3)),
                "BijstandTotDeAOWLeeftijd_7": inh * 0.84 * rate / 10000 * (1.04 - 0.004 * i),
                "ArbeidsongeschiktheidTotaal_8": inh * 0.07,
                "AlgemeneOuderdomswet_12": inh * 0.205 * (1 + 0.0015 * i),
            }[topic]
        ),
        modified="2025-02-20T02:00:00",
    )
    simple_table(
        "83582NED",
        "Banen van werknemers in december; economische activiteit (SBI2008), regio",
        "Perjaar",
        years(2016, 2023, 2023),
        {"BedrijfstakkenBranchesSBI2008": ("T001081", "A-U Alle economische activiteiten")},
        [("BanenVanWerknemersInDecember_1", "Banen van werknemers in december", "x 1 000", "Double")],
        lambda topic, inh, rate, i: round(inh * (0.52 + 0.006 * i) / 1000, 1),
        modified="2024-12-11T02:00:00",
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
    )
    simple_table(
        "85896NED",
        "Wmo-cliënten; type maatwerkvoorziening, persoonskenmerken, regio",
        "Perhalfjaar",
        [
            (f"{y}HJ0{h}", f"{y} {h}e halfjaar", "Voorlopig" if (y, h) >= (2024, 2) else "Definitief")
            for y in (2022, 2023, 2024)
            for h in (1, 2)
        ],
        {
            "TypeMaatwerkvoorziening": ("T001402", "Totaal Wmo-maatwerkvoorzieningen"),
            "Persoonskenmerken": ("T009002", "Totaal personen"),
        },
        [
            ("WmoClienten_1", "Wmo-cliënten", "aantal", "Long"),
            ("WmoClientenPer1000Inwoners_2", "Wmo-cliënten per 1 000 inwoners", "per 1 000 inwoners", "Double"),
        ],
        lambda topic, inh, rate, i: (
            r10(inh * (0.068 + rate / 200000) * (1 + 0.01 * i))
            if topic == "WmoClienten_1"
            else round(1000 * (0.068 + rate / 200000) * (1 + 0.01 * i), 1)
        ),
        modified="2025-04-15T02:00:00",
    )


def veiligheidsmonitor() -> None:
    """85146NED (the table id is CBS's; the topic keys here are synthetic - verify with DataProperties at the first
    live load). Almelo's 2013 figures start at the catalogue's baselines; a Marges dimension holds value and bounds."""
    table_id = "85146NED"
    table_infos(table_id, "Veiligheidsmonitor; kerncijfers, regio", "Perjaar", "2013 - 2023", "2024-03-22T02:00:00")
    topics = [
        ("OnveiligheidsgevoelensWelEensOnveilig_29", "Voelt zich wel eens onveilig", "%", "Double"),
        ("OnveiligInBuurtWelEens_31", "Voelt zich wel eens onveilig in de buurt", "%", "Double"),
        ("SocialeOverlastVeel_18", "Veel sociale overlast in de buurt", "%", "Double"),
        ("FysiekeVerloederingVeel_15", "Veel fysieke verloedering in de buurt", "%", "Double"),
        ("TotaleOverlastVeel_21", "Veel overlast in de buurt (totaal)", "%", "Double"),
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
    year_list = [2013, 2014, 2015, 2016, 2017, 2019, 2021, 2023]
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
    almelo_2013 = {
        "OnveiligheidsgevoelensWelEensOnveilig_29": 37.2,
        "OnveiligInBuurtWelEens_31": 5.4,
        "SocialeOverlastVeel_18": 18.3,
        "FysiekeVerloederingVeel_15": 28.1,
        "TotaleOverlastVeel_21": 6.2,
    }
    regions = [*GEMEENTEN, NEDERLAND]
    others = other_gemeenten()
    keys = padded([r[0] for r in regions + others])
    rows = []
    for code, _name, _inhabitants, rate in regions + others:
        level = 0.75 + rate / 1600  # places with more bijstand report somewhat more overlast here
        # the rest of the country only with the value itself (the marge the loader keeps), to keep it small
        detailed = code in {r[0] for r in regions}
        marges = (("MW00000", 0.0), ("MOG0095", -2.1), ("MBG0095", 2.1)) if detailed else (("MW00000", 0.0),)
        for i, year in enumerate(year_list):
            for marge, shift in marges:
                row = {"ID": len(rows), "Marges": marge, "RegioS": keys[code], "Perioden": f"{year}JJ00"}
                for topic, base in almelo_2013.items():
                    value = base * level / (0.75 + 620 / 1600) * (1 - 0.03 * i) + shift
                    row[topic] = round(max(value, 0.0), 1)
                rows.append(row)
    write(table_id, "TypedDataSet", rows)


def region_code_lists() -> None:
    """The code list of the region dimension (RegioS) for every v3 table that has none written above, as CBS serves
    it beside the data: every key of the table's rows (padded as there), with the region's name. The pre-flight
    checks the configured codes against it."""
    names = {code: name for code, name, *_ in [*GEMEENTEN, NEDERLAND, OUTSIDE_TWENTE, *other_gemeenten()]}
    names.update({"PV23": "Overijssel (PV)", "LD02": "Oost-Nederland (LD)"})
    for folder in sorted(ROOT.iterdir()):
        properties = json.loads((folder / "DataProperties.json").read_text(encoding="utf-8"))["value"]
        geo = next((p["Key"] for p in properties if p["Type"] == "GeoDimension"), None)
        if geo is None or (folder / f"{geo}.json").exists():
            continue
        rows = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))["value"]
        keys = list(dict.fromkeys(r[geo] for r in rows))
        write(folder.name, geo, [{"Key": k, "Title": names.get(k.strip(), k.strip()), "Description": "",
                                  "DimensionGroupId": None} for k in keys])


if __name__ == "__main__":
    more_tables()
    veiligheidsmonitor()
    for uitkeringen_table in UITKERINGEN_EDITIONS:
        uitkeringen_wijken_en_buurten(uitkeringen_table)
    bevolking_per_maand()
    arbeidsdeelname()
    jeugdhulp()
    region_code_lists()
    print(f"recordings written under {ROOT}")
