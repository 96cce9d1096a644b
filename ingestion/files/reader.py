"""Reading dropped files in whatever dialect the exporting system produced, and typing their cells.

No database here: this module turns a CSV or XLSX file into typed rows plus a list of problems, each naming the
file, row, column and (masked, for personal columns) value. ``ingestion.files.drop`` puts the rows in the warehouse.

Detected per file (and stored with the batch): encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
Windows-1252), delimiter (``;`` ``,`` tab ``|`` from the header line), decimal mark (from the values, else
``;`` files use a decimal comma and ``,`` files a point). Dates are read per value: ``dd-mm-jjjj`` (also with
``/`` or ``.``), ISO ``jjjj-mm-dd``, or a date cell. Headers match by name whatever their case, spacing,
underscores or accents. Row numbers are the spreadsheet's: the header is row 1.

An XLSX is read as the person saw it: a percent-formatted number as the percentage shown (7,9% is 7.9, a
``ShownPercent``: every contract writes percentages whole, 45 not 0,45), and a formula without a computed value as an
``UncomputedFormula`` that RowTyper quarantines, an error cell as its error (#DIV/0!). The values come from
python-calamine (a Rust reader); number formats, formulas and errors, which it does not give, from the sheet's XML,
read only when the workbook has them (a percent style, a formula without its value, an error cell).

Refused unread: a file over the size limit, an XLSX that would unpack beyond it or at a zip bomb's ratio. Rejected
with the line: a CSV that is not CSV (an unbalanced quote, a NUL character, a field over the reader's limit).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

from ingestion.privacy.pseudonym import Pseudonymiser, mask, postcode4
from ingestion.privacy.screen import could_be_bsn_number, replace_bsns, says_bsn, screened_value

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (";", ",", "\t", "|")
SNIFF_ROWS = 1000  # rows read ahead to detect the decimal mark
_CHUNK = 1 << 20
MAX_ZIP_RATIO = 100  # an XLSX part unpacking beyond this ratio (and ZIP_RATIO_FLOOR) is taken for a zip bomb
ZIP_RATIO_FLOOR = 1 << 20  # parts smaller than this unpacked are never refused for their ratio
MAX_NUMBER_DIGITS = 1000  # digits before or after the decimal mark: beyond, no number the warehouse stores
INT_LIMIT = 32767  # the raw tables' whole-number columns are smallint or integer: counts and steps, never more

_DMY_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMMA_DECIMAL_RE = re.compile(r"^[-+]?\d*,\d+$|^[-+]?\d{1,3}(\.\d{3})+,\d+$")
_POINT_DECIMAL_RE = re.compile(r"^[-+]?\d*\.\d+$|^[-+]?\d{1,3}(,\d{3})+\.\d+$")
_THOUSANDS = {",": re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$"), ".": re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")}
_AMBIGUOUS_DECIMAL_RE = re.compile(r"^[-+]?[1-9]\d{0,2}([.,]\d{3})+$")  # '1.234': thousands, or a decimal
_NUMBER_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class FileRejected(Exception):  # noqa: N818 - an outcome the caller records, not a crash
    """The whole file cannot be loaded; the message names the file and, where it applies, row and column."""

    def __init__(self, file_name: str, reason: str, *, row: int | None = None, column: str | None = None,
                 value: str | None = None) -> None:
        self.file_name, self.reason, self.row, self.column, self.value = file_name, reason, row, column, value
        where = "".join(f", {label} {v}" for label, v in (("row", row), ("column", column)) if v is not None)
        super().__init__(f"{file_name}{where}: {reason}" + (f" (value {value})" if value is not None else ""))


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row): what goes to audit.quarantine."""

    row: int | None
    column: str | None
    value: str | None  # as found, or masked for personal columns
    reason: str

    def describe(self, file_name: str) -> str:
        where = "".join(f", {label} {v}" for label, v in (("row", self.row), ("column", self.column)) if v)
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{file_name}{where}: {self.reason}{shown}"


@dataclass(frozen=True)
class Dialect:
    file_type: str  # csv | xlsx
    encoding: str | None = None
    bom: bool = False
    delimiter: str | None = None
    decimal: str = ","
    sheet: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def normalise_header(name: object) -> str:
    """'Beroeps klasse' / 'beroepsklasse' / 'BEROEPS_KLASSE' / 'Beröepsklasse' -> 'beroepsklasse'."""
    text = unicodedata.normalize("NFKD", str(name or "")).casefold()
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def detect_encoding(path: Path) -> tuple[str, bool]:
    """(Python codec, had a BOM). UTF-8 is tried on the whole file; a file that is not UTF-8 is Windows-1252."""
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", True
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", True
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", False
    return "utf-8", False


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"  # one column: any delimiter reads it the same


