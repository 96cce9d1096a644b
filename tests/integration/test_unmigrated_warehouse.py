"""A warehouse nobody migrated: every command, and every step a DAG task calls, fails with one clear message that
names the fix (`python -m ingestion migrate`), not with "relation audit.load_batch does not exist" and a traceback.

The check is in one place (ingestion/warehouse.py): a ``with connect(url)`` block that fails for a missing table,
schema or role asks the warehouse whether migrations are pending, and if so says that instead. The CLI asks the same
for a database error from anywhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import Settings
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.warehouse import MIGRATE_COMMAND, NotMigratedError, connect, migration_files, not_migrated

REPO_ROOT = Path(__file__).resolve().parents[2]

# Every command that reads or writes the warehouse; `migrate` itself is the fix.
COMMANDS = {
    "files werkplein": ["files", "werkplein"],
    "files uwv --no-validate": ["files", "uwv", "--no-validate"],
    "cbs": ["cbs", "86003NED"],
    "cbs --all": ["cbs", "--all"],
    "validate": ["validate", "1"],
    "transform": ["transform"],
    "summary": ["summary"],
    "report": ["report"],
    "explain": ["explain", "ep_bijstandsdossiers", "GM0141", "2023"],
    "retention": ["retention", "--dry-run"],
    "doctor": ["doctor"],
}


@pytest.fixture(scope="module")
def unmigrated_url(pg_server_url: str) -> Iterator[str]:
    """An empty database on the test server: a warehouse `python -m ingestion migrate` never ran on."""
    with throwaway_warehouse(pg_server_url, "pm_unmigrated", migrated=False) as url:
        yield url


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
            "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"), "DROP_DIR": str(tmp_path / "drop"),
            "REPORTS_DIR": str(tmp_path / "reports"), "DATA_DOCS_DIR": str(tmp_path / "docs"),
            "RAW_RETENTION_MONTHS": "24", "AIRFLOW_HOME": os.environ.get("AIRFLOW_HOME", str(tmp_path / "airflow"))}


def test_every_command_on_an_unmigrated_warehouse_names_the_fix(unmigrated_url: str, tmp_path: Path) -> None:
    env = _env(unmigrated_url, tmp_path)

    def run(args: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ingestion", *args], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    with ThreadPoolExecutor(max_workers=4) as pool:  # a Python start-up each: side by side
        done = dict(zip(COMMANDS, pool.map(run, COMMANDS.values()), strict=True))

    wrong = {}
    for name, result in done.items():
        output = result.stdout + result.stderr
        if result.returncode == 0 or f"`{MIGRATE_COMMAND}`" not in output or "Traceback" in output:
            wrong[name] = (result.returncode, output[-800:])
    assert not wrong, wrong
    # One line, not the database's message alone: what is wrong and the fix.
    assert "was never migrated" in done["files werkplein"].stderr
    assert 'relation "audit.load_batch" does not exist' in done["files werkplein"].stderr
    with psycopg.connect(unmigrated_url) as conn:  # and nothing was created on the way
        assert conn.execute("select to_regclass('audit.load_batch')").fetchone()[0] is None


def test_the_steps_dag_tasks_call_say_the_same(unmigrated_url: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from ingestion.transform import plan_refresh
    from ingestion.validation import validate_batch

    cfg = Settings.from_env(_env(unmigrated_url, tmp_path))
    steps = {
        "load_files": lambda: pipeline.load_files("uwv", cfg=cfg),  # demo mode: the folder gets its sample files
        "new_files (the drop-folder sensor)": lambda: pipeline.new_files("uwv", cfg),
        "load_cbs_table": lambda: pipeline.load_cbs_table("86003NED", cfg=cfg),
        "validate_batch": lambda: validate_batch(unmigrated_url, 1),
        "published_since": lambda: pipeline.published_since("uwv", datetime.now(UTC), cfg),
        "plan_refresh (transform)": lambda: plan_refresh(unmigrated_url, cfg),
    }
    for name, step in steps.items():
        with pytest.raises(NotMigratedError, match=MIGRATE_COMMAND) as raised:
            step()
        assert isinstance(raised.value.__cause__, psycopg.errors.UndefinedTable), name  # the cause stays attached


def test_a_warehouse_behind_the_code_names_the_migrations_it_lacks(fresh_warehouse_url: str) -> None:
    last = migration_files()[-1][0]
    with psycopg.connect(fresh_warehouse_url) as conn:
        conn.execute("delete from audit.schema_migration where name = %s", (last,))
    with pytest.raises(NotMigratedError) as raised, connect(fresh_warehouse_url) as conn:
        conn.execute("select * from audit.a_table_of_a_later_migration")
    assert f"1 of {len(migration_files())} migrations not applied ({last})" in str(raised.value)
    assert MIGRATE_COMMAND in str(raised.value)


def test_a_missing_table_in_a_migrated_warehouse_is_reported_as_itself(warehouse_url: str) -> None:
    """Migrated: the error has another cause, and the database's own message is the one to see."""
    with pytest.raises(psycopg.errors.UndefinedTable), connect(warehouse_url) as conn:
        conn.execute("select * from audit.no_such_table")
    assert not_migrated(warehouse_url, psycopg.errors.UndefinedTable("x")) is None
    assert not_migrated(warehouse_url, ValueError("x")) is None  # only errors a missing object explains
