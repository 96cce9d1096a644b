"""Shared fixtures: a real PostgreSQL for every test that needs one.

The server is TEST_WAREHOUSE_URL when set, otherwise the project's embedded cluster (started on demand).
Each test session gets a throwaway database, migrated, and dropped at the end; tests that need a pristine
database ask for ``fresh_warehouse_url``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.warehouse import throwaway_warehouse

__all__ = ["throwaway_warehouse"]  # tests import it from here

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"

# Tests never touch the Airflow home of `make run`, nor ~/airflow.
os.environ["AIRFLOW_HOME"] = str(REPO_ROOT / ".local" / "airflow-test")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
# Validations in tests render their Data Docs here, not into the `make run` site.
os.environ.setdefault("DATA_DOCS_DIR", str(REPO_ROOT / ".local" / "test-data-docs"))


def _server_url() -> str:
    url = os.environ.get("TEST_WAREHOUSE_URL")
    if url:
        return url
    from ingestion.embedded_pg import ensure_running

    return ensure_running()


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def warehouse_url(pg_server_url: str) -> Iterator[str]:
    """A migrated throwaway warehouse shared by the session's tests."""
    with throwaway_warehouse(pg_server_url, "pm_test") as url:
        yield url


@pytest.fixture
def fresh_warehouse_url(pg_server_url: str) -> Iterator[str]:
    """A migrated throwaway warehouse of this test's own."""
    with throwaway_warehouse(pg_server_url, "pm_fresh") as url:
        yield url


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is not beside the checkout")
    return SHARED_DIR


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest's hook signature
    """The reliability summary (tests/ledger.py): faults, bad files, crashes tried and handled, rows lost."""
    from tests.ledger import ENTRIES, summary_lines

    if ENTRIES:
        terminalreporter.section("reliability summary")
        for line in summary_lines():
            terminalreporter.write_line(line)
        for entry in ENTRIES:
            terminalreporter.write_line(
                f"  {entry.kind:<11} {'ok ' if entry.handled else 'NOT'} {entry.name}: {entry.outcome}"
            )
