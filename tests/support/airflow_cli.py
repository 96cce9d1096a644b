"""The Airflow command line as `make run` uses it (`airflow db migrate`, `airflow dags test`), for tests: an Airflow
home of the test's own, the output in a log file, a failure with the log's tail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.config import PROJECT_ROOT

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow_env(tmp_path: Path, warehouse_url: str) -> dict[str, str]:
    """The environment of an `airflow` command on a home of its own under ``tmp_path``, for ``warehouse_url``."""
    home = tmp_path / "airflow"
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "WAREHOUSE_URL": warehouse_url,
        "SOURCE_MODE": "recorded",
        "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"),
        "DATA_DOCS_DIR": str(tmp_path / "local" / "data_docs"),
    }


def run_airflow(env: dict[str, str], *args: str, log: Path) -> None:
    """`airflow ARGS` as an operator runs it, its output in ``log``; the test fails with the log's tail otherwise."""
    with log.open("w") as out:
        done = subprocess.run([AIRFLOW, *args], env=env, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"airflow {' '.join(args)} exited {done.returncode}:\n{tail}")
