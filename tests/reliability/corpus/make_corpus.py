"""The bad-input corpus of the file sources, written byte for byte: ``python tests/reliability/corpus/make_corpus.py``.

Every file under ``tests/reliability/corpus/<source>/`` is made here (encodings, BOMs, line ends and XLSX zip entries
are fixed, so a rerun writes the same bytes; tests/reliability/test_bad_input_corpus.py checks that the committed
files are these). What each file should come to is in ``expected.yml`` beside this script, written by hand, not
derived from the loader.

The large files (an oversized CSV, an XLSX zip bomb, a CSV with one very long field) are not committed: the test
builds them in a temporary folder with :data:`GENERATED`.

BSNs: only synthetic numbers of the 9-series that ``ingestion.dev.generate`` uses (``9`` + seven digits + the elfproef
check digit), and deliberately invalid variants of them. No other nine-digit number appears in a Werkplein file.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
SOURCES = ("uwv", "kennispunt", "werkplein", "handmatig")
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


# --- BSNs: synthetic, 9-series only ---------------------------------------------------------------------------------


def synthetic_bsn(n: int) -> str:
    """The n-th synthetic BSN: '9' + seven digits + the check digit that makes it pass the elfproef."""
    for attempt in range(11):
        head = f"9{(n * 7919 + attempt * 1_234_567) % 10_000_000:07d}"  # spread over the series, deterministic
        check = sum(w * int(d) for w, d in zip(WEIGHTS, head, strict=True)) % 11
        if check < 10:
            return head + str(check)
    raise AssertionError(f"no synthetic BSN for {n}")  # not reached for the numbers used here


def invalid_bsn(n: int) -> str:
    """A 9-series number that fails the elfproef (the valid one with its last digit changed)."""
    valid = synthetic_bsn(n)
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


# --- writers ----------------------------------------------------------------------------------------------------------


def _cell(value: object, delimiter: str) -> str:
    text = "" if value is None else str(value)
    if any(ch in text for ch in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def text_file(rows: Sequence[Sequence[object]], *, delimiter: str = ";", newline: str = "\r\n") -> str:
    """Rows as CSV text: a field is quoted only when it must be (what Excel and most exports do)."""
    return "".join(delimiter.join(_cell(c, delimiter) for c in row) + newline for row in rows)


def encode(text: str, encoding: str, *, bom: bool = False) -> bytes:
    marks = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe"}
    return (marks[encoding] if bom else b"") + text.encode(encoding)


def xlsx_bytes(build: Callable[[object], None]) -> bytes:
    """A workbook made by ``build(workbook)``, saved with fixed timestamps so the bytes do not change per run."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.creator = "make_corpus.py"
    workbook.properties.created = workbook.properties.modified = datetime(2024, 1, 1)
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed (openpyxl stamps entries with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            target.writestr(fixed, data)
    return out.getvalue()


# --- UWV --------------------------------------------------------------------------------------------------------------

UWV_HEADER = ["Arbeidsmarktregio", "Beroepsklasse", "Periode", "Spanningsindicator", "Typering"]
KLASSEN = [("Totaal", "2,14", "krap"), ("Technische beroepen", "4,62", "zeer krap"), ("ICT beroepen", "3,18", "krap"),
           ("Zorg en welzijn beroepen", "3,05", "krap"), ("Transport en logistiek beroepen", "1,71", "krap"),
           ("Creatieve en taalkundige beroepen", "0,46", "ruim")]


def uwv_rows(periode: str, *, regio: str = "Twente", n: int = 6) -> list[list[str]]:
    return [[regio, klasse, periode, ratio, typering] for klasse, ratio, typering in KLASSEN[:n]]


def uwv_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    ok = uwv_rows("2024 Q1")

    # Windows-1252, CRLF, headers in other case and with an accent; a region name with a non-ASCII letter.
    rows = [["ARBEIDSMARKTREGIO", "Beroëpsklasse", "periode", "SPANNINGS INDICATOR", "Typering"],
            *uwv_rows("2024 Q1", n=3), *uwv_rows("2024 Q1", regio="Fryslân", n=3)]
    files["uwv_spanningsindicator_2024Q1.csv"] = encode(text_file(rows), "cp1252")
    # UTF-16 LE with BOM, tab separated: Excel's "Unicode text" save.
    files["uwv_spanningsindicator_2024Q1_unicode.csv"] = encode(
        text_file([UWV_HEADER, *ok[:4]], delimiter="\t"), "utf-16-le", bom=True)
    # ',' separated with decimal points, LF, UTF-8 without BOM.
    rows = [UWV_HEADER, *[[r[0], r[1], r[2], r[3].replace(",", "."), r[4]] for r in ok]]
    files["uwv_spanningsindicator_2024Q1_komma.csv"] = encode(text_file(rows, delimiter=",", newline="\n"), "utf-8")
    # Quoted fields: a separator inside a field, a line break inside a field, doubled quotes, a quoted number.
    rows = [[*UWV_HEADER, "Toelichting"],
            ["Twente", "Bedrijfseconomische; administratieve beroepen", "2024 Q1", "0,98", "gemiddeld", ""],
            ["Twente", "Zorg en welzijn beroepen", "2024 Q1", "3,05", "krap", "regel 1\r\nregel 2; met \"citaat\""],
            ["Twente", "Totaal", "2024 Q1", "2,14", "krap", "één\nnog een regel"]]
    text = text_file(rows).replace("2024 Q1;0,98", '"2024 Q1";"0,98"')  # quoted without need, as some tools do
    files["uwv_spanningsindicator_2024Q1_quotes.csv"] = encode(text, "utf-8", bom=True)
    # A required column renamed.
    rows = [["Arbeidsmarktregio", "Beroepsklasse", "Periode", "Spanning", "Typering"], *ok]
    files["uwv_spanningsindicator_2024Q2.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # The same column twice, with different contents: which one is meant cannot be known.
    rows = [[*UWV_HEADER, "Periode"], *[[*r, "2023 Q4"] for r in ok]]
    files["uwv_spanningsindicator_2024Q2_dubbel.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Columns in another order, two extra columns, the optional Typering left out.
    rows = [["Bron", "Periode", "Beroepsklasse", "Arbeidsmarktregio", "Spanningsindicator", "Download"],
            *[["UWV dashboard", r[2], r[1], r[0], r[3], "02-04-2024"] for r in uwv_rows("2024 Q2")]]
    files["uwv_spanningsindicator_2024Q2_extra.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Duplicate rows: the same region, class and quarter twice.
    rows = [UWV_HEADER, *uwv_rows("2024 Q3"), *uwv_rows("2024 Q3", n=2)]
    files["uwv_spanningsindicator_2024Q3.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Bad values: negative, not a number, a decimal point in a decimal-comma file, an unknown typering, a value
    # beyond what PostgreSQL's numeric holds.
    rows = [UWV_HEADER, *uwv_rows("2024 Q3", n=2),
            ["Twente", "ICT beroepen", "2024 Q3", "-0,50", "zeer ruim"],
            ["Twente", "Zorg en welzijn beroepen", "2024 Q3", "n.v.t.", "krap"],
            ["Twente", "Transport en logistiek beroepen", "2024 Q3", "1.71", "krap"],
            ["Twente", "Creatieve en taalkundige beroepen", "2024 Q3", "0,46", "heel ruim"],
            ["Twente", "Agrarische beroepen", "2024 Q3", "1E+200000", "zeer krap"]]
    files["uwv_spanningsindicator_2024Q3_waarden.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Periods in other formats; two the contract allows, four it does not.
    rows = [UWV_HEADER, *[[r[0], r[1], p, r[3], r[4]] for r, p in zip(
        uwv_rows("", n=6), ["2024 Q4", "2024-4", "Q4 2024", "4e kwartaal 2024", "2024-10-01", "2024 Q5"], strict=True)]]
    files["uwv_spanningsindicator_2024Q4.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A quarter in the future, and one before any data existed.
    files["uwv_spanningsindicator_2099Q1.csv"] = encode(text_file([UWV_HEADER, *uwv_rows("2099 Q1")]), "utf-8")
    files["uwv_spanningsindicator_1850Q1.csv"] = encode(text_file([UWV_HEADER, *uwv_rows("1850 Q1")]), "utf-8")
    # The next quarter's download saved under the old quarter's name: it would stand twice in the marts.
    files["uwv_spanningsindicator_2023Q4.csv"] = encode(text_file([UWV_HEADER, *uwv_rows("2024 Q1")]), "utf-8")
    # A number far beyond any ratio (loads as a number; the suite's range stops it).
    rows = [UWV_HEADER, *uwv_rows("2025 Q1", n=3),
            ["Twente", "Agrarische beroepen", "2025 Q1", "123.456.789.012.345.678.901.234.567.890,12", "zeer krap"]]
    files["uwv_spanningsindicator_2025Q1_groot.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Empty, and a header without rows.
    files["uwv_spanningsindicator_2025Q1.csv"] = b""
    files["uwv_spanningsindicator_2025Q2.csv"] = encode(text_file([UWV_HEADER]), "utf-8", bom=True)
    # A name outside the contract.
    files["spanningsindicator Twente 2024-1.csv"] = encode(text_file([UWV_HEADER, *ok]), "utf-8", bom=True)
    # An unterminated quote in row 3: a lenient CSV reader swallows the rest of the file into one field.
    lines = text_file([UWV_HEADER, *uwv_rows("2025 Q2")]).split("\r\n")
    lines[2] = lines[2].replace("Technische", '"Technische')
    files["uwv_spanningsindicator_2025Q2_quote.csv"] = encode("\r\n".join(lines), "utf-8", bom=True)
    # A row with more cells than the header: a sixth value would be dropped without a word.
    rows = [UWV_HEADER, *uwv_rows("2025 Q3", n=4),
            ["Twente", "Agrarische beroepen", "2025 Q3", "3,05", "krap", "zie toelichting"],
            ["Twente", "Openbaar bestuur", "2025 Q3", "1,14", "", ""]]  # empty cells beyond the header: fine
    files["uwv_spanningsindicator_2025Q3.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # UTF-16 without a BOM: every other byte is NUL.
    files["uwv_spanningsindicator_2025Q4.csv"] = encode(text_file([UWV_HEADER, *uwv_rows("2025 Q4")]), "utf-16-le")

    def extra_sheets(workbook) -> None:
        sheet = workbook.active
        sheet.title = "Spanningsindicator"
        sheet.append(UWV_HEADER)
        for regio, klasse, periode, ratio, typering in uwv_rows("2025 Q3"):
            sheet.append([regio, klasse, periode, float(ratio.replace(",", ".")), typering])
        notes = workbook.create_sheet("Toelichting")
        notes.append(["Bron", "UWV dashboard, gedownload 02-10-2025"])
        chart = workbook.create_sheet("Grafiekdata")
        chart.append(["Periode", "Twente"])
        chart.append(["2025 Q2", 2.01])

    files["uwv_spanningsindicator_2025Q3.xlsx"] = xlsx_bytes(extra_sheets)

    def title_row(workbook) -> None:
        sheet = workbook.active
        sheet.append(["UWV spanningsindicator Twente, 4e kwartaal 2025"])
        sheet.merge_cells("A1:E1")
        sheet.append(UWV_HEADER)
        for regio, klasse, periode, ratio, typering in uwv_rows("2025 Q4"):
            sheet.append([regio, klasse, periode, float(ratio.replace(",", ".")), typering])

    files["uwv_spanningsindicator_2025Q4.xlsx"] = xlsx_bytes(title_row)
    return files


# --- Kennispunt Twente ------------------------------------------------------------------------------------------------

LONG_HEADER = ["indicator", "gebiedcode", "gebiednaam", "periode", "waarde", "eenheid"]


def kennispunt_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    # Long, Windows-1252, CRLF: suppressed cells in several spellings, an empty value, accents.
    rows = [LONG_HEADER,
            ["Jeugdigen met jeugdhulp", "GM0141", "Almelo", "2022", "1.245", "aantal"],
            ["Jeugdigen met jeugdhulp", "GM0141", "Almelo", "2023", "1.310", "aantal"],
            ["Jeugdigen met jeugdbescherming", "GM0141", "Almelo", "2023", "<10", "aantal"],
            ["Jeugdigen met jeugdreclassering", "GM0141", "Almelo", "2023", "*", "aantal"],
            ["Cliënten Wmo één voorziening", "GM0141", "Almelo", "2023", "x", "aantal"],
            ["Cliënten Wmo één voorziening", "GM0141", "Almelo", "2022", "", "aantal"],
            ["Tevredenheid Wmo", "GM0141", "Almelo", "2023", "7,4", "rapportcijfer"]]
    files["kennispunt_jeugd_20240601.csv"] = encode(text_file(rows), "cp1252")
    # Long, ',' separated with decimal points; a quoted label with a comma, a quoted name with a line break.
    rows = [LONG_HEADER,
            ["Woningen, totaal", "GM0141", "Almelo", "2023", "32145", "aantal"],
            ["Woningen, huur", "GM0141", "Almelo", "2023", "41.5", "%"],
            ["Woningen, huur", "WK014110", "Wijk 10\nBinnenstad", "2023", "63.0", "%"]]
    files["kennispunt_wonen_20240601.csv"] = encode(text_file(rows, delimiter=",", newline="\n"), "utf-8")
    # Long, '|' separated, UTF-8 with BOM.
    rows = [LONG_HEADER, ["Sportdeelname wekelijks", "GM0141", "Almelo", "2022", "48,5", "%"],
            ["Sportdeelname wekelijks", "GM0141", "Almelo", "2023", "49,0", "%"]]
    files["kennispunt_sport_20240601.csv"] = encode(text_file(rows, delimiter="|"), "utf-8", bom=True)
    # Wide, tab separated, decimal comma; one row has no value at all (nothing to load, but not to lose either).
    rows = [["GEOITEM", "PERIOD", "eenzaam_pct", "mantelzorger_pct"],
            ["141", "2022", "12,5", "15,0"], ["141", "2023", "13,0", ""], ["147", "2023", "", ""],
            ["153", "2023", "11,0", "14,5"]]
    files["kennispunt_welzijn_20240601.csv"] = encode(text_file(rows, delimiter="\t"), "utf-8", bom=True)
    # Neither layout.
    rows = [["kengetal", "gebied", "jaar", "waarde"], ["Misdrijven", "GM0141", "2023", "3100"]]
    files["kennispunt_veiligheid_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Long without gebiedcode.
    rows = [["indicator", "gebiednaam", "periode", "waarde", "eenheid"],
            ["Huishoudens met laag inkomen", "Almelo", "2023", "11,2", "%"]]
    files["kennispunt_armoede_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Wide with one indicator column twice (different values): one of them would vanish.
    rows = [["GEOITEM", "PERIOD", "vsv_pct", "startkwalificatie_pct", "vsv_pct"],
            ["141", "2022", "2,1", "81,0", "2,4"], ["141", "2023", "1,9", "82,5", "2,2"]]
    files["kennispunt_onderwijs_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Long with bad values and an empty indicator.
    rows = [LONG_HEADER,
            ["Bezoekers theater", "GM0141", "Almelo", "2022", "61.200", "aantal"],
            ["Bezoekers theater", "GM0141", "Almelo", "2023", "64.800", "aantal"],
            ["Waardering cultuuraanbod", "GM0141", "Almelo", "2023", "7,5%", "rapportcijfer"],
            ["Bezoekers museum", "GM0141", "Almelo", "2023", "n.v.t.", "aantal"],
            ["Bezoekers bibliotheek", "GM0141", "Almelo", "2023", "1E+200000", "aantal"],
            ["", "GM0141", "Almelo", "2023", "12", "aantal"]]
    files["kennispunt_cultuur_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Periods long ago and in the future.
    rows = [LONG_HEADER, ["Inwoners", "GM0141", "Almelo", "1850", "11.000", "aantal"],
            ["Inwoners", "GM0141", "Almelo", "2023", "73.500", "aantal"]]
    files["kennispunt_historie_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    rows = [LONG_HEADER, ["Inwoners prognose", "GM0141", "Almelo", "2023", "73.500", "aantal"],
            ["Inwoners prognose", "GM0141", "Almelo", "2099", "80.000", "aantal"]]
    files["kennispunt_prognose_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A percentage of 250, a rapportcijfer of 0.
    rows = [LONG_HEADER, ["Ervaren gezondheid goed", "GM0141", "Almelo", "2023", "250", "%"],
            ["Rapportcijfer gezondheid", "GM0141", "Almelo", "2023", "0", "rapportcijfer"],
            ["Rookt dagelijks", "GM0141", "Almelo", "2023", "14,0", "%"]]
    files["kennispunt_gezondheid_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # The same value twice.
    rows = [LONG_HEADER, ["Bedrijven", "GM0141", "Almelo", "2023", "5.960", "aantal"],
            ["Bedrijven", "GM0141", "Almelo", "2023", "5.960", "aantal"],
            ["Bedrijven", "GM0141", "Almelo", "2022", "5.830", "aantal"]]
    files["kennispunt_bedrijven_20240601.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A name outside the contract (the date with dashes).
    files["kennispunt_bedrijven_2024-06-01.csv"] = files["kennispunt_bedrijven_20240601.csv"]

    def wide_with_sheets(workbook) -> None:
        sheet = workbook.active
        sheet.title = "Export"
        sheet.append(["GEOITEM", "PERIOD", "banen", "vestigingen"])
        for geo, year, banen, vestigingen in [(141, 2022, 44100, 6080), (141, 2023, 44600, 6150),
                                              (147, 2023, 9600, None)]:
            sheet.append([geo, year, banen, vestigingen])
        meta = workbook.create_sheet("Metadata")
        meta.append(["banen", "werkzame personen, peildatum 1 april"])

    files["kennispunt_economie_20240601.xlsx"] = xlsx_bytes(wide_with_sheets)

    def merged_header(workbook) -> None:
        # Two header rows: GEOITEM and PERIOD merged down over both, a group header merged across two indicators.
        sheet = workbook.active
        sheet.append(["GEOITEM", "PERIOD", "Werkgelegenheid", None])
        sheet.append([None, None, "banen", "vestigingen"])
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:B2")
        sheet.merge_cells("C1:D1")
        for row in [(141, 2022, 44100, 6080), (141, 2023, 44600, 6150)]:
            sheet.append(list(row))

    files["kennispunt_werk_20240601.xlsx"] = xlsx_bytes(merged_header)
    return files


# --- Werkplein --------------------------------------------------------------------------------------------------------

UITKERING_HEADER = ["peildatum", "gemeentecode", "registratienummer", "bsn", "geboortedatum", "geslacht", "postcode",
                    "wijkcode", "statistiekcode", "leefvorm", "aantal_kostendelers", "ingangsdatum", "einddatum",
                    "reden_beeindiging", "ontheffing_arbeidsplicht", "tegenprestatie", "doelgroep",
                    "uitkeringsbedrag"]
VOORZIENING_HEADER = ["peildatum", "gemeentecode", "registratienummer_voorziening", "bsn", "type_voorziening",
                      "begindatum", "einddatum", "reden_einde", "participatieladder", "loonwaarde"]
ACTIVITEIT_HEADER = ["peildatum", "gemeentecode", "bsn", "soort", "uren_per_week"]


def uitkering(i: int, peildatum: str, **changes: str) -> list[str]:
    """A plausible row: person i, benefit i; ``changes`` by column name."""
    row = {
        "peildatum": peildatum, "gemeentecode": "0141", "registratienummer": f"UK0141{i:07d}", "bsn": synthetic_bsn(i),
        "geboortedatum": f"{1 + i % 28:02d}-{1 + i % 12:02d}-{1960 + i % 40}", "geslacht": "MVO"[i % 3],
        "postcode": f"76{i % 10}{i % 7}A{'BCDEFGH'[i % 7]}", "wijkcode": f"WK01411{i % 8}", "statistiekcode": "01",
        "leefvorm": str(1 + i % 3), "aantal_kostendelers": str(i % 3), "ingangsdatum": f"{1 + i % 27:02d}-03-2021",
        "einddatum": "", "reden_beeindiging": "", "ontheffing_arbeidsplicht": "N", "tegenprestatie": "JN"[i % 2],
        "doelgroep": ("participatie", "zorgbehoevend", "werkfit")[i % 3],
        "uitkeringsbedrag": f"{1100 + i * 7},{i % 100:02d}",
    }
    row.update(changes)
    return [row[c] for c in UITKERING_HEADER]


def uitkeringen(peildatum: str, n: int, start: int = 1) -> list[list[str]]:
    return [uitkering(i, peildatum) for i in range(start, start + n)]


def voorziening(i: int, peildatum: str, **changes: str) -> list[str]:
    row = {"peildatum": peildatum, "gemeentecode": "0141", "registratienummer_voorziening": f"RV0141{i:07d}",
           "bsn": synthetic_bsn(100 + i), "type_voorziening": "04", "begindatum": "01-09-2023", "einddatum": "",
           "reden_einde": "", "participatieladder": str(1 + i % 6), "loonwaarde": str(40 + i % 50)}
    row.update(changes)
    return [row[c] for c in VOORZIENING_HEADER]


def activiteit(i: int, peildatum: str, **changes: str) -> list[str]:
    row = {"peildatum": peildatum, "gemeentecode": "0141", "bsn": synthetic_bsn(200 + i),
           "soort": ("tegenprestatie", "vrijwilligerswerk", "mantelzorg")[i % 3], "uren_per_week": f"{4 + i % 12},5"}
    row.update(changes)
    return [row[c] for c in ACTIVITEIT_HEADER]


def werkplein_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    # UTF-8 with BOM, CRLF; an extra free-text column with a separator and a line break in quotes; a BSN written
    # with dots (a separator the contract tolerates).
    rows = [[*UITKERING_HEADER, "opmerking"], *[[*r, ""] for r in uitkeringen("31-01-2024", 4)]]
    rows[1][-1] = "zie brief; bel terug"
    rows[2][-1] = "eerste regel\r\ntweede regel"
    bsn = synthetic_bsn(3)
    rows[3][3] = f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}"
    files["werkplein_uitkeringen_0141_202401.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Windows-1252, with extra columns holding a name and an address: never stored, only their headers are noted.
    rows = [[*UITKERING_HEADER, "naam", "adres"],
            *[[*r, f"Testpersoon Één {i}", f"Teststraat {i}"] for i, r in enumerate(uitkeringen("29-02-2024", 4), 1)]]
    files["werkplein_uitkeringen_0141_202402.csv"] = encode(text_file(rows), "cp1252")
    # Invalid BSNs: elfproef, ten digits, letters, empty.
    rows = [UITKERING_HEADER, *uitkeringen("31-03-2024", 2),
            uitkering(3, "31-03-2024", bsn=invalid_bsn(3)), uitkering(4, "31-03-2024", bsn=synthetic_bsn(4) + "0"),
            uitkering(5, "31-03-2024", bsn="9ABCDEFGH"), uitkering(6, "31-03-2024", bsn="")]
    files["werkplein_uitkeringen_0141_202403.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # The bsn column under another name.
    rows = [["burgerservicenummer" if h == "bsn" else h for h in UITKERING_HEADER], *uitkeringen("30-04-2024", 3)]
    files["werkplein_uitkeringen_0141_202404.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Dates in other formats: three the reader takes, four it cannot know.
    dates = ["2024-05-31", "31/05/2024", "31.05.2024", "5/31/2024", "31 mei 2024", "45443", "31-05-24"]
    rows = [UITKERING_HEADER, *[uitkering(i, d) for i, d in enumerate(dates, 1)]]
    files["werkplein_uitkeringen_0141_202405.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A peildatum years ahead.
    rows = [UITKERING_HEADER, *uitkeringen("31-01-2099", 3)]
    files["werkplein_uitkeringen_0141_209901.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A birth date in 1850.
    rows = [UITKERING_HEADER, *uitkeringen("30-06-2024", 2), uitkering(3, "30-06-2024", geboortedatum="01-01-1850")]
    files["werkplein_uitkeringen_0141_202406.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # June's export under July's name: June would be counted twice.
    rows = [UITKERING_HEADER, *uitkeringen("30-06-2024", 3)]
    files["werkplein_uitkeringen_0141_202407.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A gemeentecode that is no gemeente.
    rows = [UITKERING_HEADER, *[uitkering(i, "31-07-2024", gemeentecode="9999") for i in range(1, 4)]]
    files["werkplein_uitkeringen_9999_202407.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A negative amount (a correction) and a huge one.
    rows = [UITKERING_HEADER, *uitkeringen("31-08-2024", 2), uitkering(3, "31-08-2024", uitkeringsbedrag="-125,00"),
            uitkering(4, "31-08-2024", uitkeringsbedrag="12.345.678,90")]
    files["werkplein_uitkeringen_0141_202408.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # The same benefit twice.
    rows = [UITKERING_HEADER, *uitkeringen("30-09-2024", 3), uitkering(2, "30-09-2024")]
    files["werkplein_uitkeringen_0141_202409.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Numbers beyond the integer columns, an end before the start.
    rows = [UITKERING_HEADER, *uitkeringen("31-10-2024", 2),
            uitkering(3, "31-10-2024", aantal_kostendelers="99999999999"),
            uitkering(4, "31-10-2024", einddatum="01-01-2020", reden_beeindiging="11")]
    files["werkplein_uitkeringen_0141_202410.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # No header row: row 1 is a person's row.
    files["werkplein_uitkeringen_0141_202411.csv"] = encode(text_file(uitkeringen("30-11-2024", 3)), "utf-8", bom=True)
    # Every row bad.
    rows = [UITKERING_HEADER, *[uitkering(i, "31-12-2024", bsn=invalid_bsn(i)) for i in range(1, 4)]]
    files["werkplein_uitkeringen_0141_202412.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # A name outside the contract (gemeentecode of three digits).
    files["werkplein_uitkeringen_141_202401.csv"] = encode(
        text_file([UITKERING_HEADER, *uitkeringen("31-01-2024", 2)]), "utf-8", bom=True)
    # A CSV with an .xlsx name, and an XLSX cut short.
    files["werkplein_uitkeringen_0141_202501.xlsx"] = encode(
        text_file([UITKERING_HEADER, *uitkeringen("31-01-2025", 2)]), "utf-8", bom=True)

    def spreadsheet(workbook) -> None:
        # What a spreadsheet export holds: BSN and gemeentecode as numbers, dates as date cells; two more sheets.
        sheet = workbook.active
        sheet.title = "Uitkeringen"
        sheet.append(UITKERING_HEADER)
        for i in range(1, 5):
            row: list[object] = uitkering(i, "28-02-2025")
            row[0] = date(2025, 2, 28)
            row[1] = 141
            row[3] = int(row[3])
            row[4] = datetime(1960 + i % 40, 1 + i % 12, 1 + i % 28)
            row[11] = date(2021, 3, 1 + i % 27)
            row[17] = float(str(row[17]).replace(",", "."))
            sheet.append(row)
        workbook.create_sheet("Toelichting").append(["Export Werkplein", "februari 2025"])
        workbook.create_sheet("Draaitabel").append(["statistiekcode", "aantal"])

    files["werkplein_uitkeringen_0141_202502.xlsx"] = xlsx_bytes(spreadsheet)
    files["werkplein_uitkeringen_0141_202503.xlsx"] = files["werkplein_uitkeringen_0141_202502.xlsx"][:900]

    def grouped_header(workbook) -> None:
        # Group headers merged above the real ones.
        sheet = workbook.active
        sheet.append(["Dossier", None, None, "Persoon", None, None, None, None, "Uitkering"])
        sheet.merge_cells("A1:C1")
        sheet.merge_cells("D1:H1")
        sheet.merge_cells("I1:R1")
        sheet.append(UITKERING_HEADER)
        for row in uitkeringen("30-04-2025", 3):
            sheet.append(row)

    files["werkplein_uitkeringen_0141_202504.xlsx"] = xlsx_bytes(grouped_header)
    # Voorzieningen: a participatieladder beyond smallint, a loonwaarde with a percent sign, a valid row on each side.
    rows = [VOORZIENING_HEADER, voorziening(1, "31-01-2024"), voorziening(2, "31-01-2024", participatieladder="70000"),
            voorziening(3, "31-01-2024", loonwaarde="85%"), voorziening(4, "31-01-2024")]
    files["werkplein_voorzieningen_0141_202401.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Voorzieningen with an unknown type and a participatieladder of 7 (a number, outside the ladder).
    rows = [VOORZIENING_HEADER, voorziening(1, "29-02-2024"), voorziening(2, "29-02-2024", participatieladder="7"),
            voorziening(3, "29-02-2024", type_voorziening="02")]
    files["werkplein_voorzieningen_0141_202402.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Voorzieningen of another gemeente (0153) under Almelo's name.
    rows = [VOORZIENING_HEADER, *[voorziening(i, "31-03-2024", gemeentecode="0153") for i in range(1, 4)]]
    files["werkplein_voorzieningen_0141_202403.csv"] = encode(text_file(rows), "utf-8", bom=True)
    # Activiteiten, Windows-1252: a soort with a capital, hours as words.
    rows = [ACTIVITEIT_HEADER, *[activiteit(i, "31-01-2024") for i in range(1, 4)],
            activiteit(4, "31-01-2024", soort="Mantelzorg"), activiteit(5, "31-01-2024", uren_per_week="veel")]
    files["werkplein_activiteiten_0141_202401.csv"] = encode(text_file(rows), "cp1252")
    # A row shifted by an unquoted separator inside the registratienummer, and one with a cell missing: a BSN, a birth
    # date and a postcode land under columns that are not personal; the quarantine keeps only the row numbers.
    shifted = uitkering(2, "31-08-2024")
    shifted[2] = shifted[2][:6] + ";" + shifted[2][6:]
    short = uitkering(3, "31-08-2024")
    del short[2]
    lines = [";".join(r) for r in (UITKERING_HEADER, uitkering(1, "31-08-2024"), shifted, short,
                                   uitkering(4, "31-08-2024"))]
    files["werkplein_uitkeringen_0141_202408_verschoven.csv"] = encode("\r\n".join(lines) + "\r\n", "utf-8")
    return files


# --- handmatig --------------------------------------------------------------------------------------------------------

HANDMATIG_HEADER = ["indicator_code", "gemeentecode", "periode", "waarde", "bron", "toelichting"]


def handmatig_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    rows = [HANDMATIG_HEADER,
            ["duur_duurzame_energie_pct", "GM0141", "2022", "9,4", "Klimaatmonitor", ""],
            ["duur_duurzame_energie_pct", "141", "2021", "7,9", "Klimaatmonitor", "gemeentenummer zonder GM"],
            ["onbekende_indicator", "GM0141", "2022", "1", "Eigen registratie", ""],
            ["duur_duurzame_energie_pct", "Almelo", "2022", "9,4", "Klimaatmonitor", ""],
            ["duur_duurzame_energie_pct", "GM0141", "2099", "20,0", "Klimaatmonitor", ""],
            ["duur_duurzame_energie_pct", "GM0141", "2020", "-3,0", "Klimaatmonitor", ""]]
    files["handmatig_klimaat_20240701.csv"] = encode(text_file(rows), "utf-8")
    # Separators only: no header, no rows.
    files["handmatig_leeg_20240701.csv"] = encode(";;;;;\r\n;;;;;\r\n", "utf-8")

    def with_dates(workbook) -> None:
        sheet = workbook.active
        sheet.append(HANDMATIG_HEADER)
        sheet.append(["duur_elektrische_autos", "GM0141", datetime(2022, 12, 31), 1187, "Klimaatmonitor", None])
        sheet.append(["duur_elektrische_autos", "GM0141", datetime(2021, 12, 31), 884, "Klimaatmonitor", None])
        workbook.create_sheet("Uitleg").append(["Vul per indicator één waarde per periode in."])

    files["handmatig_autos_20240701.xlsx"] = xlsx_bytes(with_dates)

    def as_shown(workbook) -> None:
        # A percentage cell shown as 7,9% (read as 7.9), and a formula openpyxl saves without a computed value.
        sheet = workbook.active
        sheet.append(HANDMATIG_HEADER)
        sheet.append(["duur_duurzame_energie_pct", "GM0141", 2022, 0.079, "Klimaatmonitor", None])
        sheet["D2"].number_format = "0.0%"
        sheet.append(["duur_elektrische_autos", "GM0141", 2022, "=600+587", "Klimaatmonitor", None])

    files["handmatig_klimaatexcel_20240801.xlsx"] = xlsx_bytes(as_shown)
    # BSNs where none is declared: in toelichting (dotted), in an extra column (spaced), as a waarde.
    bsn = synthetic_bsn(40)
    rows = [[*HANDMATIG_HEADER, "dossier"],
            ["duur_duurzame_energie_pct", "GM0141", "2022", "9,4", "Klimaatmonitor",
             f"excl. casus BSN {bsn[:4]}.{bsn[4:6]}.{bsn[6:]}", ""],
            ["duur_duurzame_energie_pct", "GM0141", "2021", "7,9", "Klimaatmonitor", "",
             f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}"],
            ["duur_elektrische_autos", "GM0141", "2022", synthetic_bsn(41), "Eigen registratie", "", ""]]
    files["handmatig_privacy_20240801.csv"] = encode(text_file(rows), "utf-8")
    return files


def corpus_files() -> dict[str, bytes]:
    """Every committed corpus file: '<source>/<name>' -> bytes."""
    files: dict[str, bytes] = {}
    for source, make in (("uwv", uwv_files), ("kennispunt", kennispunt_files), ("werkplein", werkplein_files),
                         ("handmatig", handmatig_files)):
        files.update({f"{source}/{name}": data for name, data in make().items()})
    return files


# --- generated at test time -----------------------------------------------------------------------------------------


def oversized_csv(path: Path, size: int) -> int:
    """A well-formed Werkplein CSV of at least ``size`` bytes; returns its number of data rows."""
    rows = 0
    with path.open("wb") as f:
        f.write(encode(text_file([UITKERING_HEADER]), "utf-8", bom=True))
        written = f.tell()
        while written < size:
            rows += 1
            line = encode(text_file([uitkering(rows, "31-05-2025")]), "utf-8")
            f.write(line)
            written += len(line)
    return rows


def zip_bomb_xlsx(path: Path, uncompressed: int = 64 << 20) -> int:
    """A valid workbook whose first sheet holds three rows and ``uncompressed`` bytes of blank space between them:
    a few hundred KB on disk. Returns its number of data rows."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UITKERING_HEADER)
    for row in uitkeringen("31-05-2025", 3):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                packed = zipfile.ZipInfo(info.filename, ZIP_TIME)
                packed.compress_type = zipfile.ZIP_DEFLATED
                with target.open(packed, "w") as member:
                    head, tail = data.split(b"<sheetData>", 1)
                    member.write(head + b"<sheetData>")
                    block = b" " * (1 << 20)
                    for _ in range(uncompressed >> 20):
                        member.write(block)
                    member.write(tail)
                continue
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return 3


def long_field_csv(path: Path, length: int = 200_000) -> int:
    """A small UWV CSV with one field of ``length`` characters (beyond the CSV reader's field limit)."""
    rows = [[*UWV_HEADER, "Toelichting"], *[[*r, ""] for r in uwv_rows("2024 Q2")]]
    rows[2][-1] = "lang " * (length // 5)
    path.write_bytes(encode(text_file(rows), "utf-8", bom=True))
    return len(rows) - 1


GENERATED: dict[str, Callable[[Path], int]] = {
    "oversized": lambda path: oversized_csv(path, 2 << 20),
    "zip_bomb": zip_bomb_xlsx,
    "long_field": long_field_csv,
}


def main(argv: Sequence[str] = ()) -> None:
    target = Path(argv[0]) if argv else CORPUS
    files = corpus_files()
    for relative, data in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    stale = [p for s in SOURCES for p in (target / s).glob("*") if f"{s}/{p.name}" not in files]
    for path in stale:
        path.unlink()
    print(f"{len(files)} corpus files written to {target}" + (f", {len(stale)} stale removed" if stale else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
