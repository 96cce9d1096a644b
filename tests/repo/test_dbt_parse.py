"""`dbt parse` of the project warns of nothing (a yml naming a model that does not exist, a deprecated config, a
test on a missing column ...): warnings are errors here, so a stale reference fails the suite instead of scrolling
by in a night's log."""

from __future__ import annotations

from pathlib import Path

from ingestion.config import settings
from ingestion.transform import run_dbt


def test_dbt_parse_warns_of_nothing(tmp_path: Path) -> None:
    run = run_dbt(None, settings(), ["--warn-error", "parse", "--no-partial-parse"], target_dir=tmp_path)
    assert run.returncode == 0, "dbt parse warned or failed: run `dbt --warn-error parse` in dbt_project/ for why"