@dataclass
class OpenedFile:
    """A file's header and its data rows as (row number, cells); cells are str (CSV) or typed (XLSX)."""

    path: Path
    dialect: Dialect
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    close: Callable[[], None] = lambda: None
    header_line: int = 1  # the line the header is on (a CSV may start with lines Python's str.strip() finds empty)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def header_shown(self) -> str:
        """The header for a message; digit runs masked, since a file without a header row has data in row 1."""
        return ", ".join(shown_header(h) for h in self.header if str(h).strip()) or "nothing"


_DIGIT_RUN_RE = re.compile(r"\d{5,}")
_ANY_DIGITS_RE = re.compile(r"\d+")


def shown_header(name: object, *, personal: bool = False) -> str:
    """A header as a message may show it: a run of 5+ digits (a BSN, a date without separators) is masked; for a
    file with personal data every run of digits (a first row of data may hold a birth date or a postcode)."""
    return (_ANY_DIGITS_RE if personal else _DIGIT_RUN_RE).sub(lambda m: f"<{len(m.group())} digits>", str(name))


def open_file(path: Path, *, max_bytes: int | None = None) -> OpenedFile:
    """Open a CSV or XLSX file; rejects what cannot be read at all (empty, no header, unknown type), and refuses
    unread a file over ``max_bytes`` or an XLSX that would unpack to more (or like a zip bomb)."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(path.name, "the file is empty (0 bytes)")
    if max_bytes is not None and size > max_bytes:
        raise FileRejected(path.name, too_large(size, max_bytes))
    if suffix in XLSX_SUFFIXES:
        _check_zip(path, max_bytes)
        return _open_xlsx(path)
    if suffix in CSV_SUFFIXES:
        return _open_csv(path)
    raise FileRejected(path.name, f"unsupported file type {suffix or '(none)'}: expected .csv or .xlsx")


def too_large(size: int, max_bytes: int, what: str = "the file is") -> str:
    return f"{what} {size:,} bytes, more than the limit of {max_bytes:,} (MAX_FILE_BYTES): refused unread"


def _check_zip(path: Path, max_bytes: int | None) -> None:
    """Refuse a workbook by its zip directory alone: what it would unpack to, and at what ratio (zip bombs).

    Python's zipfile never unpacks more than a member's declared size, so the directory's sizes can be trusted."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(path.name, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    unpacked = sum(m.file_size for m in members)
    if max_bytes is not None and unpacked > max_bytes:
        raise FileRejected(path.name, too_large(unpacked, max_bytes, "unpacked, the workbook would be") +
                           " (a zip bomb?)")
    for member in members:
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
            raise FileRejected(
                path.name,
                f"{member.filename} would unpack {member.file_size // max(member.compress_size, 1):,} times its "
                f"packed size ({member.file_size:,} bytes), more than {MAX_ZIP_RATIO}:1: refused unread (a zip bomb?)",
            )


_NUL_REJECTION = ("a NUL character on line {line}: not a text file, or UTF-16 without a byte order mark; save it as "
                  "CSV in UTF-8 or Windows-1252")


def _open_csv(path: Path) -> OpenedFile:
    encoding, bom = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    first = handle.readline()
    line = 1
    while first and not first.strip():
        first = handle.readline()
        line += 1
    if "\x00" in first:  # UTF-16 without a BOM reads as UTF-8 with a NUL after every letter
        handle.close()
        raise FileRejected(path.name, _NUL_REJECTION.format(line=line), row=line)
    if not first.strip():
        handle.close()
        raise FileRejected(path.name, "the file has no header row (only empty lines)")
    delimiter = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter))

    def lines() -> Iterator[str]:
        for number, text in enumerate(handle, start=line + 1):
            if "\x00" in text:  # PostgreSQL text cannot hold it; and no export writes one
                raise FileRejected(path.name, _NUL_REJECTION.format(line=number), row=number)
            yield text

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with handle:
            # strict: an unbalanced quote is an error, not a field that swallows the rest of the file
            reader = csv.reader(lines(), delimiter=delimiter, strict=True)
            number = 1
            try:
                for number, cells in enumerate(reader, start=2):  # noqa: B007 - number is used after the loop
                    if any(c.strip() for c in cells):
                        yield number, cells
            except csv.Error as exc:
                raise FileRejected(
                    path.name, f"not readable as CSV after row {number} (line {line + reader.line_num}): {exc}; "
                    "a quote that is opened and not closed?", row=number + 1) from None

    return OpenedFile(path, Dialect("csv", encoding=encoding, bom=bom, delimiter=delimiter), header, rows(),
                      handle.close, header_line=line)


