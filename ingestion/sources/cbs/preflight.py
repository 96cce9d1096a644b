"""The CBS pre-flight: does every configured table still exist, and does it have what cbs_tables.yml asks of it?

Metadata requests only (TableInfos/Properties, DataProperties/MeasureCodes and the code lists of the dimensions
the configuration names), no data: the same questions a load asks before its first row, asked of every table at
once, so that a misconfigured table fails the night up front with one line per problem and its fix, and the marts
stay as they were. ``python -m ingestion doctor`` and the CBS DAG's first task run it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import requests

from ingestion.config import Settings
from ingestion.http import make_session
from ingestion.sources.cbs.contract import formula_problems, kind_problems
from ingestion.sources.cbs.odata import CbsError, table_status
from ingestion.sources.cbs.table_config import TableConfig, configured_tables, measure_kinds
from ingestion.sources.cbs.tables import api_for

# The table status of a table that CBS keeps up to date (v3 TableInfos.OutputStatus, v4 Properties.Status). A
# stopped table carries another status ('Gestopt' as far as we know: not seen in stored material, so any other
# value is reported).
CURRENT_STATUS = "Regulier"


@dataclass(frozen=True)
class TableCheck:
    table_id: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_table(settings: Settings, table_id: str, session: requests.Session | None = None) -> TableCheck:
    """Every problem of one configured table, each a line naming the table and its fix."""
    try:
        cfg = TableConfig.from_settings(settings, table_id)
        api = api_for(cfg, settings, session or make_session(settings))
        _modified, info_rows = api.table_info(table_id)
    except CbsError as exc:
        return TableCheck(table_id, [_with_fix(str(exc))])
    problems: list[str] = []
    status = table_status(info_rows)
    if status and status != CURRENT_STATUS:
        problems.append(
            f"CBS table {table_id}: status {status!r}, not {CURRENT_STATUS!r}: CBS no longer updates it -> configure "
            "its successor (the table page on cbs.nl names it) as a new edition in ingestion/config/cbs_tables.yml"
        )
    try:
        layout, topics, _ = api.structure(table_id)
        problems += kind_problems(table_id, cfg.declared, topics)
        dimensions = [d for d in (layout.region_dimension, layout.period_dimension, *layout.other_dimensions) if d]
        for dimension, code in cfg.fixed_dimensions.items():
            if dimension not in dimensions:
                problems.append(
                    f"CBS table {table_id}: fixed dimension {dimension} is not a dimension of the table (it has "
                    f"{', '.join(dimensions) or 'none'}) -> correct fixed_dimensions in cbs_tables.yml"
                )
                continue
            problems += _unknown_codes(table_id, dimension, [code], _codes(api, table_id, dimension))
        if layout.region_dimension and cfg.regions:
            regions = _code_titles(api, table_id, layout.region_dimension)
            problems += _unknown_codes(table_id, layout.region_dimension, cfg.regions, list(regions))
            problems += _not_nederland(table_id, cfg.regions, regions)
        if cfg.period_types and layout.period_dimension:
            periods = _codes(api, table_id, layout.period_dimension)
            for kind in cfg.period_types:
                if not any(p[4:6] == kind for p in periods):
                    problems.append(f"CBS table {table_id}: no period of type {kind} in {layout.period_dimension} "
                                    "-> correct period_types in cbs_tables.yml")
    except CbsError as exc:
        problems.append(_with_fix(str(exc)))
    return TableCheck(table_id, problems)


def _codes(api: object, table_id: str, dimension: str) -> list[str]:
    return list(_code_titles(api, table_id, dimension))


def _code_titles(api: object, table_id: str, dimension: str) -> dict[str, str]:
    """A dimension's codes (padding stripped) with their titles."""
    try:
        codes = api.codes(table_id, dimension)  # type: ignore[attr-defined]
    except CbsError as exc:
        if "HTTP 404" in str(exc):
            raise CbsError(f"CBS table {table_id}: no code list for dimension {dimension} (HTTP 404) -> is "
                           f"{dimension} a dimension of this table? Compare cbs_tables.yml with cbs_evidence/") from exc
        raise
    return {str(c.get("Key") or "").rstrip(): str(c.get("Title") or "").strip() for c in codes}


def _not_nederland(table_id: str, wanted: list[str], regions: dict[str, str]) -> list[str]:
    """A configured country code (NL..) whose rows are not Nederland. In the uitkeringen wijken-en-buurten tables
    NL00 is "Totaal" (Nederland plus persons living abroad) and NL98 "Buitenland"; in the Kerncijfers and the
    politie tables NL00 is Nederland. The marts read NL00 as Nederland (NL01), so a "Totaal" would pass for it.
    A code without a title in the code list (none seen so far) cannot be judged and is let through."""
    country = sorted({c for prefix in wanted if prefix.startswith("NL") for c in regions if c.startswith(prefix)})
    nederland = next((c for c, title in regions.items() if title == "Nederland"), None)
    fix = f"configure {nederland} (titled Nederland) instead" if nederland else "leave it out"
    return [f"CBS table {table_id}: region {code} is {regions[code]!r} there, not Nederland -> {fix} in "
            "cbs_tables.yml" for code in country if regions[code] and regions[code] != "Nederland"]


def _unknown_codes(table_id: str, dimension: str, wanted: list[str], codes: list[str]) -> list[str]:
    """Configured codes or code prefixes (matched with startswith, as the loader's filter does) that match none."""
    problems = []
    for prefix in wanted:
        if not any(code.startswith(prefix) for code in codes):
            near = sorted({c for c in codes if c[:2] == prefix[:2]})[:5]
            hint = f" (codes there of that kind: {', '.join(near)}, ...)" if near else ""
            problems.append(
                f"CBS table {table_id}: code {prefix} matches no code of dimension {dimension}{hint} -> correct "
                "it in cbs_tables.yml (cbs_evidence/ lists the real codes)"
            )
    return problems


def _with_fix(message: str) -> str:
    if "->" in message:
        return message
    if "not found (HTTP 404)" in message:
        return f"{message} -> the table id does not exist (any more): check it on cbs.nl and in cbs_evidence/"
    return f"{message} -> check the CBS service and the table's entry in cbs_tables.yml"


def preflight(settings: Settings, table_ids: list[str] | None = None,
              session: requests.Session | None = None) -> list[TableCheck]:
    """Every configured table (or the ones named) checked, plus the formulas against the declared kinds."""
    session = session or make_session(settings)
    checks = [check_table(settings, table_id, session) for table_id in (table_ids or configured_tables(settings))]
    formulas_file = settings.dbt_project_dir / "seeds" / "indicator_formula.csv"
    if formulas_file.is_file() and not table_ids:
        with formulas_file.open(encoding="utf-8", newline="") as f:
            problems = formula_problems(measure_kinds(settings), list(csv.DictReader(f)))
        checks.append(TableCheck("indicator_formula.csv", problems))
    return checks


class PreflightFailed(CbsError):
    """The configuration asks of CBS what CBS does not have; the message lists every problem."""


def require_preflight(settings: Settings, table_ids: list[str] | None = None) -> list[TableCheck]:
    """The pre-flight, raising one error that lists every problem when there is any (the DAG's first task)."""
    checks = preflight(settings, table_ids)
    problems = [p for check in checks for p in check.problems]
    if problems:
        raise PreflightFailed(f"CBS pre-flight: {len(problems)} problem(s):\n" + "\n".join(problems))
    return checks
