"""The columnar path for a large CSV: whole columns typed by Arrow kernels, the rows on to COPY as Arrow tables.

The row path (``RowTyper.type_row`` per row) stays the definition of what a cell means; this path is a faster way to
the same result, never a second definition. The file is cut into blocks of whole lines (memory stays flat with file
size), Arrow's C reader splits each (in a thread, a block ahead), each contract column is typed as a whole by kernels
that accept only cells whose meaning is beyond doubt (plain ASCII, the usual shapes: ``dd-mm-jjjj``, ``1234,56``,
nine BSN digits ...), and every other row, a bad one or merely an unusual one, goes through ``type_row`` exactly as
on the row path: the same values, the same quarantine records. BSNs: the elfproef over a block's digits at once,
the keyed hash once per distinct BSN of the block.

Only a file the two readers split alike takes this path (``unsuitable`` says why not): one record per line ending in
LF or CRLF, a quote only around a whole field without quotes or line breaks inside, no NUL, no byte order mark but at
the start, the header on line 1, no field longer than the csv module accepts. Everything else (and XLSX) keeps the
row path.
"""

from __future__ import annotations

import codecs
import csv
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ingestion.files.reader import Column, FileRejected, OpenedFile, RowTyper
from ingestion.privacy.bsn import elfproef_rows

BLOCK_BYTES = 4 << 20  # of the file per Arrow block: ~35 000 Werkplein rows; memory is a few blocks, whatever the size
_SCAN_CHUNK = 1 << 20
FIELD_LIMIT = csv.field_size_limit()  # the row path's csv module refuses a longer field

# Arrow type per contract kind, as the raw tables hold them (decimals go as their text: numeric parses it exactly)
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(), "code": pa.string(), "bsn": pa.string(), "postcode": pa.string(), "decimal": pa.string(),
    "int": pa.int32(), "date": pa.date32(), "birthdate": pa.int16(), "flag": pa.bool_(),
}
_TRUE = pa.array(["J", "JA", "Y", "1", "TRUE", "WAAR"])
_FALSE = pa.array(["N", "NEE", "0", "FALSE", "ONWAAR"])
# A cell needing no strip: printable ASCII without a space at either end (the row path strips Unicode whitespace).
_PLAIN = r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$"
# What could be a BSN token in free text (ingestion.privacy.screen): 8 or 9 digits, single separators, no digit
# beside them. RE2 has no lookarounds, so the neighbours are matched instead; such a cell takes the row path.
_TOKEN_LIKE = r"(?:^|[^0-9])[0-9](?:[ .\-]?[0-9]){7,8}(?:[^0-9]|$)"
_POSTCODE = r"^(?P<p>[1-9][0-9]{3}) ?(?:[A-Za-z]{2})?$"
_INT = r"^-?[0-9]{1,5}$"
# Eight digits before the decimal mark at most: a nine-digit whole number could be a BSN (the row path decides).
_DECIMAL = {",": r"^-?[0-9]{1,8}(?:,[0-9]{1,12})?$", ".": r"^-?[0-9]{1,8}(?:\.[0-9]{1,12})?$"}


def unsuitable(opened: OpenedFile) -> str | None:
    """Why the columnar path would not split this file as the row path does; None when it would."""
    dialect = opened.dialect
    if dialect.file_type != "csv":
        return "not a CSV"
    if dialect.encoding not in ("utf-8", "utf-8-sig", "cp1252"):
        return f"encoding {dialect.encoding}"
    if len(dialect.delimiter or "") != 1 or dialect.delimiter == '"':
        return "delimiter"
    if opened.header_line != 1:
        return "the header is not on line 1"
    return _scan(opened.path, dialect.delimiter.encode())


