"""Reading dropped files: dialect detection, header matching, typing and pseudonymisation (no database)."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ingestion.files.reader import (
    _NO_VALUE_RE,
    UNCOMPUTED_FORMULA,
    Column,
    FileRejected,
    RowTyper,
    ShownPercent,
    UncomputedFormula,
    detect_decimal,
    detect_encoding,
    normalise_header,
    open_file,
    parse_date,
    parse_decimal,
    percent_signs,
    sniff_delimiter,
)
from ingestion.privacy.pseudonym import Pseudonymiser, PseudonymKeyMissing, mask, postcode4, resolve_key

KEY = b"test-key-0123456789abcdef"


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8-sig", ("utf-8-sig", True)), ("utf-8", ("utf-8", False)), ("cp1252", ("cp1252", False)),
     ("utf-16", ("utf-16", True))],
)
def test_encoding_is_detected(tmp_path: Path, encoding: str, expected: tuple[str, bool]) -> None:
    path = _write(tmp_path / "f.csv", "naam;waarde\r\nAlmeloërs;één\r\n", encoding)
    assert detect_encoding(path) == expected
    opened = open_file(path)
    assert [cells for _, cells in opened.rows] == [["Almeloërs", "één"]]


@pytest.mark.parametrize(("line", "delimiter"), [("a;b;c", ";"), ("a,b,c", ","), ("a\tb", "\t"), ("a|b", "|"),
                                                 ("alleen", ";")])
def test_delimiter_is_sniffed_from_the_header(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("header", "key"),
    [("Beroeps klasse", "beroepsklasse"), ("BEROEPS_KLASSE", "beroepsklasse"), ("Beröepsklasse", "beroepsklasse"),
     (" peildatum ", "peildatum"), ("Registratienummer-Voorziening", "registratienummervoorziening")],
)
def test_headers_match_whatever_case_spacing_and_accents(header: str, key: str) -> None:
    assert normalise_header(header) == key


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [("1,12", ",", "1.12"), ("1.234,5", ",", "1234.5"), ("-3", ",", "-3"), ("1.5", ".", "1.5"),
     ("1,234.5", ".", "1234.5"), ("12", ".", "12")],
)
def test_decimals_in_either_convention(text: str, decimal: str, value: str) -> None:
    assert parse_decimal(text, decimal) == Decimal(value)


@pytest.mark.parametrize(("text", "decimal"), [("1.5", ","), ("1,5", "."), ("veel", ","), ("NaN", "."), ("", ",")])
def test_what_is_not_a_number_in_the_files_convention_is_refused(text: str, decimal: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_decimal(text, decimal)


@pytest.mark.parametrize(
    ("text", "value"),
    [("31-01-2024", date(2024, 1, 31)), ("1-2-2024", date(2024, 2, 1)), ("31/01/2024", date(2024, 1, 31)),
     ("2024-01-31", date(2024, 1, 31)), ("2024-01-31 00:00:00", date(2024, 1, 31))],
)
def test_dates_dutch_and_iso(text: str, value: date) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize("text", ["31-02-2024", "01-13-2024", "januari 2024", "20240131"])
def test_non_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_decimal_mark_is_detected_from_values_else_from_the_delimiter(tmp_path: Path) -> None:
    comma = open_file(_write(tmp_path / "a.csv", "x;y\n1;2,5\n2;3\n", "utf-8"))
    assert detect_decimal(comma, [1])[0] == ","
    point = open_file(_write(tmp_path / "b.csv", "x;y\n1;2.5\n", "utf-8"))
    decimal, rows = detect_decimal(point, [1])
    assert decimal == "." and [c for _, c in rows] == [["1", "2.5"]]  # the rows read ahead are not lost
    undecided = open_file(_write(tmp_path / "c.csv", "x,y\n1,1.234\n", "utf-8"))
    assert detect_decimal(undecided, [1])[0] == "."


def test_rows_are_numbered_like_a_spreadsheet_and_blank_lines_skipped(tmp_path: Path) -> None:
    opened = open_file(_write(tmp_path / "f.csv", "a;b\r\n1;2\r\n\r\n3;4\r\n", "utf-8"))
    assert list(opened.rows) == [(2, ["1", "2"]), (4, ["3", "4"])]


def test_empty_and_headerless_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="empty"):
        open_file(_write(tmp_path / "leeg.csv", "", "utf-8"))
    with pytest.raises(FileRejected, match="no header"):
        open_file(_write(tmp_path / "witruimte.csv", "\r\n\r\n", "utf-8"))
    with pytest.raises(FileRejected, match="unsupported"):
        open_file(_write(tmp_path / "f.pdf", "x", "utf-8"))
    with pytest.raises(FileRejected, match="XLSX"):
        open_file(_write(tmp_path / "kapot.xlsx", "no zip", "utf-8"))


def test_xlsx_first_sheet_typed_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Peildatum", "BSN", "Bedrag"])
    sheet.append([date(2024, 1, 31), 111222333, 1830.5])
    sheet.append([None, None, None])  # a formatted but empty row
    workbook.create_sheet("toelichting").append(["ignored"])
    workbook.save(tmp_path / "f.xlsx")
    opened = open_file(tmp_path / "f.xlsx")
    assert opened.header == ["Peildatum", "BSN", "Bedrag"]
    typer = RowTyper("f.xlsx", [Column("peildatum", "date"), Column("bsn", "bsn", personal=True),
                                Column("bedrag", "decimal")], opened.header, pseudonymiser=Pseudonymiser(KEY))
    rows = list(opened.rows)
    assert len(rows) == 1
    values, problems = typer.type_row(*rows[0])
    assert problems == [] and values[0] == date(2024, 1, 31) and values[2] == Decimal("1830.5")
    assert values[1] == Pseudonymiser(KEY).bsn("111222333")


def _with_sheet_xml(path: Path, edit: dict[str, str]) -> Path:
    """The workbook at ``path`` with its first sheet's XML edited (what Excel writes, openpyxl cannot)."""
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for old, replacement in edit.items():
                    assert old in text, old
                    text = text.replace(old, replacement)
                data = text.encode()
            target.writestr(info, data)
    return path


