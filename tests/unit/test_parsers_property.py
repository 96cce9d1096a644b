"""Property: whatever Werkplein rows the generator's writers put in a file, the file reader gives back the same typed
values, in every export dialect (``generate.dialect_for_month``: UTF-8 with BOM, Windows-1252, every field quoted,
and XLSX).

Rows are drawn over the column kinds of the data contract (ingestion/sources/werkplein.py): dates, codes, flags,
whole numbers, amounts with a decimal comma, BSNs (pseudonymised on reading), birth dates (read as the year),
postcodes (read as their four digits), and the free-text columns (registratienummer, wijkcode) with separators,
quotes, newlines, accents and any other character the dialect's encoding has. They are written by the generator's
own writers (``_CsvOut``, ``_XlsxOut``) and read back by ``open_file`` and the Werkplein source's typing.

What the reader is documented to do to a value is part of the expectation: text is trimmed of surrounding
whitespace. Not covered: a Windows-1252 file whose bytes happen to be valid UTF-8 as well (e.g. "Ã©" or "é’’"),
which the encoding detection (no BOM to go by) reads as UTF-8; such files are discarded with ``assume``.
"""

from __future__ import annotations

import string
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingestion.dev.generate import COLUMNS, DIALECTS, ENTITIES, Dialect, _CsvOut, _XlsxOut, dialect_for_month
from ingestion.files.reader import open_file
from ingestion.privacy.bsn import is_valid_bsn
from ingestion.privacy.pseudonym import Pseudonymiser
from ingestion.sources.werkplein import ENTITIES as RAW_ENTITY
from ingestion.sources.werkplein import SOURCE

KEY = b"property-test-pseudonym-key-0123"
PSEUDONYMS = Pseudonymiser(KEY)
Cell = tuple[str, Any]  # (what the writer is given, what the reader must give back)

# --- cells: (text written, typed value expected) -----------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31))  # Excel's serials are exact from March 1900