def _scan(path: Path, delimiter: bytes) -> str | None:
    """One pass over the bytes, a chunk at a time: every quote pairs with the next one on the same line, the opening
    one at the start of a field, the closing one at its end (then no quote or line break lies inside a field)."""
    separator, quote, lf, cr = delimiter[0], ord('"'), ord("\n"), ord("\r")
    with path.open("rb") as f:
        chunk = f.read(_SCAN_CHUNK)
        # A byte order mark is the file's, at its start; Arrow would drop one at the start of any block it reads,
        # where the row path keeps it as a character of the cell.
        chunk = chunk[3:] if chunk.startswith(codecs.BOM_UTF8) else chunk
        carry = b""
        while chunk:
            data = carry + chunk
            end = data.rfind(b"\n") + 1
            if end == 0:  # no line end yet
                if len(data) > FIELD_LIMIT:
                    return "a line longer than the csv module's field limit"
                carry = data
            else:
                block, carry = data[:end], data[end:]
                if why := _block_unsuitable(block, separator, quote, lf, cr):
                    return why
            chunk = f.read(_SCAN_CHUNK)
    return _block_unsuitable(carry, separator, quote, lf, cr) if carry else None


def _block_unsuitable(block: bytes, separator: int, quote: int, lf: int, cr: int) -> str | None:
    if b"\x00" in block:
        return "a NUL character"
    if codecs.BOM_UTF8 in block:
        return "a byte order mark inside the file"
    if block.count(b"\r") != block.count(b"\r\n"):
        return "a line that ends in CR alone"
    buf = np.frombuffer(block, dtype=np.uint8)
    breaks = np.flatnonzero(buf == lf)
    bounds = np.concatenate(([-1], breaks, [len(block)]))
    if int(np.diff(bounds).max()) > FIELD_LIMIT:
        return "a line longer than the csv module's field limit"
    quotes = np.flatnonzero(buf == quote)
    if not len(quotes):
        return None
    if len(quotes) % 2:
        return "a quote without its pair"
    opening, closing = quotes[0::2], quotes[1::2]
    before = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], lf)
    after = np.where(closing + 1 < len(buf), buf[np.minimum(closing + 1, len(buf) - 1)], lf)
    same_line = np.searchsorted(breaks, opening) == np.searchsorted(breaks, closing)
    if not (np.isin(before, (separator, lf, cr)).all() and np.isin(after, (separator, lf, cr)).all()
            and same_line.all()):
        return "quotes inside a field, or a field over more than one line"
    return None