def _open_xlsx(path: Path) -> OpenedFile:
    from python_calamine import CalamineWorkbook  # values: a Rust reader, ~10x openpyxl's speed

    try:
        with zipfile.ZipFile(path) as archive:
            name, sheet_part, styles_part = _first_worksheet(archive)
            styles = _percent_styles(archive, styles_part)
            percents = _percent_cells(archive, sheet_part, styles) if styles else {}
        unread = _uncomputed_formulas(path, sheet_part)
        with CalamineWorkbook.from_path(path) as workbook:
            sheet = workbook.get_sheet_by_name(name)  # the whole sheet, parsed; the workbook can close
        # iter_rows (0.9.1) gives the rows from row 1, but the columns from the first one with a value: from A again
        values = _shown_rows(sheet.iter_rows(), unread, percents, skipped_columns=(sheet.start or (0, 0))[1])
        header: list[Any] | None = None
        header_row = 0
        for header_row, row in enumerate(values, start=1):  # noqa: B007 - header_row is used after the loop
            if any(_cell_text(c) for c in row):
                header = row
                break
    # zipfile.BadZipFile, KeyError (a part the workbook names is missing), ParseError, ValueError, CalamineError
    except Exception as exc:
        raise FileRejected(path.name, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    except BaseException as exc:  # a panic in calamine's Rust arrives as pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise FileRejected(path.name, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    if header is None:
        raise FileRejected(path.name, f"the first sheet ({name!r}) is empty: no header row")
    while header and header[-1] is None:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(values, start=header_row + 1):
            # cells: also what lies beyond the header (RowTyper says so)
            if any(_cell_text(c) for c in cells):
                yield number, cells

    return OpenedFile(path, Dialect("xlsx", sheet=name), [_cell_text(h) for h in header], rows())


# --- XLSX cells as the person saw them ----------------------------------------------------------------------------
#
# python-calamine gives the values (numbers as floats, dates as dates, an empty cell as ''), but neither number
# formats nor formulas, and an error cell (#DIV/0!) as ''. What it cannot give is read from the sheet's XML, only
# where the workbook has it: the cells of percent styles (styles.xml says whether there are any), formulas without
# a cached value and error cells (a byte scan says whether there are any).

UNCOMPUTED_FORMULA = "a formula without a computed value: open the file in Excel and save it, or paste values"


class UncomputedFormula(str):
    """A formula cell the workbook holds no computed value for (a file written by a tool that does not calculate,
    such as openpyxl or some exporters); its text is the formula. RowTyper quarantines it, never a silent NULL."""

    __slots__ = ()


class ShownPercent(float):
    """A number from a percent-formatted cell, as the cell showed it: 0.079 formatted ``0.0%`` (7,9%) is 7.9.

    Every percentage the file contracts know is written as a whole-number percentage (45, not 0,45); a float, so
    the converters take it as any number cell. The type tells a reader that wants to know (handmatig) its origin."""

    __slots__ = ()


_RELATIONSHIP = re.compile(r"\{[^}]*/relationships\}id$")  # r:id, transitional or strict OOXML


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, part)} of a part's relationships ('' for the package's own), targets resolved to part names."""
    from xml.etree.ElementTree import fromstring  # no external entities; expat 2.4+ refuses entity bombs

    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for rel in fromstring(archive.read(rels)):
        target = rel.get("Target", "")
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return found


def _first_worksheet(archive: zipfile.ZipFile) -> tuple[str, str, str | None]:
    """(name, part) of the workbook's first worksheet (as openpyxl's ``worksheets[0]``: chart sheets do not count),
    and the part of its style table, if it has one."""
    from xml.etree.ElementTree import fromstring

    book = next((target for kind, target in _relationships(archive, "").values() if kind.endswith("/officeDocument")),
                "xl/workbook.xml")
    rels = _relationships(archive, book)
    styles = next((target for kind, target in rels.values() if kind.endswith("/styles")), None)
    for element in fromstring(archive.read(book)).iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _RELATIONSHIP.match(k)), None)
        kind, part = rels.get(rid or "", ("", ""))
        if kind.endswith("/worksheet"):
            return element.get("name", ""), part, styles
    raise ValueError("the workbook has no worksheet")


_BUILTIN_PERCENT_FORMATS = {9: "0%", 10: "0.00%"}  # of Excel's built-in number formats (ids 0-163), the percent ones
# openpyxl.styles.numbers.STRIP_RE (3.1.5): quoted text and bracketed sections ([Red], [$%-409]), not [h] [mm] [ss]
_FORMAT_STRIP_RE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')


def percent_signs(number_format: str) -> int:
    """How many times a number format multiplies by 100: one per ``%`` outside quotes, brackets and escapes.

    The first section, as openpyxl reads dates (``0.0%;[Red]-0.0%``)."""
    return len(re.findall(r"(?<![\\_*])%", _FORMAT_STRIP_RE.sub("", number_format.split(";")[0])))


def _percent_styles(archive: zipfile.ZipFile, styles_part: str | None) -> dict[int, int]:
    """{cell style index: percent signs} of the workbook's percent styles (``cellXfs``); most workbooks have none.

    A number format is the workbook's own (``numFmts``) or else built in, as openpyxl reads them."""
    from xml.etree.ElementTree import fromstring

    if styles_part is None or styles_part not in archive.NameToInfo:
        return {}
    root = fromstring(archive.read(styles_part))
    custom: dict[int, str] = {}
    found: dict[int, int] = {}
    for section in root:
        if _local(section.tag) == "numFmts":
            custom.update((int(f.get("numFmtId", "0")), f.get("formatCode", "")) for f in section
                          if _local(f.tag) == "numFmt")
        elif _local(section.tag) == "cellXfs":
            xfs = [xf for xf in section if _local(xf.tag) == "xf"]
            for index, xf in enumerate(xfs):
                code = int(xf.get("numFmtId", "0"))
                if count := percent_signs(custom.get(code, _BUILTIN_PERCENT_FORMATS.get(code, ""))):
                    found[index] = count
    return found


