"""`python -m ingestion`: the same code path as the DAG, one JSON line per batch, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg


def run_cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
           "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")}
    return subprocess.run([sys.executable, "-m", "ingestion", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_cbs_load_prints_one_json_line_and_publishes(fresh_warehouse_url: str, tmp_path: Path) -> None:
    done = run_cli(fresh_warehouse_url, tmp_path, "cbs", "86003NED")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    # observation rows (355 regions: every gemeente, Nederland and Almelo's 12 wijken; 4 peildata, 6 topics) and 26
    # metadata and code rows (1 table info, 21 data properties, 4 periods)
    assert record["status"] == "published" and record["rows"] == 355 * 4 * 6 + 26
    assert record["source_ref"] == "86003NED"
    with psycopg.connect(fresh_warehouse_url) as conn:
        assert conn.execute("select status from audit.load_batch where batch_id = %s",
                            (record["batch_id"],)).fetchone()[0] == "published"
    again = json.loads(run_cli(fresh_warehouse_url, tmp_path, "cbs", "86003NED").stdout)
    assert again["status"] == "unchanged" and again["duplicate_of"] == record["batch_id"]


def test_since_limits_the_periods_requested(fresh_warehouse_url: str, tmp_path: Path) -> None:
    done = run_cli(fresh_warehouse_url, tmp_path, "cbs", "86003NED", "--since", "2024MM09", "--no-validate")
    record = json.loads(done.stdout)
    assert record["status"] == "loaded"
    with psycopg.connect(fresh_warehouse_url) as conn:
        periods = {r[0] for r in conn.execute("select distinct period_code from raw.cbs_observation")}
    assert periods == {"2024MM09", "2024MM12"}


def test_an_unknown_table_is_a_clear_failure_not_a_stack_trace(fresh_warehouse_url: str, tmp_path: Path) -> None:
    done = run_cli(fresh_warehouse_url, tmp_path, "cbs", "12345XYZ")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert record["status"] == "failed" and "12345XYZ" in record["message"]
    assert "Traceback" not in done.stderr


def test_no_warehouse_configured_says_how_to_fix_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", "AIRFLOW_CONN_WAREHOUSE")}
    done = subprocess.run([sys.executable, "-m", "ingestion", "migrate"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "WAREHOUSE_URL" in done.stderr and "Traceback" not in done.stderr