@dataclass
class ColumnarTyper:
    """Types a CSV file's rows a block at a time. ``row_path(number, cells)`` is the source's own row check
    (``type_row`` and what the source adds): the row's values, or None when it quarantined the row."""

    opened: OpenedFile
    typer: RowTyper
    row_path: Callable[[int, list[Any]], Sequence[Any] | None]
    names: Sequence[str]  # the raw table's columns, in contract order
    flag_rows: Callable[[dict[str, pa.Array]], pa.Array] | None = None  # rows the source's own checks want to see

    def __post_init__(self) -> None:
        fields = [pa.field(n, ARROW_TYPES[c.kind]) for n, c in zip(self.names, self.typer.columns, strict=True)]
        self.schema = pa.schema([pa.field("row_number", pa.int32()), *fields])

    def tables(self) -> Iterator[pa.Table]:
        """The file's good rows as Arrow tables of ``schema``, a block of whole lines at a time. A thread reads and
        splits the next block while this one is typed (Arrow releases the interpreter while it parses); the blocks
        are cut here, not by Arrow's streaming reader, which reads ahead as far as it likes (the whole file, when
        typing is the slower part): memory stays a few blocks."""
        for block, numbers, invalid in _read_ahead(self._parsed_blocks()):
            table = (self._type_block(block, numbers, invalid) if block is not None
                     else self._row_path_table([], invalid))
            if table.num_rows:
                yield table

    def _parsed_blocks(self) -> Iterator[tuple[pa.RecordBatch | None, np.ndarray, list[tuple[int, str]]]]:
        """(the block's parsed rows or None, their row numbers, the lines of another cell count as (row, text))."""
        dialect, width = self.opened.dialect, len(self.typer.header)
        names = [f"c{i}" for i in range(width)]
        convert_options = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                              strings_can_be_null=False, quoted_strings_can_be_null=False)
        first_row = 2  # the header is row 1, as on the row path
        for lines, count in _line_blocks(self.opened.path, dialect.encoding):
            invalid: list[tuple[int, str]] = []

            def keep_invalid(row: Any, invalid: list[tuple[int, str]] = invalid, first: int = first_row) -> str:
                invalid.append((first + row.number - 1, row.text))
                return "skip"

            try:
                block = pcsv.read_csv(
                    pa.py_buffer(lines),
                    read_options=pcsv.ReadOptions(column_names=names, use_threads=False,
                                                  block_size=len(lines) + 1),
                    parse_options=pcsv.ParseOptions(delimiter=dialect.delimiter, quote_char='"', double_quote=False,
                                                    newlines_in_values=False, ignore_empty_lines=False,
                                                    invalid_row_handler=keep_invalid),
                    convert_options=convert_options,
                )
            except pa.ArrowInvalid as exc:  # e.g. bytes that are not UTF-8 in a file with a UTF-8 byte order mark
                raise FileRejected(self.opened.name, f"not readable as {dialect.encoding} text in rows {first_row}"
                                   f"-{first_row + count - 1} ({str(exc).split(':', 1)[-1].strip()})",
                                   row=first_row) from None
            numbers = _row_numbers(block.num_rows, first_row, invalid)
            yield (block.combine_chunks().to_batches()[0] if block.num_rows else None), numbers, invalid
            first_row += count

    def _type_block(self, block: pa.RecordBatch, numbers: np.ndarray, invalid: list[tuple[int, str]]) -> pa.Table:
        count = block.num_rows
        typed: dict[str, pa.Array] = {}
        doubtful = pa.array(np.zeros(count, dtype=bool))
        for name, column, position in zip(self.names, self.typer.columns, self.typer.positions, strict=True):
            if position is None:  # an optional column the file does not have
                typed[name] = pa.nulls(count, ARROW_TYPES[column.kind])
                continue
            typed[name], ok = self._type_column(column, block.column(position))
            doubtful = pc.or_(doubtful, pc.invert(ok))
        flagged = None if self.flag_rows is None else self.flag_rows(typed)
        if flagged is not None:
            doubtful = pc.or_(doubtful, pc.fill_null(flagged, False))
        table = pa.table({"row_number": pa.array(numbers, pa.int32()), **typed}, schema=self.schema)
        slow = np.flatnonzero(doubtful.to_numpy(zero_copy_only=False))
        if not len(slow) and not invalid:
            return table
        cells = block.take(pa.array(slow)).to_pylist()
        rows = [(int(numbers[i]), list(row.values())) for i, row in zip(slow, cells, strict=True)]
        merged = pa.concat_tables([table.filter(pc.invert(doubtful)), self._row_path_table(rows, invalid)])
        return merged.take(pc.sort_indices(merged, [("row_number", "ascending")]))  # in file order again

    def _row_path_table(self, rows: list[tuple[int, list[Any]]], invalid: list[tuple[int, str]]) -> pa.Table:
        """Rows through the row path, in row order (the quarantine lists them in the order the row path would)."""
        delimiter = self.opened.dialect.delimiter
        split = [(number, next(csv.reader([text], delimiter=delimiter), [])) for number, text in invalid]
        kept: list[Sequence[Any]] = []
        for number, cells in sorted(rows + split, key=lambda r: r[0]):
            if not any(c.strip() for c in cells):
                continue  # an empty line, or only separators: the row path skips it too
            values = self.row_path(number, cells)
            if values is not None:
                kept.append((number, *values))
        columns = list(zip(*kept, strict=True)) if kept else [() for _ in self.schema]
        arrays = [pa.array(_arrow_values(v, f.type), f.type) for v, f in zip(columns, self.schema, strict=True)]
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def _type_column(self, column: Column, raw: pa.Array) -> tuple[pa.Array, pa.Array]:
        """(typed values, ok): ok is true where the value is beyond doubt, null/false where the row path decides."""
        empty = pc.equal(raw, "")
        kind = column.kind
        if kind in ("text", "code"):
            values = raw
            listed = None if column.values is None else pa.array(sorted(column.values))
            if listed is not None:  # the listed values are plain: no strip needed where one matches
                ok = pc.is_in(raw, value_set=listed)
            if kind == "code" and column.width and (listed is None or not pc.all(pc.or_(ok, empty)).as_py()):
                # '1' -> '01', as the row path pads a code that lost its zero
                short = pc.and_(pc.ascii_is_decimal(raw), pc.less(pc.utf8_length(raw), column.width))
                values = pc.if_else(short, pc.utf8_lpad(raw, column.width, "0"), raw)
                if listed is not None:
                    ok = pc.is_in(values, value_set=listed)
            if listed is None:
                ok = pc.match_substring_regex(raw, _PLAIN)
                if self.typer.screened.get(column.name) is not None:
                    ok = pc.and_(ok, pc.invert(pc.match_substring_regex(raw, _TOKEN_LIKE)))
        elif kind == "int":
            ok = pc.match_substring_regex(raw, _INT)
            values = pc.cast(pc.if_else(ok, raw, None), pa.int32())
            ok = pc.and_(ok, pc.less_equal(pc.abs(values), 32767))
        elif kind == "decimal":
            ok = pc.match_substring_regex(raw, _DECIMAL[self.typer.decimal])
            values = pc.replace_substring(raw, ",", ".") if self.typer.decimal == "," else raw
        elif kind in ("date", "birthdate"):
            values, ok = _dates(raw)
            if kind == "birthdate":
                values = pc.cast(pc.year(values), pa.int16())
        elif kind == "flag":
            upper = pc.ascii_upper(raw)
            truth = pc.is_in(upper, value_set=_TRUE)
            ok = pc.or_(truth, pc.is_in(upper, value_set=_FALSE))
            values = truth
        elif kind == "postcode":
            parts = pc.extract_regex(raw, _POSTCODE)
            values = pc.struct_field(parts, "p")
            ok = pc.is_valid(values)
        elif kind == "bsn":
            values, ok = self._pseudonyms(raw)
        else:
            raise ValueError(f"no columnar kernel for kind {kind!r}")
        values = pc.if_else(empty, pa.scalar(None, values.type), values)
        ok = pc.if_else(empty, column.nullable, pc.fill_null(ok, False))
        return values, ok

    def _pseudonyms(self, raw: pa.Array) -> tuple[pa.Array, pa.Array]:
        """Nine ASCII digits (eight: a spreadsheet dropped the leading zero) passing the elfproef, as pseudonyms."""
        nine = pc.if_else(pc.equal(pc.utf8_length(raw), 8), pc.binary_join_element_wise("0", raw, ""), raw)
        shaped = pc.and_(pc.equal(pc.utf8_length(nine), 9), pc.ascii_is_decimal(nine))
        shaped = pc.fill_null(shaped, False).to_numpy(zero_copy_only=False)
        digits_of = nine.filter(pa.array(shaped))
        if isinstance(digits_of, pa.ChunkedArray):
            digits_of = digits_of.combine_chunks()
        data = np.frombuffer(digits_of.buffers()[2] or b"", dtype=np.uint8)
        offsets = np.frombuffer(digits_of.buffers()[1], dtype=np.int32)[digits_of.offset:]
        passes = elfproef_rows(data[offsets[: len(digits_of), None] + np.arange(9)].astype(np.int64) - 48)
        ok = np.zeros(len(raw), dtype=bool)
        ok[np.flatnonzero(shaped)[passes]] = True
        valid = pc.if_else(pa.array(ok), nine, None)
        distinct = pc.unique(valid.drop_null())
        pseudonyms = self.typer.pseudonymiser.of_checked_block(distinct)
        return pc.take(pseudonyms, pc.index_in(valid, value_set=distinct)), pa.array(ok)


