"""UWV spanningsindicator files (SOURCES.md §2): one row per arbeidsmarktregio, beroepsklasse and quarter."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingestion.files.contract import ParsedFile
from ingestion.files.reader import Column, OpenedFile, Problem, RowTyper, detect_decimal
from ingestion.privacy.pseudonym import Pseudonymiser

FILE_RE = re.compile(r"uwv_spanningsindicator_(?P<year>\d{4})q(?P<quarter>[1-4])(?:[_-][^.]*)?\.(?:csv|xlsx)")
PERIODE_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*|[Qq]\s*|K[Ww]?\s*)0?([1-4])\s*$")
TYPERINGEN = ("zeer ruim", "ruim", "gemiddeld", "krap", "zeer krap")

COLUMNS = (
    Column("arbeidsmarktregio", nullable=False),
    Column("beroepsklasse", nullable=False),
    Column("periode", nullable=False),
    Column("spanningsindicator", "decimal"),
    Column("typering", required=False),
)
RAW_COLUMNS = ("arbeidsmarktregio", "beroepsklasse", "periode", "period_code", "spanningsindicator", "typering",
               "extra")


def period_code(periode: str) -> str | None:
    """'2022 Q4' / '2022-4' / '2022Q4' / '2022 KW4' -> '2022KW04' (the CBS period code the marts use)."""
    match = PERIODE_RE.match(periode)
    return f"{match.group(1)}KW0{match.group(2)}" if match else None


@dataclass(frozen=True)
class UwvSource:
    name: str = "uwv"
    personal_data: bool = False
    example_file_name: str = "uwv_spanningsindicator_2024Q1.csv"

    def delivery(self, file_name: str) -> tuple[str, str] | None:
        match = FILE_RE.fullmatch(file_name.lower())
        return ("uwv_spanningsindicator", f"{match['year']}Q{match['quarter']}") if match else None

    def name_facts(self, file_name: str) -> dict[str, str]:
        """The name's quarter: every row's periode must be it (2024Q4 -> period_code 2024KW04)."""
        match = FILE_RE.fullmatch(file_name.lower())
        if not match:
            return {}
        return {"period": f"{match['year']}Q{match['quarter']}",
                "period_code": period_code(f"{match['year']}-{match['quarter']}") or ""}

    def parse(self, opened: OpenedFile, entity: str, pseudonymiser: Pseudonymiser | None) -> ParsedFile:
        typer = RowTyper(opened.name, COLUMNS, opened.header)
        typer.decimal, rows = detect_decimal(opened, [p for p in typer.positions[3:4] if p is not None])
        parsed = ParsedFile(entity, RAW_COLUMNS, iter(()), params={
            "dialect": {**opened.dialect.as_dict(), "decimal": typer.decimal},
            "extra_columns": list(typer.extra),
        })
        parsed.rows = self._rows(typer, rows, parsed)
        return parsed

    def _rows(self, typer: RowTyper, rows: Iterator[tuple[int, list[Any]]], parsed: ParsedFile) -> Iterator[tuple]:
        for number, cells in rows:
            (regio, klasse, periode, ratio, typering), problems = typer.type_row(number, cells)
            code = period_code(periode) if periode else None
            if periode and code is None:
                problems.append(Problem(number, "periode", periode, "not a quarter (expected '2022 Q4' or '2022-4')"))
            if typering is not None:
                typering = " ".join(typering.lower().split())
                if typering not in TYPERINGEN:
                    problems.append(Problem(number, "typering", typering, f"not one of {', '.join(TYPERINGEN)}"))
            if ratio is not None and ratio < 0:
                problems.append(Problem(number, "spanningsindicator", str(ratio), "negative"))
            record = {"arbeidsmarktregio": regio, "beroepsklasse": klasse, "periode": periode,
                      "spanningsindicator": ratio, "typering": typering}
            if problems:
                parsed.reject_row(problems, record)
                continue
            extra = json.dumps(typer.extras(cells), ensure_ascii=False)
            yield (number, regio, klasse, periode, code, ratio, typering, extra)


SOURCE = UwvSource()
