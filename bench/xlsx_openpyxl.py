"""The XLSX reader as it was before python-calamine (openpyxl, read-only): the baseline of ``bench.xlsx_reader``,
callable only here. A copy of ``ingestion.files.reader._open_xlsx`` and its helpers at the commit before the switch;
the formula scan is the reader's own (it costs nothing on a sheet without formulas)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingestion.files.reader import (
    Dialect,
    FileRejected,
    OpenedFile,
    ShownPercent,
    _cell_text,
    _check_zip,
    _uncomputed_formulas,
    percent_signs,
)


def open_xlsx(path: Path, *, max_bytes: int | None = None) -> OpenedFile:
    """``open_file`` for an XLSX, as it was: the same guards first."""
    _check_zip(path, max_bytes)
    return _open_xlsx(path)


def _open_xlsx(path: Path) -> OpenedFile:
    import openpyxl  # a few hundred ms to import; CSV-only runs need not pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        uncomputed = _uncomputed_formulas(path, sheet._worksheet_path)
        values = _shown_rows(sheet, uncomputed, percents=_has_percent_style(workbook))
        header: list[Any] | None = None
        header_row = 0
        for header_row, row in enumerate(values, start=1):  # noqa: B007 - header_row is used after the loop
            if any(_cell_text(c) for c in row):
                header = list(row)
                break
    # zipfile.BadZipFile, KeyError, InvalidFileException, ParseError, a style table that points nowhere (IndexError)
    except Exception as exc:
        raise FileRejected(path.name, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    if header is None:
        workbook.close()
        raise FileRejected(path.name, f"the first sheet ({sheet.title!r}) is empty: no header row")
    while header and header[-1] is None:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(values, start=header_row + 1):
                # cells: also what lies beyond the header (RowTyper says so)
                if any(_cell_text(c) for c in cells):
                    yield number, cells
        finally:
            workbook.close()

    return OpenedFile(path, Dialect("xlsx", sheet=sheet.title), [_cell_text(h) for h in header], rows(),
                      workbook.close)


def _has_percent_style(workbook: Any) -> bool:
    """Whether any cell style of the workbook formats numbers as a percentage; without one the rows are read as
    plain values, the fast way. True when openpyxl's style tables are not where 3.1 keeps them: read every cell."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    styles, custom = getattr(workbook, "_cell_styles", None), getattr(workbook, "_number_formats", None)
    if styles is None or custom is None:
        return True
    for style in styles:
        code = style.numFmtId
        number_format = (BUILTIN_FORMATS.get(code, "General") if code < BUILTIN_FORMATS_MAX_SIZE
                         else custom[code - BUILTIN_FORMATS_MAX_SIZE])
        if percent_signs(number_format):
            return True
    return False


def _shown_rows(sheet: Any, uncomputed: dict[int, dict[int, str]], *, percents: bool) -> Iterator[list[Any]]:
    """The sheet's rows from row 1, as lists of values: percent-formatted numbers as the percentage shown, a formula
    without a computed value as an UncomputedFormula."""
    if percents:
        signs: dict[str, int] = {}  # number format -> percent signs; a sheet has few formats

        def shown(cell: Any) -> Any:
            value = cell.value
            if type(value) not in (int, float):  # also not bool, dates
                return value
            number_format = cell.number_format
            if (count := signs.get(number_format)) is None:
                count = signs[number_format] = percent_signs(number_format)
            # Decimal from the float's shortest repr: 0.079 -> 7.9 exactly, not 7.8999999999999995
            return ShownPercent(Decimal(repr(value)).scaleb(2 * count)) if count else value

        rows: Iterator[list[Any]] = ([shown(c) for c in row] for row in sheet.iter_rows())
    else:
        rows = (list(row) for row in sheet.iter_rows(values_only=True))
    for number, cells in enumerate(rows, start=1):
        for column, formula in uncomputed.get(number, {}).items():
            if column > len(cells):  # beyond the sheet's stated dimension
                cells.extend([None] * (column - len(cells)))
            if cells[column - 1] is None:
                cells[column - 1] = formula  # already an UncomputedFormula (or an error cell)
        yield cells


