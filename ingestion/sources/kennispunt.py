"""Kennispunt Twente monitor exports (SOURCES.md §3), in either layout, landed in long form.

- long: ``indicator;gebiedcode;gebiednaam;periode;waarde;eenheid``, one value per row;
- wide (Swing export): ``GEOITEM;PERIOD;<indicator>;<indicator>;...``, one row per area and period.

A suppressed cell (``<10``, ``<5``, ``*``, ``x``) loads as NULL with ``is_suppressed``: never as 0 or as 10.
An empty ``waarde`` in the long layout is kept as NULL (the period is in the export but was not measured); an
empty cell in the wide layout means the item was not asked there, and is not a value at all. A wide row with no
value in any column lands nothing: it goes to quarantine, so that every row of the file is accounted for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ingestion.files.contract import ParsedFile
from ingestion.files.reader import (
    UNCOMPUTED_FORMULA,
    Column,
    FileRejected,
    OpenedFile,
    Problem,
    RowTyper,
    UncomputedFormula,
    detect_decimal,
    normalise_header,
    parse_decimal,
    storable,
)
from ingestion.privacy.pseudonym import Pseudonymiser

FILE_RE = re.compile(r"kennispunt_(?P<onderwerp>[a-z0-9]+(?:[a-z0-9-]*))_(?P<date>\d{8})(?:[_-][^.]*)?\.(?:csv|xlsx)")
SUPPRESSED_RE = re.compile(r"^(<\s*\d+|\*|x|-)$", re.IGNORECASE)

LONG_COLUMNS = (
    Column("indicator", nullable=False),
    Column("gebiedcode", nullable=False),
    Column("gebiednaam", required=False),
    Column("periode", nullable=False),
    Column("waarde"),
    Column("eenheid", required=False),
)
WIDE_KEYS = (Column("GEOITEM", nullable=False), Column("PERIOD", nullable=False, aliases=("periode",)))
RAW_COLUMNS = ("layout", "indicator", "gebiedcode", "gebiednaam", "periode", "waarde", "is_suppressed",
               "suppressed_as", "eenheid", "extra")


def read_value(text: Any, decimal: str) -> tuple[Decimal | None, str | None]:
    """(value, suppressed_as): '12,5' -> (12.5, None); '<10' -> (None, '<10'); '' -> (None, None).

    A number cell of a spreadsheet is taken as it is (no decimal mark involved)."""
    if isinstance(text, UncomputedFormula):
        raise ValueError(UNCOMPUTED_FORMULA)
    if isinstance(text, int | float) and not isinstance(text, bool):
        return storable(Decimal(str(text))), None
    if text is None or not str(text).strip():
        return None, None
    if SUPPRESSED_RE.match(text.strip()):
        return None, text.strip()
    return parse_decimal(text, decimal), None


@dataclass(frozen=True)
class KennispuntSource:
    name: str = "kennispunt"
    personal_data: bool = False
    example_file_name: str = "kennispunt_burgerpanel_20240601.csv"

    def delivery(self, file_name: str) -> tuple[str, str] | None:
        match = FILE_RE.fullmatch(file_name.lower())
        # A newer export of the same onderwerp holds its whole history: it replaces the older one downstream.
        return ("kennispunt_waarde", match["onderwerp"]) if match else None

    def name_facts(self, file_name: str) -> dict[str, str]:
        # The name says no gemeente, and the date is the export's: an export holds the onderwerp's whole history.
        return {}

    def parse(self, opened: OpenedFile, entity: str, pseudonymiser: Pseudonymiser | None) -> ParsedFile:
        headers = {normalise_header(h) for h in opened.header}
        if {"indicator", "waarde"} <= headers:
            typer = RowTyper(opened.name, LONG_COLUMNS, opened.header)
            typer.decimal, rows = detect_decimal(opened, [typer.positions[4]])
            layout, generate = "long", self._long_rows
        elif {"geoitem"} <= headers and headers & {"period", "periode"}:
            typer = RowTyper(opened.name, WIDE_KEYS, opened.header)
            used = {p for p in typer.positions if p is not None}
            indicators = [h for i, h in enumerate(opened.header) if i not in used and h.strip()]
            keys = [normalise_header(h) for h in indicators]
            twice = sorted({h for h, k in zip(indicators, keys, strict=True) if keys.count(k) > 1})
            if twice:  # the values are keyed by the indicator's header: one of the columns would vanish
                raise FileRejected(opened.name, f"indicator {' / '.join(twice)} appears more than once in the header:"
                                   " which column holds the data cannot be known", row=1, column=twice[0])
            typer.decimal, rows = detect_decimal(opened, list(typer.extra.values()))
            layout, generate = "wide", self._wide_rows
        else:
            raise FileRejected(
                opened.name,
                "neither Kennispunt layout: expected the columns indicator;gebiedcode;gebiednaam;periode;waarde;"
                f"eenheid (long) or GEOITEM;PERIOD;<indicator>... (wide); the header has: {opened.header_shown}",
                row=1,
            )
        parsed = ParsedFile(entity, RAW_COLUMNS, iter(()), params={
            "dialect": {**opened.dialect.as_dict(), "decimal": typer.decimal},
            "layout": layout,
            ("indicators" if layout == "wide" else "extra_columns"): list(typer.extra),
        })
        parsed.rows = generate(typer, rows, parsed)
        return parsed

    def _long_rows(self, typer: RowTyper, rows: Iterator[tuple[int, list[Any]]], parsed: ParsedFile) -> Iterator[tuple]:
        for number, cells in rows:
            (indicator, gebiedcode, gebiednaam, periode, _, eenheid), problems = typer.type_row(number, cells)
            position = typer.positions[4]
            waarde = cells[position] if position is not None and position < len(cells) else None
            value = suppressed = None
            try:
                value, suppressed = read_value(waarde, typer.decimal)
            except ValueError as exc:
                if not isinstance(waarde, UncomputedFormula):  # the typer has said so for the waarde column
                    problems.append(Problem(number, "waarde", waarde, str(exc)))
            if problems:
                parsed.reject_row(problems, {"indicator": indicator, "gebiedcode": gebiedcode, "periode": periode})
                continue
            extra = json.dumps(typer.extras(cells), ensure_ascii=False)
            yield (number, "long", indicator, gebiedcode, gebiednaam, periode, value, suppressed is not None,
                   suppressed, eenheid, extra)

    def _wide_rows(self, typer: RowTyper, rows: Iterator[tuple[int, list[Any]]], parsed: ParsedFile) -> Iterator[tuple]:
        for number, cells in rows:
            (geoitem, period), problems = typer.type_row(number, cells)
            values = []
            for indicator, position in typer.extra.items():
                cell = cells[position] if position < len(cells) else None
                try:
                    value, suppressed = read_value(cell, typer.decimal)
                except ValueError as exc:
                    problems.append(Problem(number, indicator, str(cell), str(exc)))
                    continue
                if value is not None or suppressed is not None:
                    values.append((indicator, value, suppressed))
            if not values and not problems:
                problems.append(Problem(number, None, None, "no value in any indicator column: nothing to load"))
            if problems:
                parsed.reject_row(problems, {"geoitem": geoitem, "period": period})
                continue
            for indicator, value, suppressed in values:
                yield (number, "wide", indicator, geoitem, None, period, value, suppressed is not None, suppressed,
                       None, "{}")


SOURCE = KennispuntSource()