_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # a namespace prefix some writers use (<x:f>)
_CELL_REF_RE = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["']""")


def _percent_cells(archive: zipfile.ZipFile, sheet_part: str, styles: dict[int, int]) -> dict[int, dict[int, int]]:
    """{row: {column: percent signs}} of the sheet's cells in a percent style.

    A regex finds the cell tags of those styles (<c r="B7" s="5" ...>), read in chunks cut at a tag's start; a cell
    without its reference (r is optional), or percent as the default style, makes it read the sheet's XML whole."""
    if 0 in styles:  # a cell without s="" has style 0
        return _percent_cells_parsed(archive, sheet_part, styles)
    ids = b"|".join(str(index).encode() for index in sorted(styles))
    tag = re.compile(rb"<%sc\b(?=[^>]*\ss\s*=\s*[\"'](?:%s)[\"'])([^>]*)>" % (_NS, ids))
    style = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
    found: dict[int, dict[int, int]] = {}
    pending = b""
    with archive.open(sheet_part) as source:
        while True:
            chunk = source.read(_CHUNK)
            text = pending + chunk
            cut = text.rfind(b"<") if chunk else len(text)
            if cut < 0:
                cut = 0
            for match in tag.finditer(text, 0, cut):
                attributes = match.group(1)
                reference = _CELL_REF_RE.search(attributes)
                if reference is None:
                    return _percent_cells_parsed(archive, sheet_part, styles)
                count = styles[int(style.search(attributes).group(1))]
                found.setdefault(int(reference.group(2)), {})[_column_number(reference.group(1))] = count
            pending = text[cut:]
            if not chunk:
                return found


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _percent_cells_parsed(archive: zipfile.ZipFile, sheet_part: str,
                          styles: dict[int, int]) -> dict[int, dict[int, int]]:
    found: dict[int, dict[int, int]] = {}
    with archive.open(sheet_part) as source:
        for number, column, cell in _sheet_cells(source):
            if count := styles.get(int(cell.get("s") or 0)):
                found.setdefault(number, {})[column] = count
    return found


def _sheet_cells(source: Any) -> Iterator[tuple[int, int, Any]]:
    """(row, column, <c> element) of a sheet's XML; a row or cell without its reference follows the one before."""
    from openpyxl.utils import coordinate_to_tuple
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG
    from openpyxl.xml.functions import iterparse  # openpyxl's own (defusedxml when installed)

    number = 0
    for _, element in iterparse(source):
        if element.tag != ROW_TAG:
            continue
        number = int(float(element.get("r") or number + 1))
        column = 0
        for cell in element.iterfind(CELL_TAG):
            reference = cell.get("r")
            column = coordinate_to_tuple(reference)[1] if reference else column + 1
            yield number, column, cell
        element.clear()