# The two date shapes taken here, as (day, month, year, separators) positions in ten characters: dd-mm-jjjj and
# jjjj-mm-dd. Others (1-2-2024, 01/02/2024, a year before 1000) take the row path.
_DATE_LAYOUTS = ((0, 3, 6, (2, 5)), (8, 5, 0, (4, 7)))
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _dates(raw: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Dates read from the fixed-width digits of each ten-character cell, checked as ``date()`` checks them."""
    count = len(raw)
    ok = np.zeros(count, dtype=bool)
    days = np.zeros(count, dtype=np.int32)
    offsets = np.frombuffer(raw.buffers()[1], dtype=np.int32)[raw.offset:raw.offset + count + 1]
    ten = np.flatnonzero(np.diff(offsets) == 10)
    if len(ten) and raw.buffers()[2] is not None:
        chars = np.frombuffer(raw.buffers()[2], dtype=np.uint8)[offsets[ten, None] + np.arange(10)]
        digits = chars.astype(np.int64) - 48
        found = np.zeros(len(ten), dtype=bool)
        for day_at, month_at, year_at, separators in _DATE_LAYOUTS:
            places = [i for i in range(10) if i not in separators]
            day = digits[:, day_at] * 10 + digits[:, day_at + 1]
            month = digits[:, month_at] * 10 + digits[:, month_at + 1]
            year = digits[:, year_at:year_at + 4] @ np.array([1000, 100, 10, 1])
            leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
            longest = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
            good = (~found & ((chars[:, places] >= 48) & (chars[:, places] <= 57)).all(axis=1)
                    & (chars[:, list(separators)] == ord("-")).all(axis=1) & (year >= 1000)
                    & (month >= 1) & (month <= 12) & (day >= 1) & (day <= longest))
            # Days since 1970-01-01 (the civil-calendar formula of H. Hinnant's date algorithms).
            shifted = year - (month <= 2)
            era, year_of_era = shifted // 400, shifted % 400
            day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
            since = era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468
            days[ten[good]] = since[good]
            found |= good
        ok[ten[found]] = True
    return pa.array(days, pa.date32(), mask=~ok), pa.array(ok)


READ_AHEAD = 2  # blocks parsed ahead of the one being typed


def _read_ahead(blocks: Iterator[Any]) -> Iterator[Any]:
    """``blocks``, produced by a thread of their own at most ``READ_AHEAD`` ahead; its error is raised here."""
    if READ_AHEAD == 0:
        yield from blocks
        return
    pending: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():  # never blocked for good: the consumer may have stopped
            try:
                pending.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in blocks:
                if not put("item", item):
                    return
            put("end", None)
        except BaseException as exc:  # handed to the consumer
            put("error", exc)

    thread = threading.Thread(target=produce, name="csv-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = pending.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()  # the consumer stopped (done, an error, a rejected file): the thread ends within a block
        thread.join()


def _line_blocks(path: Path, encoding: str) -> Iterator[tuple[bytes, int]]:
    """The file after its header line, as UTF-8 blocks of about ``BLOCK_BYTES`` that end at a line end, with the
    number of lines in each (``unsuitable`` has made sure that a line is a record and that lines end in LF)."""
    with path.open("rb") as f:
        f.readline()  # the header, on line 1
        carry = b""
        while chunk := f.read(BLOCK_BYTES):
            data = carry + chunk
            end = data.rfind(b"\n") + 1
            block, carry = data[:end], data[end:]
            if block:
                yield _utf8(block, encoding), block.count(b"\n")
        if carry:  # the last line, without its line end
            yield _utf8(carry, encoding), 1


def _utf8(block: bytes, encoding: str) -> bytes:
    return block if encoding.startswith("utf-8") else block.decode(encoding).encode("utf-8")


def python_rows(tables: Iterator[pa.Table], decimals: Sequence[str] = ()) -> Iterator[tuple[Any, ...]]:
    """The tables' rows as the row path yields them: (row_number, *values), a decimal as a Decimal."""
    for table in tables:
        columns = [[None if v is None else Decimal(v) for v in table.column(name).to_pylist()] if name in decimals
                   else table.column(name).to_pylist() for name in table.column_names]
        yield from zip(*columns, strict=True)


def _row_numbers(count: int, start: int, invalid: list[tuple[int, str]]) -> np.ndarray:
    """The row numbers of a block's ``count`` parsed rows from ``start`` on: the lines the invalid rows (reported to
    the handler, not in the block) took are skipped."""
    taken = np.array([n for n, _ in invalid if n >= start], dtype=np.int64)
    candidates = np.arange(start, start + count + len(taken), dtype=np.int64)
    return candidates[~np.isin(candidates, taken)][:count]


def _arrow_values(values: Sequence[Any], kind: pa.DataType) -> list[Any]:
    if kind == pa.string():
        return [None if v is None else str(v) for v in values]  # a Decimal as its text: numeric parses it exactly
    return list(values)
