"""``python -m ingestion explain <indicator_code> <gemeentecode> <period>``: where a value of the marts came from.

Prints the chain of one value of ``marts.fct_indicator_value``: the value (status, period, source), the formula
(numerator / denominator x multiplier), and per input the batch (id, status, loaded at, source mode), the CBS
request or the file (name, sha256) and the raw rows (CBS: table, row number, keys and value; files: row numbers
and values; Werkplein: how many rows were counted and their row numbers - never a person).

It reads ``marts.indicator_value_lineage`` only, as ``bi_reader`` in a read-only transaction, like the programme
report: whoever may read the dashboards may ask where a number came from, and nothing below the marts (no
pseudonym, no server path) can reach the output.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ingestion.report.data import read_as_bi
from ingestion.report.numbers import AMSTERDAM, format_number
from ingestion.warehouse import connect

LINEAGE_SQL = """
select l.*, i.name_nl as indicator_name, i.unit, g.name as gemeente_name, p.label_nl as period_label
from marts.indicator_value_lineage l
left join marts.dim_indicator i on i.indicator_code = l.indicator_code
left join marts.dim_gemeente g on g.gemeentecode = l.gemeentecode
left join marts.dim_period p on p.period_code = l.period_code
where l.indicator_code = %s and l.gemeentecode = %s and l.period_code = %s
order by l.value_source, l.is_primary_measure desc nulls last, l.measure_code, l.input_order, l.batch_id,
         l.raw_row_numbers