# The end of a formula (<f>..</f> or <f t="shared" si="0"/>) and of its cell with no cached value, or an empty one:
# what a tool that does not calculate writes. Excel writes <f>..</f><v>20</v></c>.
_NO_VALUE_RE = re.compile(rb"(?:</%(ns)sf>|<%(ns)sf\b[^>]*/>)\s*(?:<%(ns)sv\s*/>|<%(ns)sv>\s*</%(ns)sv>)?\s*</%(ns)sc>"
                          % {b"ns": _NS})
# An error cell (<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>): calamine reads it as '', openpyxl as '#DIV/0!'.
_SHEET_END_RE = re.compile(rb"</%sworksheet>\s*$" % _NS)
_ERROR_CELL_RE = re.compile(rb"""<%sc\b[^>]*\st\s*=\s*["']e["']""" % _NS)


def _uncomputed_formulas(path: Path, sheet_part: str) -> dict[int, dict[int, str]]:
    """{row: {column: value}} of the sheet's cells calamine reads as empty: a formula without a cached value
    (``<f>`` but no ``<v>``) as an UncomputedFormula, an error cell as its error ('#DIV/0!', as openpyxl gave it).

    A byte scan first: a sheet without formulas and errors (most exports) or whose formulas all have a value (saved
    by Excel) is not parsed twice; the scan also sees that the sheet's XML ends where a sheet ends."""
    found: dict[int, dict[int, str]] = {}
    with zipfile.ZipFile(path) as archive:
        with archive.open(sheet_part) as source:
            tail = b""
            while chunk := source.read(_CHUNK):
                text = tail + chunk
                # substring tests first (memchr speed): the regexes cost as much as calamine's whole read
                if ((b"<f" in text or b":f" in text) and _NO_VALUE_RE.search(text)) or (
                        (b'"e"' in text or b"'e'" in text) and _ERROR_CELL_RE.search(text)):
                    break
                tail = chunk[-256:]
            else:
                # calamine reads a sheet cut off mid-way (then zipped again) up to the cut; openpyxl's parser refused it
                if not _SHEET_END_RE.search(tail):
                    raise ValueError(f"{sheet_part} ends before its </worksheet>: the file was cut off")
                return found
        from openpyxl.formula.translate import Translator
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG

        shared: dict[str, tuple[str, str]] = {}  # si -> (formula, its cell): followers of a shared formula
        with archive.open(sheet_part) as source:
            for number, column, cell in _sheet_cells(source):
                if cell.get("t") == "e":
                    if error := cell.findtext(VALUE_TAG):
                        found.setdefault(number, {})[column] = error
                    continue
                formula = cell.find(FORMULA_TAG)
                if formula is None:
                    continue
                reference = cell.get("r") or f"{get_column_letter(column)}{number}"
                text = "=" + (formula.text or "")
                if formula.get("t") == "shared":
                    if formula.text:
                        shared[formula.get("si", "")] = (text, reference)
                    elif master := shared.get(formula.get("si", "")):
                        text = Translator(master[0], origin=master[1]).translate_formula(reference)
                cached = cell.findtext(VALUE_TAG)
                # An empty cached string is the computed value of a text formula (=IF(..;"";..)), not missing.
                if cached is None or (cached == "" and cell.get("t") != "str"):
                    found.setdefault(number, {})[column] = UncomputedFormula(text)
    return found


_EXACT_FLOAT = 2**53  # beyond, a float is not an exact whole number: it stays a float


