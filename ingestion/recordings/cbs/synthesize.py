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


def quarters(year: int, provisional_from: int) -> list[tuple[str, str, str]]:
    return [
        (f"{year}KW0{q}", f"{year} {q}e kwartaal", "Voorlopig" if q >= provisional_from else "Definitief")
        for q in range(1, 5)
    ]


def uitkeringen_wijken_en_buurten_2023() -> None:
    """The 2023 edition of 86003NED's series: same subject, other topic-key suffixes (mapped per edition)."""
    table_id = "85586NED"
    table_infos(
        table_id,
        "Personen met een uitkering; soort uitkering, wijken en buurten, 2023",
        "Perkwartaal",
        "2023 1e kwartaal - 2023 4e kwartaal",
        "2024-03-29T02:00:00",
    )
    topics = [
        ("Gemeentenaam_1", "Gemeentenaam", "Tekst", "String"),
        ("Werkloosheidsuitkering_8", "Werkloosheidsuitkering", "aantal", "Long"),
        ("Bijstandsuitkering_9", "Bijstandsuitkering", "aantal", "Long"),
        ("InwonersVanaf15Jaar_12", "Inwoners vanaf 15 jaar", "aantal", "Long"),
    ]
    data_properties(
        table_id,
        [("WijkenEnBuurten", "GeoDimension", "Wijken en buurten"), ("Perioden", "TimeDimension", "Perioden")],
        topics,
    )
    codes = quarters(2023, provisional_from=5)
    periods(table_id, codes)
    regions = [*GEMEENTEN, ("NL00", "Nederland", NEDERLAND[2], NEDERLAND[3]), OUTSIDE_TWENTE, *other_gemeenten()]
    keys = padded([r[0] for r in regions] + ["BU01410100"])
    rows = []
    for code, name, inhabitants, rate in regions:
        for q, (period, _, _) in enumerate(codes):
            in15 = r10(inhabitants * 0.838 * (1 - 0.001 * (4 - q)))
            rows.append(
                {
                    "ID": len(rows),
                    "WijkenEnBuurten": keys[code],
                    "Perioden": period,
                    "Gemeentenaam_1": name.ljust(30),
                    "Werkloosheidsuitkering_8": r10(in15 * 0.020),
                    "Bijstandsuitkering_9": r10(in15 * rate / 10000 * (1.05 - 0.008 * q)),
                    "InwonersVanaf15Jaar_12": in15,
                }
            )
    write(table_id, "TypedDataSet", rows)


def uitkeringen_wijken_en_buurten_2024_rest_of_country() -> None:
    """86003NED's recording is hand-made for Twente, Deventer, Nederland and one Almelo wijk and buurt; this appends
    the rest of the country (the synthetic gemeenten of other_gemeenten()) so the bijstand indicators can be ranked
    among all gemeenten. Idempotent: rows of earlier runs are replaced, the hand-made rows kept as they are."""
    table_id = "86003NED"
    synthetic = tuple(code for code, *_ in other_gemeenten())
    data_path = ROOT / table_id / "TypedDataSet.json"
    kept = [
        r for r in json.loads(data_path.read_text(encoding="utf-8"))["value"]
        if not r["WijkenEnBuurten"].startswith(synthetic)
    ]
    width = max(len(r["WijkenEnBuurten"]) for r in kept)
    rows = list(kept)
    for code, name, inhabitants, rate in other_gemeenten():
        for q in range(4):
            newest = q == 3  # 2024KW04 is published as a skeleton, as for the hand-made regions
            in15 = r10(inhabitants * 0.84 * (1 + 0.001 * q))
            aow = r10(in15 * 0.24)
            figures = {
                "Werkloosheidsuitkering_9": r10(in15 * 0.021 * (1 + 0.02 * q)),
                "Bijstandsuitkering_10": r10(in15 * rate / 10000 * (1 - 0.01 * q)),
                "Arbeidsongeschiktheidsuitkering_11": r10(in15 * 0.085),
                "AOWUitkering_12": aow,
                "InwonersVanaf15Jaar_13": in15,
                "InwonersVanaf15JrTotAOWLeeftijd_14": in15 - aow,
                "InwonersVanafDeAOWLeeftijd_15": aow,
            }
            rows.append(
                {
                    "ID": len(rows),
                    "WijkenEnBuurten": code.ljust(width),
                    "Gemeentenaam_1": name.ljust(30),
                    "SoortRegio_2": "Gemeente".ljust(10),
                    "Codering_3": code.ljust(width),
                    "Perioden": f"2024KW0{q + 1}",
                    **{topic: None if newest else value for topic, value in figures.items()},
                }
            )
    write(table_id, "TypedDataSet", rows)
    dimension_path = ROOT / table_id / "WijkenEnBuurten.json"
    keys = [
        k for k in json.loads(dimension_path.read_text(encoding="utf-8"))["value"]
        if not k["Key"].startswith(synthetic)
    ]
    keys += [{"Key": code.ljust(width), "Title": name, "Description": "", "DimensionGroupId": None}
             for code, name, *_ in other_gemeenten()]
    write(table_id, "WijkenEnBuurten", keys)


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


if __name__ == "__main__":
    more_tables()
    veiligheidsmonitor()
    uitkeringen_wijken_en_buurten_2023()
    uitkeringen_wijken_en_buurten_2024_rest_of_country()
    bevolking_per_maand()
    arbeidsdeelname()
    jeugdhulp()
    print(f"recordings written under {ROOT}")