"""

ROW_SELECTION = {
    "cel": "the cell itself",
    "rijen": "rows counted",
    "bestand": "the whole file (every row was read)",
    "onderdrukt": "suppressed (small number): only the file is shown, not its rows",
}


class ExplainError(ValueError):
    """Unknown indicator, gemeente or period: a one-line message with close matches."""


@dataclass(frozen=True)
class Query:
    indicator_code: str
    gemeentecode: str
    period_code: str


def normalise_gemeentecode(text: str) -> str:
    """``GM0141``, ``0141`` and ``141`` are Almelo; other area codes (NL01, WK014111, AM05) as given."""
    code = text.strip().upper()
    if code.isdigit() and len(code) <= 4:
        return f"GM{int(code):04d}"
    return code


def normalise_period(text: str) -> str:
    """A CBS period code from what people type: ``2023`` -> 2023JJ00, ``2024-02`` -> 2024MM02,
    ``2024Q1``/``2024-K1`` -> 2024KW01; a CBS code as is."""
    code = text.strip().upper()
    if re.fullmatch(r"\d{4}", code):
        return f"{code}JJ00"
    if (match := re.fullmatch(r"(\d{4})-?(?:M)?(\d{1,2})", code)) and 1 <= int(match[2]) <= 12:
        return f"{match[1]}MM{int(match[2]):02d}"
    if match := re.fullmatch(r"(\d{4})-?(?:Q|K|KW)0?([1-4])", code):
        return f"{match[1]}KW0{match[2]}"
    return code


def _suggest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.5)
    if not close:
        close = [k for k in known if word.lower()[:6] in k.lower()][:3]
    return f"; did you mean {', '.join(close)}?" if close else ""


def _check_known(cur: psycopg.Cursor, query: Query) -> None:
    """A clear error naming what is unknown, before looking for the value."""
    indicators = [r["indicator_code"] for r in cur.execute("select indicator_code from marts.dim_indicator")]
    if query.indicator_code not in indicators:
        raise ExplainError(f"unknown indicator {query.indicator_code!r}{_suggest(query.indicator_code, indicators)}")
    areas = {
        r["gemeentecode"]: r["name"] for r in cur.execute("select gemeentecode, name from marts.dim_gemeente")
    }
    if query.gemeentecode not in areas:
        by_name = [code for code, name in areas.items() if name and name.lower() == query.gemeentecode.lower()]
        hint = f"; did you mean {by_name[0]}?" if by_name else _suggest(query.gemeentecode, sorted(areas))
        raise ExplainError(f"unknown gemeentecode {query.gemeentecode!r}{hint}")
    periods = [
        r["period_code"]
        for r in cur.execute(
            "select distinct period_code from marts.fct_indicator_value where indicator_code = %s and gemeentecode = %s"
            " order by period_code",
            (query.indicator_code, query.gemeentecode),
        )
    ]
    if not periods:
        raise ExplainError(
            f"no values of {query.indicator_code} for {query.gemeentecode} in the marts"
            " (the indicator may not be fed for this area)"
        )
    if query.period_code not in periods:
        hint = _suggest(query.period_code, periods) or f"; periods with a value: {periods[0]} .. {periods[-1]}"
        raise ExplainError(f"no value of {query.indicator_code} for {query.gemeentecode} in period "
                           f"{query.period_code!r}{hint}")


def lineage(url: str, query: Query) -> list[dict[str, Any]]:
    """The rows of marts.indicator_value_lineage for one value, read as bi_reader; ExplainError when unknown."""
    with connect(url, application_name="programmamonitor-explain") as conn:
        read_as_bi(conn)
        with conn.cursor(row_factory=dict_row) as cur:
            _check_known(cur, query)
            return cur.execute(
                LINEAGE_SQL, (query.indicator_code, query.gemeentecode, query.period_code)
            ).fetchall()


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return "-"
    decimals = max(0, min(4, -Decimal(value).normalize().as_tuple().exponent)) if value != int(value) else 0
    return format_number(value, decimals)


def _value_line(row: dict[str, Any]) -> str:
    if row["is_suppressed"]:
        shown = "suppressed (small number)"
    elif row["value"] is None:
        shown = row["value_label"] or "-"
    else:
        shown = _number(row["value"]) + (f" ({row['value_label']})" if row["value_label"] else "")
    flags = ["provisional" if row["is_provisional"] else "final", row["value_source"]]
    return f"value: {shown}   [{', '.join(flags)}; unit {row['unit'] or '-'}]"


def render(query: Query, rows: list[dict[str, Any]]) -> str:
    """The chain as text: one block per measure and value source, one sub-block per input."""
    first = rows[0]
    lines = [
        f"{query.indicator_code} - {first['indicator_name'] or ''}",
        f"  area:   {query.gemeentecode} {first['gemeente_name'] or ''}",
        f"  period: {query.period_code} {first['period_label'] or ''}",
    ]
    blocks: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        blocks[(row["value_source"], row["measure_code"])].append(row)
    for (value_source, measure_code), inputs in blocks.items():
        head = inputs[0]
        primary = ", the status is judged on it" if head["is_primary_measure"] else ""
        lines += ["", f"measure {measure_code} ({head['source_system']}{primary})", f"  {_value_line(head)}"]
        if head["source_title"]:
            lines.append(f"  source: {head['source_title']}")
        if head["formula"]:
            lines.append(f"  formula: {head['formula']}")
        if value_source == "reported":
            lines.append("  quoted in the programme documents (catalogue realised_values): no batch, no raw rows")
            continue
        if head["batch_id"] is None:
            lines.append("  no input recorded for this value")
            continue
        for row in inputs:
            lines += _input_lines(row)
    return "\n".join(lines)


def _input_lines(row: dict[str, Any]) -> list[str]:
    loaded = (
        row["batch_loaded_at"].astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M %Z") if row["batch_loaded_at"] else "-"
    )
    lines = [
        f"  input {row['input_role']}: {row['input_name']} = {_number(row['input_value'])}",
        f"    batch {row['batch_id']}: status {row['batch_status']}, loaded {loaded}, source mode {row['source_mode']}"
        f", {row['batch_entity']} {row['source_ref']}",
    ]
    if row["request_url"]:
        lines.append(
            f"    request ({row['cbs_api']}, {row['request_count']} requests with paging): {row['request_url']}"
        )
    if row["file_name"]:
        size = f", {format_number(row['file_bytes'])} bytes" if row["file_bytes"] is not None else ""
        lines.append(f"    file: {row['file_name']} (sha256 {row['file_sha256']}{size})")
    selection = ROW_SELECTION.get(row["row_selection"], row["row_selection"])
    if row["raw_table"] == "raw.cbs_observation":
        lines.append(
            f"    raw row: {row['raw_table']} table {row['raw_table_id']} row {row['raw_row_numbers']}: "
            f"region {row['raw_region_code']}, period {row['raw_period_code']}, topic {row['raw_topic_key']}"
            + (f", {row['raw_dimensions']}" if row["raw_dimensions"] not in (None, "{}") else "")
            + f" = {_number(row['raw_value'])}"
        )
    elif row["row_selection"] == "cel":
        lines.append(f"    raw row: {row['raw_table']} row {row['raw_row_numbers']} = {_number(row['raw_value'])}")
    elif row["row_selection"] == "rijen":
        lines.append(f"    raw rows: {row['raw_table']}, {format_number(row['raw_row_count'])} {selection}: "
                     f"rows {row['raw_row_numbers'] or '-'}")
    else:
        count = f", {format_number(row['batch_row_count'])} rows" if row["batch_row_count"] is not None else ""
        lines.append(f"    raw rows: {row['raw_table']}, {selection}{count}")
    return lines


def explain(url: str, indicator_code: str, gemeentecode: str, period: str) -> str:
    query = Query(indicator_code.strip(), normalise_gemeentecode(gemeentecode), normalise_period(period))
    rows = lineage(url, query)
    return render(query, rows)