def _shown_rows(rows: Iterator[list[Any]], unread: dict[int, dict[int, str]], percents: dict[int, dict[int, int]],
                *, skipped_columns: int = 0) -> Iterator[list[Any]]:
    """The sheet's rows from row 1 as lists of values, as openpyxl gave them: an empty cell None, a whole number an
    int, a date a datetime (calamine gives a date for a whole day); a percent-formatted number as the percentage
    shown, a formula without a computed value as an UncomputedFormula, an error cell as its error."""
    lead: list[Any] = [None] * skipped_columns
    for number, raw in enumerate(rows, start=1):
        cells = lead + [value if (kind := type(value)) is not str and kind is not float and kind is not date
                 else (value or None) if kind is str
                 else (int(value) if value.is_integer() and -_EXACT_FLOAT < value < _EXACT_FLOAT else value)
                 if kind is float else datetime(value.year, value.month, value.day) for value in raw]
        for column, count in percents.get(number, {}).items():
            if column <= len(cells) and type(value := cells[column - 1]) in (int, float):  # not bool, dates
                # Decimal from the float's shortest repr: 0.079 -> 7.9 exactly, not 7.8999999999999995
                cells[column - 1] = ShownPercent(Decimal(repr(value)).scaleb(2 * count))
        for column, value in unread.get(number, {}).items():
            if column > len(cells):  # beyond calamine's width
                cells.extend([None] * (column - len(cells)))
            if cells[column - 1] is None:
                cells[column - 1] = value
        yield cells


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


# --- typing cells --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the contract: its canonical name, how to type it, and whether it must be there and filled."""

    name: str
    kind: str = "text"  # text code int decimal date flag bsn birthdate postcode
    required: bool = True  # the header must be present
    nullable: bool = True  # the value may be empty
    width: int | None = None  # code: zero-padded to this many digits ('1' -> '01', what spreadsheets do)
    values: frozenset[str] | None = None  # code/text: the allowed values
    aliases: tuple[str, ...] = ()
    personal: bool = False  # never shown in a message or a quarantine record
    # A BSN token in this text column (ingestion.privacy.screen): "marker" replaces it in free text, "pseudonym" puts
    # the person's pseudonym in its place in an identifier that may be the BSN (the same dossier keeps one identifier).
    bsn_in_text: str = "marker"

    @property
    def keys(self) -> set[str]:
        return {normalise_header(self.name), *map(normalise_header, self.aliases)}


