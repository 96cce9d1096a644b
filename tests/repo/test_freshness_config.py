"""One cadence per source: dbt's source freshness thresholds follow seeds/source_cadence.csv, the table that
marts.data_quality judges freshness by, so `dbt source freshness` and the BI data-quality page never disagree.

The rule: warn once a delivery is late (expected_every_days + grace_days, the data_quality deadline), error once a
whole cycle more is missing (2 x expected_every_days + grace_days). A source whose freshness_basis is
'new_delivery' counts only published batches; 'attempt' (CBS, checked nightly) counts unchanged checks too.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
SOURCE_RE = re.compile(r"source = '(\w+)'")
ENTITY_RE = re.compile(r"entity = '(\w+)'")


def _cadence() -> dict[tuple[str, str], dict[str, str]]:
    with (DBT / "seeds" / "source_cadence.csv").open(newline="") as f:
        return {(r["source_system"], r["entity"]): r for r in csv.DictReader(f)}


def _freshness_checks() -> list[tuple[str, str, dict, str]]:
    """(yml file, table, freshness config, the SQL that selects its batches) for every table dbt checks."""
    checks = []
    for path in sorted((DBT / "models").rglob("_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            inherited = (source.get("config") or {}).get("freshness")
            for table in source.get("tables", []):
                config = table.get("config") or {}
                freshness = config.get("freshness", inherited)
                if freshness:
                    selector = table.get("loaded_at_query") or config.get("loaded_at_query") or freshness.get("filter")
                    checks.append((path.name, table["name"], freshness, selector or ""))
    return checks


def test_every_source_with_a_cadence_has_a_freshness_check() -> None:
    checked = {(SOURCE_RE.search(sel)[1], ENTITY_RE.search(sel)[1] if ENTITY_RE.search(sel) else None)
               for _, _, _, sel in _freshness_checks() if SOURCE_RE.search(sel)}
    for source, entity in _cadence():
        assert (source, entity) in checked or (source, None) in checked, f"no dbt freshness for {source}/{entity}"


@pytest.mark.parametrize(("yml", "table", "freshness", "selector"), _freshness_checks(),
                         ids=[f"{c[0]}:{c[1]}" for c in _freshness_checks()])
def test_freshness_thresholds_follow_the_cadence_seed(yml: str, table: str, freshness: dict, selector: str) -> None:
    source = SOURCE_RE.search(selector)
    assert source, f"{yml} {table}: the freshness query must select batches of one source (source = '...')"
    entity = ENTITY_RE.search(selector)
    rows = [r for (s, e), r in _cadence().items() if s == source[1] and (entity is None or e == entity[1])]
    assert rows, f"{yml} {table}: source {source[1]} has no row in seeds/source_cadence.csv"
    every = max(int(r["expected_every_days"]) for r in rows)
    grace = max(int(r["grace_days"]) for r in rows)
    assert freshness["warn_after"] == {"count": every + grace, "period": "day"}, f"{yml} {table}"
    assert freshness["error_after"] == {"count": 2 * every + grace, "period": "day"}, f"{yml} {table}"
    counts_unchanged = "'unchanged'" in selector
    assert counts_unchanged == all(r["freshness_basis"] == "attempt" for r in rows), (
        f"{yml} {table}: freshness_basis says which batch statuses count"
    )
