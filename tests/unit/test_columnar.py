"""The columnar path gives what the row path gives: the same typed rows, row numbers, quarantine problems and records.

Each file (200 drawn) is parsed twice by the Werkplein source: as it chooses (the columnar path, for a CSV it can
split alike), and with the row path forced. Cells are drawn from what exports hold and from what the kernels must
leave to the row path: other date shapes, rolled-over dates, BSNs with separators or a lost zero, nine-digit amounts
that pass the elfproef, codes that lost their zero, padding, non-ASCII digits and spaces, BSN tokens in free text,
rows with cells missing or extra, empty lines.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.files import columnar
from ingestion.files.reader import open_file
from ingestion.privacy.pseudonym import Pseudonymiser
from ingestion.sources import werkplein
from ingestion.sources.werkplein import COLUMNS, SOURCE

KEY = b"columnar-test-pseudonym-key-0123"
ENTITY = "werkplein_uitkering"
HEADER = [c.name for c in COLUMNS[ENTITY]]

DATES = ["30-11-2024", "01-01-1970", "1-2-2024", "30-02-2024", "29-02-2023", "29-02-2024", "2024-02-01",
         "2024-02-30", "2024-02-01 10:00", "01/02/2024", "01.02.2024", " 01-02-2024", "00-01-2024", "01-13-2024",
         "01-01-0000", "31-12-9999", "x", "", "٠١-٠٢-٢٠٢٤"]
BSNS = ["111222333", "123456782", "12345672", "111.222.333", "111 222 333", " 111222333", "123456789",
        "000000000", "", "1112223330", "١١١٢٢٢٣٣٣", "abc"]
AMOUNTS = ["915,00", "0,5", ",5", "-3,25", "1.234,56", "1234.56", "0915,00", "111222333", "11122233,5",
           "12345678", "1 234,56", "1\u00a0234,56", "1e3", "NaN", "+5", "", "-0,00", "99999999,123456789012"]
INTS = ["2", "007", "-3", "+5", "32767", "32768", "-40000", "1.0", "", "x", "١"]
FLAGS = ["J", "N", "j", "Ja", "nee", "ONWAAR", "waar", "1", "0", "Y", "x", "", " J"]
POSTCODES = ["7606MR", "7606 mr", "7606", "0606AB", "7606  MR", "7606MRX", " 7606MR", "", "76O6MR"]
TEXTS = ["UK01410000001", "UK 111222333", "REG-111.222.333", "r12345672", "zorg é", "a;b", " padded ", "",
         "WK014116", "\u00a0x", "BSN 12345672"]
CODES = {"geslacht": ["M", "V", "O", "m", "X", ""], "statistiekcode": ["01", "1", "11", "14", " 01", "٠١", "99", ""],
         "leefvorm": ["1", "2", "3", "4", ""], "reden_beeindiging": ["", "1", "01", "12", "x1"],
         "doelgroep": ["participatie", "werkfit", "Werkfit", ""]}


def cell_strategy(column: str) -> st.SearchStrategy[str]:
    kind = next(c.kind for c in COLUMNS[ENTITY] if c.name == column)
    pools = {"date": DATES, "birthdate": DATES, "bsn": BSNS, "decimal": AMOUNTS, "int": INTS, "flag": FLAGS,
             "postcode": POSTCODES}
    return st.sampled_from(CODES.get(column) or pools.get(kind) or TEXTS)


USUAL = ["30-11-2024", "0141", "UK01410000001", "111222333", "30-11-1974", "V", "7606MR", "WK014116", "01", "1",
         "2", "20-12-2021", "", "", "J", "N", "zorgbehoevend", "915,00"]


@st.composite
def line(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["usual", "usual", "drawn", "drawn", "drawn", "short", "long", "long-empty",
                                  "empty", "blank", "separators"]))
    if shape == "empty":
        return ""
    if shape == "blank":
        return "   "
    if shape == "separators":
        return ";" * (len(HEADER) - 1)
    cells = list(USUAL) if shape == "usual" else [draw(cell_strategy(c)) for c in HEADER]
    if shape == "usual" and draw(st.booleans()):  # one unusual cell in an otherwise usual row
        at = draw(st.integers(0, len(HEADER) - 1))
        cells[at] = draw(cell_strategy(HEADER[at]))
    if shape == "short":
        cells = cells[:-1]
    if shape == "long":
        cells.append("extra")
    if shape == "long-empty":
        cells.append("")
    return ";".join(cells)


def parse(path: Path, *, force_rows: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list, dict]:
    with monkeypatch.context() as patch:
        if force_rows:
            patch.setattr(werkplein, "unsuitable", lambda opened: "forced by the test")
        opened = open_file(path)
        try:
            parsed = SOURCE.parse(opened, ENTITY, Pseudonymiser(KEY))
            columnar_used = parsed.tables is not None
            rows = [_comparable(r) for r in parsed.rows]
        finally:
            opened.close()
    problems = [(p, record) for p, record in parsed.screened_problems(personal_file=True)]
    return rows, problems, {"columnar": columnar_used, **parsed.params}


def _comparable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # A decimal is compared with its scale: '915,00' stays 915.00 in numeric on both paths.
    return tuple((v, v.as_tuple().exponent) if isinstance(v, Decimal) else v for v in row)


def write(folder: Path, lines: list[str], *, encoding: str = "utf-8-sig") -> Path:
    path = folder / "werkplein_uitkeringen_0141_202411.csv"
    path.write_bytes(("\r\n".join([";".join(HEADER), *lines]) + "\r\n").encode(encoding))
    return path


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(lines=st.lists(line(), min_size=1, max_size=12))
def test_the_columnar_path_gives_what_the_row_path_gives(lines: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), lines)
        fast = parse(path, force_rows=False, monkeypatch=monkeypatch)
        slow = parse(path, force_rows=True, monkeypatch=monkeypatch)
    assert fast[2].pop("columnar") is True
    assert slow[2].pop("columnar") is False
    assert fast == slow


def test_blocks_number_their_rows_across_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small blocks: rows, the lines Arrow hands to the handler and the doubtful rows keep their file row numbers."""
    lines = []
    for i in range(3000):
        cells = list(USUAL)
        cells[2] = f"UK{i:011d}"
        lines.append(";".join(cells) if i % 97 else ("" if i % 2 else ";".join(cells[:-2])))
        if i % 131 == 0:
            lines[-1] = lines[-1].replace("30-11-1974", "31-02-1974")
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 16 << 10)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), lines)
        fast = parse(path, force_rows=False, monkeypatch=monkeypatch)
        slow = parse(path, force_rows=True, monkeypatch=monkeypatch)
    assert fast[2]["columnar"] and not slow[2]["columnar"]
    assert fast[0] == slow[0] and fast[1] == slow[1]
    assert len(fast[0]) > 2900 and len(fast[1]) > 30