def _dmy(d: date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def optional(cells: st.SearchStrategy[Cell]) -> st.SearchStrategy[Cell]:
    return st.one_of(st.just(("", None)), cells)


def date_cell() -> st.SearchStrategy[Cell]:
    return DATES.map(lambda d: (_dmy(d), d))


def code_cell(*codes: str) -> st.SearchStrategy[Cell]:
    return st.sampled_from(codes).map(lambda c: (c, c))


def int_cell(low: int, high: int) -> st.SearchStrategy[Cell]:
    return st.integers(low, high).map(lambda n: (str(n), n))


def amount_cell(places: int) -> st.SearchStrategy[Cell]:
    """An amount as the generator writes it: decimal comma, ``places`` decimals (uren: no ',0' on whole hours)."""
    def cell(value: Decimal) -> Cell:
        text = f"{value:.{places}f}"
        if places == 1 and text.endswith(".0"):
            text = text[:-2]
        return text.replace(".", ","), Decimal(text)

    return st.decimals(min_value=-99999, max_value=99999, places=places, allow_nan=False,
                       allow_infinity=False).map(cell)


@st.composite
def bsn_cell(draw: st.DrawFn) -> Cell:
    prefix = draw(st.integers(0, 99_999_999).map(lambda n: f"{n:08d}"))
    total = sum(w * int(c) for w, c in zip((9, 8, 7, 6, 5, 4, 3, 2), prefix, strict=True))
    check = total % 11
    assume(check < 10)
    bsn = prefix + str(check)
    assume(is_valid_bsn(bsn))
    return bsn, PSEUDONYMS.bsn(bsn)


def postcode_cell() -> st.SearchStrategy[Cell]:
    return st.tuples(st.integers(1000, 9999), st.text(string.ascii_uppercase, min_size=2, max_size=2)).map(
        lambda t: (f"{t[0]}{t[1]}", str(t[0])))


def text_alphabet(dialect: Dialect) -> st.SearchStrategy[str]:
    """Separators, quotes, line breaks, accents; and any other character the dialect's encoding can hold (no
    control characters but tab, CR and LF; XLSX: what XML 1.0 allows)."""
    tricky = st.sampled_from(list(';,|\t"\'\r\n &<>éëïöüçñàÉËÏÖÜß€’‘“”–…°'))
    if dialect.encoding == "cp1252":
        other = st.characters(codec="cp1252", exclude_categories=("Cc",))
    else:
        other = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co"))
    return st.one_of(tricky, other, st.sampled_from(string.ascii_letters + string.digits))


def text_cell(dialect: Dialect, *, required: bool) -> st.SearchStrategy[Cell]:
    texts = st.text(text_alphabet(dialect), min_size=1, max_size=25)
    if required:
        texts = texts.filter(lambda t: t.strip())
    return texts.map(lambda t: (t, t.strip() or None))


# --- rows per entity ---------------------------------------------------------------------------------------------


def _ended(start: date) -> st.SearchStrategy[Cell]:
    return optional(st.integers(0, 4000).map(lambda n: min(start + timedelta(days=n), date(2099, 12, 31)))
                    .map(lambda d: (_dmy(d), d)))


@st.composite
def row(draw: st.DrawFn, entity: str, dialect: Dialect) -> tuple[list[str], tuple]:
    """One row: the cells in the contract's column order, and the typed values the reader must give for them."""
    flag = optional(st.sampled_from([("J", True), ("N", False)]))
    specs: dict[str, Callable[[dict[str, Any]], st.SearchStrategy[Cell]]] = {
        "peildatum": lambda _: date_cell(),
        "gemeentecode": lambda _: st.from_regex(r"\A[0-9]{4}\Z").map(lambda c: (c, c)),
        "registratienummer": lambda _: text_cell(dialect, required=True),
        "registratienummer_voorziening": lambda _: text_cell(dialect, required=True),
        "bsn": lambda _: bsn_cell(),
        "geboortedatum": lambda _: optional(DATES.map(lambda d: (_dmy(d), d.year))),
        "geslacht": lambda _: optional(code_cell("M", "V", "O")),
        "postcode": lambda _: optional(postcode_cell()),
        "wijkcode": lambda _: text_cell(dialect, required=False) | st.just(("", None)),
        "statistiekcode": lambda _: code_cell("01", "02", "03", "11", "12", "14"),
        "leefvorm": lambda _: optional(code_cell("1", "2", "3")),
        "aantal_kostendelers": lambda _: optional(int_cell(1, 9)),
        "ingangsdatum": lambda _: date_cell(),
        "begindatum": lambda _: date_cell(),
        "einddatum": lambda drawn: _ended(drawn.get("ingangsdatum", drawn.get("begindatum"))),
        "reden_beeindiging": lambda _: optional(st.integers(10, 99).map(lambda n: (str(n), str(n)))),
        "ontheffing_arbeidsplicht": lambda _: flag,
        "tegenprestatie": lambda _: flag,
        "doelgroep": lambda _: optional(code_cell("participatie", "zorgbehoevend", "werkfit")),
        "uitkeringsbedrag": lambda _: optional(amount_cell(2)),
        "type_voorziening": lambda _: code_cell("01", "03", "04", "05", "06", "07", "08", "99"),
        "reden_einde": lambda _: optional(code_cell("1", "2", "3")),
        "participatieladder": lambda _: optional(int_cell(1, 5)),
        "loonwaarde": lambda _: optional(st.integers(0, 100).map(lambda n: (str(n), Decimal(n)))),
        "soort": lambda _: code_cell("tegenprestatie", "vrijwilligerswerk", "mantelzorg"),
        "uren_per_week": lambda _: optional(amount_cell(1)),
    }
    drawn: dict[str, Any] = {}
    cells, values = [], []
    for column in COLUMNS[entity]:
        text, value = draw(specs[column](drawn))
        drawn[column] = value
        cells.append(text)
        values.append(value)
    return cells, tuple(values)


@st.composite
def export(draw: st.DrawFn, dialect: Dialect) -> tuple[str, list[tuple[list[str], tuple]]]:
    entity = draw(st.sampled_from(ENTITIES))
    return entity, draw(st.lists(row(entity, dialect), min_size=1, max_size=6))


# --- the property --------------------------------------------------------------------------------------------------


def write(folder: Path, entity: str, dialect: Dialect, rows: list[list[str]]) -> Path:
    path = folder / f"werkplein_{entity}_0141_202401{dialect.suffix}"
    out = (_XlsxOut(path, entity, COLUMNS[entity], date(2024, 1, 31)) if dialect.suffix == ".xlsx"
           else _CsvOut(path, dialect, COLUMNS[entity]))
    for cells in rows:
        out.writerow(cells)
    out.close()
    return path


def read(path: Path, entity: str) -> tuple[list[tuple], list]:
    opened = open_file(path)
    try:
        parsed = SOURCE.parse(opened, RAW_ENTITY[entity], PSEUDONYMS)
        rows = list(parsed.rows)
    finally:
        opened.close()
    return rows, [p.describe(path.name) for p, _ in parsed.problems]


def test_every_dialect_of_the_generator_is_covered() -> None:
    assert {dialect_for_month(m).name for m in range(1, 13)} == set(DIALECTS)


@pytest.mark.parametrize("dialect", list(DIALECTS.values()), ids=list(DIALECTS))
def test_what_the_generator_writes_is_read_back_as_the_same_typed_values(dialect: Dialect) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(data=export(dialect))
    def round_trip(data: tuple[str, list[tuple[list[str], tuple]]]) -> None:
        entity, rows = data
        with tempfile.TemporaryDirectory() as folder:
            path = write(Path(folder), entity, dialect, [cells for cells, _ in rows])
            if dialect.encoding == "cp1252":
                raw = path.read_bytes()
                try:
                    raw.decode("utf-8")
                    assume(raw.isascii())  # valid UTF-8 with accents: indistinguishable, see the module docstring
                except UnicodeDecodeError:
                    pass
            got, problems = read(path, entity)
        assert problems == []
        assert [r[0] for r in got] == list(range(2, len(rows) + 2))  # spreadsheet row numbers, header = 1
        assert [r[1:] for r in got] == [values for _, values in rows]

    round_trip()
