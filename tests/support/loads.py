"""Loads run as child processes and watched from the server, for the crash and concurrency tests: the settings and
environment of a file load, ``python -m ingestion`` started as Airflow starts it, waiting for a condition, a COPY
seen streaming, the batches and raw rows of a load, a file variant that is not a re-delivery."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from ingestion.config import Settings
from tests.support.settings import LIVE

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = "crash-test-pseudonym-key-0123456789"  # the pseudonymisation key of these loads


def file_settings(url: str, drop: Path, local: Path) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "DROP_DIR": str(drop), "PSEUDONYM_KEY": KEY, **LIVE,
                              "PROGRAMMAMONITOR_LOCAL_DIR": str(local)})


def child_env(url: str, drop: Path, local: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI child: only what it needs (no inherited WAREHOUSE_URL or keys)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WAREHOUSE_URL": url, "PSEUDONYM_KEY": KEY,
            **LIVE, "DROP_DIR": str(drop), "PROGRAMMAMONITOR_LOCAL_DIR": str(local),
            "DATA_DOCS_DIR": str(local / "data_docs"), **extra}


def start_cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """``python -m ingestion <args>`` in its own process group (what a killed Airflow task's tree is)."""
    return subprocess.Popen([sys.executable, "-m", "ingestion", *args], cwd=REPO_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_until(condition: Callable[[], Any], what: str, *, timeout: float = 90, proc: subprocess.Popen | None = None,
               interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the child exited ({proc.returncode}) before {what}:\n{out[-2000:]}\n{err[-3000:]}")
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def copy_streaming(url: str, table: str, min_rows: int = 1) -> int | None:
    """The backend pid of a COPY into raw.<table> of this database that has taken at least ``min_rows`` rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select pid from pg_stat_progress_copy where datname = current_database() and relid = %s::regclass"
            " and tuples_processed >= %s",
            (f"raw.{table}", min_rows),
        ).fetchone()
    return row[0] if row else None


def batches_of(url: str, source_ref: str) -> list[tuple[int, str, str | None]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select batch_id, status, message from audit.load_batch where source_ref = %s order by batch_id",
            (source_ref,),
        ).fetchall()


def raw_rows(url: str, table: str, batch_ids: list[int]) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            f"select count(*) from raw.{table} where batch_id = any(%s)", (batch_ids,)  # noqa: S608 - constant names
        ).fetchone()[0]


def file_variant(source: Path, folder: Path, tag: str, extra_blank_lines: int) -> Path:
    """The file under another allowed name with other bytes (blank lines at the end, which the reader skips): the
    same rows, but not a re-delivery of bytes loaded before, so every test streams it in full."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name.replace(".csv", f"_{tag}.csv")
    shutil.copy(source, target)
    with target.open("ab") as f:
        f.write(b"\r\n" * extra_blank_lines)
    return target
