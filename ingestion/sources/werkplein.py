"""Werkplein Participatiewet exports (SOURCES.md §4): uitkeringen, voorzieningen, activiteiten per month.

These files hold personal data. The BSN is checked with the elfproef and replaced by its keyed pseudonym while the
row is typed, the birth date becomes a year and the postcode its four digits; nothing else of a person is read.
Columns the contract does not name are not stored (they could hold names or addresses): only their headers are
recorded with the batch, so a changed export is noticed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow.compute as pc

from ingestion.files.columnar import ColumnarTyper, python_rows, unsuitable
from ingestion.files.contract import ParsedFile
from ingestion.files.reader import Column, OpenedFile, Problem, RowTyper, detect_decimal, shown_header
from ingestion.privacy.pseudonym import Pseudonymiser

FILE_RE = re.compile(
    r"werkplein_(?P<entity>uitkeringen|voorzieningen|activiteiten)_(?P<gemeentecode>\d{4})"
    r"_(?P<yyyymm>\d{4}(?:0[1-9]|1[0-2]))(?:[_-][^.]*)?\.(?:csv|xlsx)"  # a month 13 is no month: the name is refused
)
ENTITIES = {"uitkeringen": "werkplein_uitkering", "voorzieningen": "werkplein_voorziening",
            "activiteiten": "werkplein_activiteit"}


def _codes(*values: str) -> frozenset[str]:
    return frozenset(values)


BSN = Column("bsn", "bsn", nullable=False, personal=True)
GEMEENTECODE = Column("gemeentecode", "code", nullable=False, width=4)
PEILDATUM = Column("peildatum", "date", nullable=False)

# The contract's columns per entity, in raw-table order (bsn lands as persoon_pseudoniem, geboortedatum as
# geboortejaar, postcode as postcode4).
COLUMNS: dict[str, tuple[Column, ...]] = {
    "werkplein_uitkering": (
        PEILDATUM,
        GEMEENTECODE,
        Column("registratienummer", nullable=False, bsn_in_text="pseudonym"),
        BSN,
        Column("geboortedatum", "birthdate", personal=True),
        Column("geslacht", "code", values=_codes("M", "V", "O")),
        Column("postcode", "postcode", personal=True),
        Column("wijkcode", required=False),
        Column("statistiekcode", "code", nullable=False, width=2, values=_codes("01", "02", "03", "11", "12", "14")),
        Column("leefvorm", "code", values=_codes("1", "2", "3")),
        Column("aantal_kostendelers", "int"),
        Column("ingangsdatum", "date", nullable=False),
        Column("einddatum", "date"),
        Column("reden_beeindiging", "code", width=2),
        Column("ontheffing_arbeidsplicht", "flag"),
        Column("tegenprestatie", "flag"),
        Column("doelgroep", values=_codes("participatie", "zorgbehoevend", "werkfit")),
        Column("uitkeringsbedrag", "decimal"),
    ),
    "werkplein_voorziening": (
        PEILDATUM,
        GEMEENTECODE,
        Column("registratienummer_voorziening", nullable=False, bsn_in_text="pseudonym"),
        BSN,
        Column("type_voorziening", "code", nullable=False, width=2,
               values=_codes("01", "03", "04", "05", "06", "07", "08", "99")),
        Column("begindatum", "date", nullable=False),
        Column("einddatum", "date"),
        Column("reden_einde", "code", values=_codes("1", "2", "3")),
        Column("participatieladder", "int"),
        Column("loonwaarde", "decimal"),
    ),
    "werkplein_activiteit": (
        PEILDATUM,
        GEMEENTECODE,
        BSN,
        Column("soort", nullable=False, values=_codes("tegenprestatie", "vrijwilligerswerk", "mantelzorg")),
        Column("uren_per_week", "decimal"),
    ),
}
RAW_NAMES = {"bsn": "persoon_pseudoniem", "geboortedatum": "geboortejaar", "postcode": "postcode4"}


@dataclass(frozen=True)
class WerkpleinSource:
    name: str = "werkplein"
    personal_data: bool = True
    example_file_name: str = "werkplein_uitkeringen_0141_202401.csv"

    def delivery(self, file_name: str) -> tuple[str, str] | None:
        match = FILE_RE.fullmatch(file_name.lower())
        if not match:
            return None
        return ENTITIES[match["entity"]], f"{match['entity']} {match['gemeentecode']} {match['yyyymm']}"

    def name_facts(self, file_name: str) -> dict[str, str]:
        """The name's gemeente and month: every row's gemeentecode and peildatum must be these (a February export
        named January would otherwise be counted twice beside the real February one)."""
        match = FILE_RE.fullmatch(file_name.lower())
        if not match:
            return {}
        year, month = int(match["yyyymm"][:4]), int(match["yyyymm"][4:])
        return {
            "gemeentecode": match["gemeentecode"],
            "period": match["yyyymm"],
            "period_start": date(year, month, 1).isoformat(),
            "period_end": date(year, month, calendar.monthrange(year, month)[1]).isoformat(),
        }

    def parse(self, opened: OpenedFile, entity: str, pseudonymiser: Pseudonymiser | None) -> ParsedFile:
        columns = COLUMNS[entity]
        typer = RowTyper(opened.name, columns, opened.header, pseudonymiser=pseudonymiser,
                         file_type=opened.dialect.file_type)
        decimals = [p for c, p in zip(columns, typer.positions, strict=True) if c.kind == "decimal" and p is not None]
        typer.decimal, rows = detect_decimal(opened, decimals)
        parsed = ParsedFile(entity, [RAW_NAMES.get(c.name, c.name) for c in columns], iter(()), params={
            "dialect": {**opened.dialect.as_dict(), "decimal": typer.decimal},
            "ignored_columns": [shown_header(h) for h in typer.extra],  # names only: contents may be personal
        })
        def row_path(number: int, cells: list[Any]) -> list[Any] | None:
            return self._row(typer, parsed, number, cells)

        if unsuitable(opened) is None:  # a CSV both readers split alike, as columns; doubtful rows: the row path
            parsed.tables = ColumnarTyper(opened, typer, row_path, parsed.columns, _end_before_start).tables()
            parsed.rows = python_rows(parsed.tables, [n for n, c in zip(parsed.columns, columns, strict=True)
                                                      if c.kind == "decimal"])  # for whoever wants Python rows
        else:
            parsed.rows = ((number, *values) for number, cells in rows
                           if (values := row_path(number, cells)) is not None)
        return parsed

    @staticmethod
    def _row(typer: RowTyper, parsed: ParsedFile, number: int, cells: list[Any]) -> list[Any] | None:
        """The row's values, or None when it is quarantined."""
        values, problems = typer.type_row(number, cells)
        record = dict(zip(parsed.columns, values, strict=True))
        start, end = record.get("ingangsdatum") or record.get("begindatum"), record.get("einddatum")
        if start and end and end < start:
            problems.append(Problem(number, "einddatum", str(end), f"before the start date {start}"))
        if problems:
            parsed.reject_row(problems, record)
            return None
        return values


def _end_before_start(columns: dict[str, Any]) -> Any:
    """The rows ``_row`` would quarantine for their dates, for the columnar path to hand it."""
    start = columns.get("ingangsdatum", columns.get("begindatum"))
    return None if start is None or "einddatum" not in columns else pc.less(columns["einddatum"], start)


SOURCE = WerkpleinSource()