def test_xlsx_formula_without_a_computed_value_is_a_problem_never_a_null(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()  # openpyxl writes formulas without computing them, as some exporters do
    sheet = workbook.active
    sheet.append(["Naam", "Bedrag", "Tekst", "Bsn"])
    sheet.append(["a", 10, "x", 111222333])
    sheet.append(["b", "=B2*2", '=IF(B2>5,"","y")', "=D2"])
    sheet.append(["c", "=B2*3", "=C3", 111222333])
    sheet["B4"] = "=B3+1"
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    # Excel's save: B4 computed (31), C3 a text formula computed to the empty string; B3 and B4 a shared formula
    _with_sheet_xml(path, {'<c r="B4"><f>B3+1</f><v /></c>': '<c r="B4"><f>B3+1</f><v>31</v></c>',
                           '<c r="C3"><f>IF(B2&gt;5,"","y")</f><v /></c>':
                           '<c r="C3" t="str"><f>IF(B2&gt;5,"","y")</f><v></v></c>',
                           '<c r="B3"><f>B2*2</f><v /></c>': '<c r="B3"><f t="shared" ref="B3:C4" si="0">B2*2</f></c>',
                           '<c r="C4"><f>C3</f><v /></c>': '<c r="C4"><f t="shared" si="0"/></c>'})
    opened = open_file(path)
    rows = dict(opened.rows)
    assert rows[3][1] == UncomputedFormula("=B2*2") and isinstance(rows[3][1], UncomputedFormula)
    assert rows[3][2] is None  # a computed empty string: a value, not a missing one
    assert rows[4][1:3] == [31, "=C3*2"] and isinstance(rows[4][2], UncomputedFormula)  # the shared formula's C4
    typer = RowTyper("f.xlsx", [Column("naam"), Column("bedrag", "decimal"), Column("tekst"),
                                Column("bsn", "bsn", personal=True)], opened.header, pseudonymiser=Pseudonymiser(KEY))
    values, problems = typer.type_row(3, rows[3])
    assert values == ["b", None, None, None]
    assert [(p.row, p.column, p.value, p.reason) for p in problems] == [
        (3, "bedrag", "=B2*2", UNCOMPUTED_FORMULA), (3, "bsn", mask("=D2"), UNCOMPUTED_FORMULA)]
    assert "f.xlsx, row 3, column bedrag: a formula without a computed value" in problems[0].describe("f.xlsx")
    assert typer.type_row(2, rows[2])[1] == []


def test_xlsx_percent_cells_read_as_the_percentage_shown(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Aandeel", "Bedrag"])
    for share, number_format in ((0.079, "0.0%"), (0.45, "0%"), (1, "0.00%"), (0.123456789, "0.0%")):
        sheet.append([share, 0.079])
        sheet.cell(sheet.max_row, 1).number_format = number_format
    workbook.save(tmp_path / "f.xlsx")
    opened = open_file(tmp_path / "f.xlsx")
    typer = RowTyper("f.xlsx", [Column("aandeel", "decimal"), Column("bedrag", "decimal")], opened.header)
    typed = [typer.type_row(*row)[0] for row in opened.rows]
    assert typed == [[Decimal("7.9"), Decimal("0.079")], [Decimal("45.0"), Decimal("0.079")],
                     [Decimal("100.0"), Decimal("0.079")], [Decimal("12.3456789"), Decimal("0.079")]]
    assert isinstance(next(open_file(tmp_path / "f.xlsx").rows)[1][0], ShownPercent)


@pytest.mark.parametrize(
    ("xml", "uncomputed"),
    [(b'<c r="B3"><f>B2*2</f><v /></c>', True), (b"<c><f>B2*2</f></c>", True),
     (b'<x:c r="C4"><x:f t="shared" si="0"/></x:c>', True), (b'<c t="str"><f>A1</f><v></v></c>', True),
     (b"<c><f>B2*2</f><v>20</v></c>", False), (b'<c r="A1" s="1"><v>1</v></c>', False)],
)
def test_the_byte_scan_finds_every_formula_without_a_value(xml: bytes, uncomputed: bool) -> None:
    """The gate before the sheet is parsed a second time: a miss would be a silent NULL, a false hit costs time."""
    assert bool(_NO_VALUE_RE.search(xml)) is uncomputed


@pytest.mark.parametrize(
    ("number_format", "signs"),
    [("0.0%", 1), ("0%", 1), ("0.00%;[Red]-0.00%", 1), ("#,##0.0%", 1), ("0%%", 2), ('0"%"', 0), ("0\\%", 0),
     ("0_%", 0), ("[$%-409]0", 0), ("General", 0), ("#,##0.00", 0), ("dd-mm-yyyy", 0)],
)
def test_percent_signs_of_a_number_format(number_format: str, signs: int) -> None:
    assert percent_signs(number_format) == signs


def test_missing_required_column_names_file_row_and_column() -> None:
    with pytest.raises(FileRejected) as rejected:
        RowTyper("werkplein_x.csv", [Column("peildatum"), Column("bsn", "bsn")], ["Peildatum", "naam"],
                 pseudonymiser=Pseudonymiser(KEY))
    assert rejected.value.column == "bsn" and rejected.value.row == 1
    assert "werkplein_x.csv" in str(rejected.value) and "bsn" in str(rejected.value)


def test_bad_cells_become_problems_with_masked_personal_values() -> None:
    typer = RowTyper("f.csv", [Column("bsn", "bsn", personal=True), Column("bedrag", "decimal"),
                               Column("code", "code", width=2, values=frozenset({"01", "02"}))],
                     ["bsn", "bedrag", "code"], pseudonymiser=Pseudonymiser(KEY))
    values, problems = typer.type_row(7, ["123456789", "veel", "2"])
    assert values == [None, None, "02"]  # '2' is zero-padded to the code's width, as spreadsheets drop it
    assert [(p.row, p.column) for p in problems] == [(7, "bsn"), (7, "bedrag")]
    assert "123456789" not in problems[0].value and "elfproef" in problems[0].reason
    assert problems[1].value == "veel"


def test_pseudonyms_are_keyed_stable_letters_only() -> None:
    one, other = Pseudonymiser(KEY), Pseudonymiser(b"another-key-0123456789")
    assert one.bsn("111222333") == one.bsn(" 111.222.333 ") == Pseudonymiser(KEY).bsn("111222333")
    assert one.bsn("111222333") != other.bsn("111222333")
    assert one.bsn("012345672") == one.bsn("12345672")  # the leading zero a spreadsheet dropped
    pseudonym = one.bsn("111222333")
    assert pseudonym is not None and len(pseudonym) == 32 and pseudonym.isalpha()
    assert one.bsn("123456789") is None


def test_reduction_of_postcode_and_masking() -> None:
    assert postcode4("7607 AB") == postcode4("7607ab") == postcode4("7607") == "7607"
    assert postcode4("0123AB") is None and postcode4("straat 1") is None
    assert mask("111222333") == "<9 characters, 9 digits>"


def test_no_key_outside_demo_mode_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PseudonymKeyMissing, match="PSEUDONYM_KEY"):
        resolve_key(None, "live")
    with pytest.raises(PseudonymKeyMissing, match="at least"):
        resolve_key("short", "live")
    assert resolve_key("a-long-enough-secret-key", "live") == b"a-long-enough-secret-key"
    assert resolve_key(None, "recorded")  # demo mode: the demo key, with a warning



@pytest.mark.parametrize("text", ["1E+200000", "1E-200000", "1E+9999999", "9" * 1001, "1_000", "Infinity", "12,5%"])
def test_numbers_the_warehouse_cannot_store_are_refused_not_copied(text: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_decimal(text, ",")


def test_thousands_like_values_do_not_decide_the_decimal_mark(tmp_path: Path) -> None:
    opened = open_file(_write(tmp_path / "d.csv", "x;y\n1;1.245\n2;1.310\n3;7,4\n", "utf-8"))
    decimal, rows = detect_decimal(opened, [1])
    assert decimal == ","  # '1.245' could be either; '7,4' cannot
    assert [parse_decimal(c[1], decimal) for _, c in rows] == [Decimal("1245"), Decimal("1310"), Decimal("7.4")]


def test_what_would_lose_data_silently_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="appears 2 times"):
        RowTyper("f.csv", [Column("periode")], ["periode", "waarde", "Periode"])
    typer = RowTyper("f.csv", [Column("a"), Column("b")], ["a", "b"])
    assert typer.type_row(2, ["1", "2", "", " "])[1] == []  # empty cells beyond the header: nothing lost
    [problem] = typer.type_row(3, ["1", "2", "3"])[1]
    assert (problem.row, problem.column) == (3, None) and "3 cells, but the header has 2" in problem.reason
    [too_big] = RowTyper("f.csv", [Column("n", "int")], ["n"]).type_row(2, ["70000"])[1]
    assert "beyond 32,767" in too_big.reason
    unclosed = open_file(_write(tmp_path / "q.csv", 'a;b\n1;"2\n3;4\n', "utf-8"))
    with pytest.raises(FileRejected, match="unexpected end of data"):
        list(unclosed.rows)
    with pytest.raises(FileRejected, match="NUL character on line 1"):
        open_file(_write(tmp_path / "u.csv", "a;b\r\n1;2\r\n", "utf-16-le"))


def test_files_over_the_limit_and_zip_bombs_are_refused_unread(tmp_path: Path) -> None:
    big = _write(tmp_path / "groot.csv", "a;b\n" + "1;2\n" * 1000, "utf-8")
    with pytest.raises(FileRejected, match="more than the limit of 1,000"):
        open_file(big, max_bytes=1000)
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))
    with pytest.raises(FileRejected, match="more than 100:1"):
        open_file(bomb)
    with pytest.raises(FileRejected, match="unpacked, the workbook would be"):
        open_file(bomb, max_bytes=1 << 20)


