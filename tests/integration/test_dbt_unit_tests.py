"""The dbt project's unit tests (the ``unit_tests:`` beside the models), run once per test run: the nightly build
leaves them out (ingestion.transform.NIGHTLY_BUILD_EXCLUDES), as dbt advises, since their inputs are fixed.

They need the relations their models read to exist (dbt takes the column types from them), so the project is built
first on an empty warehouse of its own (seeds and every model, no raw rows: seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.config import Settings
from ingestion.transform import NIGHTLY_BUILD_EXCLUDES, dbt_vars, run_dbt


def test_every_dbt_unit_test_passes(fresh_warehouse_url: str, tmp_path: Path) -> None:
    cfg = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, "SOURCE_MODE": "recorded",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    variables = ["--vars", json.dumps(dbt_vars(cfg))]
    empty = run_dbt(fresh_warehouse_url, cfg, ["build", "--exclude-resource-type", "test",
                                               *NIGHTLY_BUILD_EXCLUDES, *variables])
    assert empty.returncode == 0 and not empty.failures, empty
    units = run_dbt(fresh_warehouse_url, cfg, ["test", "--select", "test_type:unit", *variables])
    assert units.returncode == 0 and not units.failures, units.failures
    # Every unit test of the project ran (a selector that matched none would pass as well).
    manifest = json.loads((tmp_path / "local" / "dbt" / "target" / "manifest.json").read_text())
    assert units.results == {"pass": len(manifest["unit_tests"])} and len(manifest["unit_tests"]) >= 30