@dataclass
class RowTyper:
    """Types the cells of one file's rows by the contract's columns, matched to the file's headers by name."""

    file_name: str
    columns: Sequence[Column]
    header: Sequence[str]
    pseudonymiser: Pseudonymiser | None = None
    decimal: str = ","
    file_type: str = "csv"  # a CSV row's cells can shift (an unquoted separator, a missing cell); a sheet's cannot
    positions: list[int | None] = field(init=False)
    extra: dict[str, int] = field(init=False)  # header as in the file -> position, for columns not in the contract
    personal_file: bool = field(init=False)  # the contract declares personal columns: shown values are screened
    screened: dict[str, bool] = field(init=False)  # text column -> its header says BSN (an 8-digit token counts)
    extra_says_bsn: dict[str, bool] = field(init=False)  # the same for the columns the contract does not name

    def __post_init__(self) -> None:
        found: dict[str, list[int]] = {}
        for position, name in enumerate(self.header):
            found.setdefault(normalise_header(name), []).append(position)
        personal = self.personal_file = any(c.personal for c in self.columns)
        self.positions = []
        missing = []
        for column in self.columns:
            matches = sorted(p for k in column.keys if k for p in found.get(k, []))
            if len(matches) > 1:
                raise FileRejected(
                    self.file_name,
                    f"column {column.name} appears {len(matches)} times in the header (columns "
                    f"{', '.join(str(p + 1) for p in matches)}): which one holds the data cannot be known",
                    row=1,
                    column=column.name,
                )
            position = matches[0] if matches else None
            if position is None and column.required:
                missing.append(column.name)
            self.positions.append(position)
        if missing:
            shown = ", ".join(shown_header(h, personal=personal) for h in self.header if h)
            raise FileRejected(
                self.file_name,
                f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing "
                f"(the header has: {shown or 'nothing'})",
                row=1,
                column=missing[0],
            )
        used = {p for p in self.positions if p is not None}
        self.extra = {str(h): i for i, h in enumerate(self.header) if i not in used and str(h).strip()}
        # Text that the contract does not restrict to a list of values can hold a BSN: it is screened.
        self.screened = {
            c.name: says_bsn(c.name) or (p is not None and says_bsn(str(self.header[p])))
            for c, p in zip(self.columns, self.positions, strict=True)
            if c.kind in ("text", "code") and c.values is None}
        self.extra_says_bsn = {name: says_bsn(name) for name in self.extra}  # once per file, not per row
        if self.pseudonymiser is None and any(c.kind == "bsn" for c in self.columns):
            raise ValueError("a file with a BSN column needs a Pseudonymiser")

    def type_row(self, number: int, cells: Sequence[Any]) -> tuple[list[Any], list[Problem]]:
        values: list[Any] = []
        problems: list[Problem] = []
        if len(cells) > len(self.header) and any(_cell_text(c) for c in cells[len(self.header):]):
            # A separator inside an unquoted value shifts the row; a value beyond the header belongs to no column.
            filled = max(i for i, c in enumerate(cells) if _cell_text(c)) + 1
            problems.append(Problem(number, None, None, f"{filled} cells, but the header has {len(self.header)} "
                                    "columns: a separator inside a value, or a value beyond the header"))
        elif self.personal_file and self.file_type == "csv" and len(cells) != len(self.header):
            # Also when the cells beyond the header are empty: a shift by one moves every value one column on.
            problems.append(Problem(number, None, None, f"{len(cells)} cells, but the header has {len(self.header)} "
                                    "columns: a separator inside a value, or a missing cell, shifts the row"))
        if problems and self.personal_file:
            # In a shifted row of personal data any cell may sit under another column's name (a BSN or a birth date
            # under a text column): nothing of it is kept, only the row number and why.
            return [None] * len(self.columns), problems
        for column, position in zip(self.columns, self.positions, strict=True):
            raw = cells[position] if position is not None and position < len(cells) else None
            try:
                values.append(self._convert(column, raw))
            except ValueError as exc:
                text = _cell_text(raw) if not isinstance(raw, str) else raw.strip()
                shown = mask(raw) if column.personal else screened_value(text, personal_file=self.personal_file)
                problems.append(Problem(number, column.name, shown, str(exc)))
                values.append(None)
        return values, problems

    def extras(self, cells: Sequence[Any]) -> dict[str, str]:
        """The cells of columns the contract does not name, as text, with any BSN in them replaced by a marker."""
        return {name: replace_bsns(_cell_text(cells[i]), bsn_context=self.extra_says_bsn[name])
                for name, i in self.extra.items() if i < len(cells) and _cell_text(cells[i])}

    def screen(self, column: Column, text: str) -> str:
        """A text cell with no BSN in clear (``Column.bsn_in_text``); unchanged when it holds none."""
        bsn_context = self.screened.get(column.name)
        if bsn_context is None:
            return text
        if column.bsn_in_text == "pseudonym" and self.pseudonymiser is not None:
            return replace_bsns(text, lambda digits: self.pseudonymiser.bsn(digits) or "", bsn_context=bsn_context)
        return replace_bsns(text, bsn_context=bsn_context)

    def _convert(self, column: Column, raw: Any) -> Any:
        if isinstance(raw, UncomputedFormula):  # an XLSX formula never computed: no value to type (_open_xlsx)
            raise ValueError(UNCOMPUTED_FORMULA)
        text = _cell_text(raw) if not isinstance(raw, str) else raw.strip()
        if text == "":
            if column.nullable:
                return None
            raise ValueError("empty, but this column must have a value")
        convert = _CONVERTERS[column.kind]
        return convert(self, column, raw, text)


def _to_code(typer: RowTyper, column: Column, raw: Any, text: str) -> str:
    if column.width and text.isdigit() and len(text) < column.width:
        text = text.zfill(column.width)
    if column.values is not None and text not in column.values:
        raise ValueError(f"not one of {', '.join(sorted(column.values))}")
    return typer.screen(column, text)


def _to_int(typer: RowTyper, column: Column, raw: Any, text: str) -> int:
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        number = int(raw)
    elif re.fullmatch(r"[-+]?\d+", text):
        number = int(text)
    else:
        raise ValueError("not a whole number")
    if abs(number) > INT_LIMIT:
        raise ValueError(f"a whole number beyond {INT_LIMIT:,}: no count or step the contract knows")
    return number


def _to_decimal(typer: RowTyper, column: Column, raw: Any, text: str) -> Decimal:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return storable(Decimal(str(raw)))
    return parse_decimal(text, typer.decimal)