# --- the XLSX reader (python-calamine for the values, the sheet's XML for what calamine cannot give) ---------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(path: Path, sheet_data: str, *, num_fmts: str = "", xfs: str = '<xf numFmtId="0"/>',
              shared: tuple[str, ...] = ()) -> Path:
    """A workbook written part by part, as Excel writes it (shared strings, styles by index, references or not)."""
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
        '<sheet name="Gegevens" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{_MAIN}"><numFmts>{num_fmts}</numFmts><cellXfs>{xfs}</cellXfs>'
        '<dxfs><dxf><numFmt numFmtId="3" formatCode="0%"/></dxf></dxfs></styleSheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}">{strings}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


# styles: 0 General, 1 custom 0.0% (id 3 redefined), 2 built-in 9 (0%), 3 built-in 10 (0.00%), 4 a date, 5 0.00
_XFS = ('<xf numFmtId="0"/><xf numFmtId="3"/><xf numFmtId="9"/><xf numFmtId="10"/><xf numFmtId="14"/>'
        '<xf numFmtId="2"/>')


@pytest.mark.parametrize("references", [True, False])
def test_xlsx_percent_styles_custom_and_built_in_shared_and_inline_strings(tmp_path: Path, references: bool) -> None:
    def row(number: int, cells: str) -> str:
        return f'<row r="{number}">{cells}</row>' if references else f"<row>{cells}</row>"

    def ref(reference: str) -> str:
        return f' r="{reference}"' if references else ""

    sheet = (row(1, f'<c{ref("A1")} t="s"><v>0</v></c><c{ref("B1")} t="inlineStr"><is><t>Bedrag</t></is></c>'
                    f'<c{ref("C1")} t="s"><v>1</v></c><c{ref("D1")} t="s"><v>2</v></c>')
             + row(2, f'<c{ref("A2")} s="1"><v>0.079</v></c><c{ref("B2")} s="5"><v>0.079</v></c>'
                      f'<c{ref("C2")} s="2"><v>0.45</v></c><c{ref("D2")} s="4"><v>45322</v></c>')
             + row(3, f'<c{ref("A3")} s="3"><v>1</v></c><c{ref("B3")} s="0"><v>3</v></c>'
                      f'<c{ref("C3")} s="2" t="s"><v>3</v></c><c{ref("D3")} s="2" t="b"><v>1</v></c>'))
    path = _workbook(tmp_path / "f.xlsx", sheet, num_fmts='<numFmt numFmtId="3" formatCode="0.0%"/>', xfs=_XFS,
                     shared=("Aandeel", "Deel", "Datum", "geen getal"))
    opened = open_file(path)
    assert opened.header == ["Aandeel", "Bedrag", "Deel", "Datum"] and opened.dialect.sheet == "Gegevens"
    rows = dict(opened.rows)
    assert rows[2] == [7.9, 0.079, 45.0, datetime(2024, 1, 31)]
    assert [type(v) for v in rows[2]] == [ShownPercent, float, ShownPercent, datetime]
    assert rows[3] == [100.0, 3, "geen getal", True] and type(rows[3][1]) is int and rows[3][3] is True