@pytest.mark.parametrize(("text", "why"), [
    ('a;"b""c";d\r\n1;2;3\r\n', "quotes inside a field"),
    ('a;b;c\r\n1;"2\r\n3";4\r\n', "quotes inside a field"),
    ('a;b;c\r\n1;x"y";3\r\n', "quotes inside a field"),
    ('a;b;c\r\n1;"2;3\r\n', "a quote without its pair"),
    ("\r\na;b;c\r\n1;2;3\r\n", "the header is not on line 1"),
    ("a;b;c\r\n1;\x002;3\r\n", "a NUL character"),
    ("a;b;c\r1;2;3\r", "a line that ends in CR alone"),
])
def test_a_file_the_two_readers_would_split_differently_keeps_the_row_path(tmp_path: Path, text: str,
                                                                           why: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    opened = open_file(path)
    try:
        assert (columnar.unsuitable(opened) or "").startswith(why)
    finally:
        opened.close()


def test_quoted_fields_and_windows_1252_take_the_columnar_path(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [";".join(f'"{c}"' for c in USUAL), ";".join(USUAL).replace("zorgbehoevend", "zorg é")]
    path = write(tmp_path, lines, encoding="cp1252")
    fast = parse(path, force_rows=False, monkeypatch=monkeypatch)
    slow = parse(path, force_rows=True, monkeypatch=monkeypatch)
    assert fast[2]["columnar"] and fast[2]["dialect"]["encoding"] == "cp1252"
    assert fast[0] == slow[0] and fast[1] == slow[1] and len(fast[0]) == 1 and len(fast[1]) == 1


def test_block_pseudonyms_equal_the_row_paths() -> None:
    pseudonymiser = Pseudonymiser(KEY)
    values = ["111222333", "123456782", "012345672"]
    sliced = pa.array(["x", *values])[1:]  # an array with an offset, as a block's filter gives
    assert pseudonymiser.of_checked_block(sliced).to_pylist() == [Pseudonymiser(KEY).bsn(v) for v in values]


@pytest.mark.parametrize(("text", "why"), [
    ("\ufeffa;b;c\r\n\ufeff1;2;3\r\n", "a byte order mark inside the file"),  # Arrow drops it at a block's start
    ("\x0c\r\na;b;c\r\n1;2;3\r\n", "the header is not on line 1"),  # a line str.strip() finds empty
    ("\u00a0\r\na;b;c\r\n1;2;3\r\n", "the header is not on line 1"),
])
def test_what_only_one_reader_would_strip_keeps_the_row_path(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    opened = open_file(path)
    try:
        assert columnar.unsuitable(opened) == why
    finally:
        opened.close()


def test_a_byte_order_mark_at_the_start_of_a_data_line_is_judged_as_the_row_path_judges_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, ["\ufeff" + ";".join(USUAL), ";".join(USUAL)])
    fast = parse(path, force_rows=False, monkeypatch=monkeypatch)
    slow = parse(path, force_rows=True, monkeypatch=monkeypatch)
    assert not fast[2]["columnar"]
    assert fast[:2] == slow[:2] and len(fast[1]) == 1  # row 2: peildatum is not a date


def test_stopping_early_ends_the_read_ahead_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that stops mid-file (a rejected file, an error in COPY, an interrupt) leaves no thread behind, and
    no block of clear BSNs with it."""
    import threading

    monkeypatch.setattr(columnar, "BLOCK_BYTES", 2 << 10)
    path = write(tmp_path, [";".join(USUAL)] * 2000)
    opened = open_file(path)
    parsed = SOURCE.parse(opened, ENTITY, Pseudonymiser(KEY))
    tables = parsed.tables
    assert next(tables).num_rows > 0
    done = threading.Event()

    def close() -> None:
        tables.close()
        done.set()

    threading.Thread(target=close, daemon=True).start()
    assert done.wait(10), "closing the tables hung on the read-ahead thread"
    assert not [t for t in threading.enumerate() if t.name == "csv-read-ahead"]
    opened.close()


def test_an_error_while_typing_ends_the_read_ahead_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(columnar, "BLOCK_BYTES", 2 << 10)
    lines = [";".join(USUAL)] * 2000
    lines[1500] = lines[1500].replace("30-11-1974", "31-02-1974")  # a doubtful row: the row path runs

    def broken_row_path(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(werkplein.WerkpleinSource, "_row", staticmethod(broken_row_path))
    path = write(tmp_path, lines)
    opened = open_file(path)
    parsed = SOURCE.parse(opened, ENTITY, Pseudonymiser(KEY))
    with pytest.raises(KeyboardInterrupt):
        for _ in parsed.tables:
            pass
    assert not [t for t in threading.enumerate() if t.name == "csv-read-ahead"]
    opened.close()