def parse_decimal(text: str, decimal: str) -> Decimal:
    """'1.234,5' / '1,5' with a decimal comma, '1,234.5' / '1.5' with a point; ValueError for anything else."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    other = "." if decimal == "," else ","
    if _THOUSANDS[decimal].match(value):
        value = value.replace(other, "")
    elif other in value:
        raise ValueError(f"not a number with decimal {'comma' if decimal == ',' else 'point'}")
    value = value.replace(",", ".")
    if not _NUMBER_RE.match(value):  # Decimal() also takes 'NaN', 'Infinity', '1_000'
        raise ValueError("not a number")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError("not a number") from None
    return storable(number)


class CouldBeBsn(ValueError):
    """A number that is not stored because it could be a BSN: its own reason, not 'not a number'."""


def storable(number: Decimal) -> Decimal:
    """The number, if PostgreSQL's numeric can hold it (a COPY of one that cannot fails the whole file) and it
    cannot be a BSN in clear."""
    if not number.is_finite():
        raise ValueError("not a number")
    # The size first: the BSN check makes an int of the number, which for 1E+9999999 takes minutes.
    exponent = number.as_tuple().exponent
    if number.adjusted() >= MAX_NUMBER_DIGITS or (isinstance(exponent, int) and -exponent > MAX_NUMBER_DIGITS):
        raise ValueError(f"a number of more than {MAX_NUMBER_DIGITS} digits: no value the warehouse can store")
    if could_be_bsn_number(number):
        raise CouldBeBsn("a whole number of nine digits that passes the BSN elfproef: not stored, it could be a BSN "
                         "(an amount this large: write it rounded to thousands)")
    return number


def _to_date(typer: RowTyper, column: Column, raw: Any, text: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return parse_date(text)


def parse_date(text: str) -> date:
    try:
        if match := _DMY_RE.match(text):
            day, month, year = map(int, match.groups())
            return date(year, month, day)
        if match := _ISO_RE.match(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day)
    except ValueError:
        raise ValueError("not an existing date") from None
    raise ValueError("not a date (expected dd-mm-jjjj)")


def _to_flag(typer: RowTyper, column: Column, raw: Any, text: str) -> bool:
    flag = text.upper()
    if flag in ("J", "JA", "Y", "1", "TRUE", "WAAR"):
        return True
    if flag in ("N", "NEE", "0", "FALSE", "ONWAAR"):
        return False
    raise ValueError("not J or N")


def _to_pseudonym(typer: RowTyper, column: Column, raw: Any, text: str) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = str(int(raw)).zfill(9)
    pseudonym = typer.pseudonymiser.bsn(text) if typer.pseudonymiser else None
    if pseudonym is None:
        raise ValueError("not a valid BSN (nine digits passing the elfproef)")
    return pseudonym


def _to_birth_year(typer: RowTyper, column: Column, raw: Any, text: str) -> int:
    born = _to_date(typer, column, raw, text)
    return born.year


def _to_postcode4(typer: RowTyper, column: Column, raw: Any, text: str) -> str:
    reduced = postcode4(text)
    if reduced is None:
        raise ValueError("not a Dutch postcode (1234AB)")
    return reduced


def _to_text(typer: RowTyper, column: Column, raw: Any, text: str) -> str:
    if column.values is not None and text not in column.values:
        raise ValueError(f"not one of {', '.join(sorted(column.values))}")
    return typer.screen(column, text)


_CONVERTERS: dict[str, Callable[[RowTyper, Column, Any, str], Any]] = {
    "text": _to_text,
    "code": _to_code,
    "int": _to_int,
    "decimal": _to_decimal,
    "date": _to_date,
    "flag": _to_flag,
    "bsn": _to_pseudonym,
    "birthdate": _to_birth_year,
    "postcode": _to_postcode4,
}


def detect_decimal(opened: OpenedFile, positions: Sequence[int]) -> tuple[str, Iterator[tuple[int, list[Any]]]]:
    """The decimal mark of a CSV, from the first rows' values in ``positions``; and the rows, none lost.

    A value like '1,5' or '1.234,5' says comma, '1.5' or '1,234.5' says point; '1.234' (or '1,234') says nothing:
    a thousands separator or a decimal mark. With no telling value the delimiter decides: a ';' file uses a decimal
    comma (the Dutch default), a ',' file a point.
    """
    default = "." if opened.dialect.delimiter == "," else ","
    if opened.dialect.file_type != "csv" or not positions:
        return default, opened.rows
    ahead = list(islice(opened.rows, SNIFF_ROWS))
    votes = {",": 0, ".": 0}
    for _, cells in ahead:
        for position in positions:
            value = cells[position].strip() if position < len(cells) else ""
            if _AMBIGUOUS_DECIMAL_RE.match(value):
                continue
            if _COMMA_DECIMAL_RE.match(value):
                votes[","] += 1
            elif _POINT_DECIMAL_RE.match(value):
                votes["."] += 1
    decimal = default if votes[","] == votes["."] else max(votes, key=lambda k: votes[k])

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield from ahead
        yield from opened.rows

    return decimal, rows()