def test_xlsx_percent_style_tables(tmp_path: Path) -> None:
    from ingestion.files.reader import _percent_styles

    path = _workbook(tmp_path / "f.xlsx", "", num_fmts='<numFmt numFmtId="3" formatCode="0.0%"/>'
                     '<numFmt numFmtId="170" formatCode="0%%"/><numFmt numFmtId="171" formatCode="0&quot;%&quot;"/>',
                     xfs=_XFS + '<xf numFmtId="170"/><xf numFmtId="171"/>')
    with zipfile.ZipFile(path) as archive:
        # the dxf's numFmt (conditional formatting) is not a cell style; a quoted % multiplies nothing
        assert _percent_styles(archive, "xl/styles.xml") == {1: 1, 2: 1, 3: 1, 6: 2}
        assert _percent_styles(archive, None) == {}


def test_xlsx_rows_and_columns_are_numbered_as_in_the_sheet(tmp_path: Path) -> None:
    """Empty rows above the header, empty columns before it, an empty row among the data: numbered as Excel shows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"] = "Naam", "Aantal"
    sheet["C4"], sheet["D4"] = "a", 1
    sheet["C6"], sheet["E6"] = "b", "voorbij de kop"
    sheet["C7"] = 2.5
    workbook.save(tmp_path / "f.xlsx")
    opened = open_file(tmp_path / "f.xlsx")
    assert opened.header == ["", "", "Naam", "Aantal"]
    assert list(opened.rows) == [(4, [None, None, "a", 1, None]), (6, [None, None, "b", None, "voorbij de kop"]),
                                 (7, [None, None, 2.5, None, None])]


def test_xlsx_error_cells_arrive_as_their_error_never_as_empty(tmp_path: Path) -> None:
    """calamine reads #DIV/0! as an empty cell: a silent NULL. The reader gives the error, as openpyxl did."""
    sheet = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Bedrag</t></is></c></row>'
             '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
             "<row r='3'><c r='A3' t='e'><v>#N/A</v></c></row>"
             '<row r="4"><c r="A4"><v>5</v></c></row>')
    opened = open_file(_workbook(tmp_path / "f.xlsx", sheet))
    rows = list(opened.rows)
    assert rows == [(2, ["#DIV/0!"]), (3, ["#N/A"]), (4, [5])]
    typer = RowTyper("f.xlsx", [Column("bedrag", "decimal")], opened.header)
    assert [p.reason for p in typer.type_row(*rows[0])[1]] == ["not a number"]


def test_xlsx_the_first_worksheet_is_read_a_chart_sheet_before_it_does_not_count(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "data"
    workbook.active.append(["Naam"])
    workbook.active.append(["a"])
    workbook.create_chartsheet("grafiek", 0)
    workbook.create_sheet("toelichting").append(["niet deze"])
    workbook.save(tmp_path / "f.xlsx")
    opened = open_file(tmp_path / "f.xlsx")
    assert (opened.dialect.sheet, opened.header, list(opened.rows)) == ("data", ["Naam"], [(2, ["a"])])


@pytest.mark.parametrize(
    ("sheet", "reason"),
    [('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', "not a readable XLSX workbook (CalamineError"),
     ("", "the first sheet ('Gegevens') is empty: no header row")],
)
def test_a_broken_workbook_is_rejected_with_a_reason(tmp_path: Path, sheet: str, reason: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        open_file(_workbook(tmp_path / "f.xlsx", sheet, shared=("Naam",)))
    assert rejected.value.reason.startswith(reason), rejected.value.reason


@pytest.mark.parametrize("cut", [None, 60])
def test_a_workbook_without_its_sheet_or_with_the_sheet_cut_off_is_rejected(tmp_path: Path, cut: int | None) -> None:
    """A sheet's XML cut off (and zipped again): calamine would read the rows up to the cut, a silent loss."""
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 10))
    path = _workbook(tmp_path / "f.xlsx", rows)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml" and cut is not None:
                target.writestr(name, data[:-cut])
            elif name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
    with pytest.raises(FileRejected, match="not a readable XLSX workbook") as rejected:
        open_file(path)
    assert cut is None or "cut off" in rejected.value.reason
