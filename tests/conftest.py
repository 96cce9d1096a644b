"""Shared fixtures: a real PostgreSQL for every test that needs one.

The server is TEST_WAREHOUSE_URL when set, otherwise the project's embedded cluster (started on demand).
Each test session gets a throwaway database, migrated, and dropped at the end; tests that need a pristine
database ask for ``fresh_warehouse_url``.

`make test` runs the modules on two workers (pytest-xdist, ``--dist loadfile``: a module's fixtures stay on one
worker). Each worker has its own Airflow home and Data Docs folder; what is built once for the whole run (the dbt
manifest) is built by the first worker that needs it, under a file lock, in the run's shared temporary folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.dev.scratch import throwaway_warehouse

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


def _isolate(worker: str) -> None:
    """Environment of this process (``worker``: "gw0", "gw1", ... under pytest-xdist; "main" in a single process)."""
    # Tests never touch the Airflow home of `make run`, nor ~/airflow, nor each other's (a SQLite DB per worker).
    os.environ["AIRFLOW_HOME"] = str(REPO_ROOT / ".local" / f"airflow-test-{worker}")
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # Files a test writes are loaded at once, also by settings read from the environment in live mode.
    os.environ.setdefault("FILE_SETTLE_SECONDS", "0")
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    # Validations that take their settings from the environment render their Data Docs in this run's own folder,
    # never the `make run` site nor an earlier run's (stored results slow every later validation down).
    data_docs = tempfile.mkdtemp(prefix=f"programmamonitor-test-data-docs-{worker}-")
    os.environ["DATA_DOCS_DIR"] = data_docs
    atexit.register(shutil.rmtree, data_docs, True)


def _server_url() -> str:
    url = os.environ.get("TEST_WAREHOUSE_URL")
    if url:
        return url
    from ingestion.dev.embedded_pg import ensure_running

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


@pytest.fixture(scope="session")
def run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every worker of this run (a single process: its own base temp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(request.config, "workerinput") else base


@pytest.fixture(scope="session")
def dbt_manifest(run_dir: Path) -> Path:
    """``dbt_project/target/manifest.json`` (``python -m ingestion manifest``), written once per run: the transform
    DAG renders its dbt tasks from it. One writer at a time, so no worker reads a half-written manifest."""
    from ingestion.config import settings
    from ingestion.transform import write_manifest
    from tests.support.nights import build_once

    return Path(build_once(run_dir, "dbt_manifest", lambda: str(write_manifest(settings()))))


@pytest.fixture(scope="session")
def demo_night(pg_server_url: str, run_dir: Path):
    """The demo night (tests/support/nights.py), built once per run; read it, or take a ``copy_of`` it to write."""
    from tests.support.nights import demo_night

    return demo_night(pg_server_url, run_dir)


@pytest.fixture(scope="session")
def bijstand_night(pg_server_url: str, run_dir: Path):
    """The bijstand night (tests/support/nights.py: 86003NED published and built), once per run; take a ``copy_of``
    it."""
    from tests.support.nights import bijstand_night

    return bijstand_night(pg_server_url, run_dir)


def pytest_configure(config: pytest.Config) -> None:
    from tests.support.nights import run_id

    _isolate(getattr(config, "workerinput", {}).get("workerid", "main"))
    run_id()  # before the workers start: they inherit it


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:  # noqa: ARG001
    """The controller (or the single process) drops the run's shared databases once every worker is done."""
    if hasattr(session.config, "workerinput"):
        return
    from ingestion.dev import embedded_pg
    from tests.support.nights import drop_run_databases

    if not os.environ.get("TEST_WAREHOUSE_URL") and not embedded_pg.status()["running"]:
        return  # no server was needed (nor started) by this run: nothing to drop
    drop_run_databases(_server_url())


# The longest modules first (see the durations every run prints), so that the two workers finish together instead
# of one running a five-minute module alone at the end. `make test` passes --no-loadscope-reorder, or pytest-xdist
# would order the modules by their number of tests instead. Modules are named by file name, whatever their folder
# (tests/dags/test_transform_dag.py is "test_transform_dag.py"): keep the file names unique across the folders.
# test_transform_dag.py builds the demo night first; test_bench.py needs none, so the other worker is not left waiting
# for it (test_lineage.py and test_report.py read it, later).
LONGEST_FIRST = ("test_transform_dag.py", "test_bench.py", "test_concurrency.py", "test_crashes.py", "test_pipeline.py",
                 "test_lineage.py", "test_report.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the others keep their order


# --- the reliability ledger, gathered from every worker --------------------------------------------------------------

LEDGER_PROPERTY = "reliability_ledger"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # noqa: ARG001
    """Each report carries the ledger entries recorded since the last one (plain dicts: they travel from a worker
    to the controller with the report)."""
    from dataclasses import asdict

    from tests.support.ledger import ENTRIES

    global _ledger_sent
    outcome = yield
    report = outcome.get_result()
    if len(ENTRIES) > _ledger_sent:
        report.user_properties.append((LEDGER_PROPERTY, [asdict(e) for e in ENTRIES[_ledger_sent:]]))
        _ledger_sent = len(ENTRIES)


_ledger_sent = 0  # entries of this process already attached to a report
_seen: list = []  # entries of every process, as their reports arrive
_module_seconds: dict[str, float] = {}  # test module -> seconds of its tests, on whichever worker ran it

# A module longer than this holds one worker for a good part of the run: it is flagged in the budget.
MODULE_BUDGET_SECONDS = 90


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """On the controller (or the single process): collect what every test recorded in the ledger, and the time of
    each module (its tests' setup, call and teardown) for the budget."""
    from tests.support.ledger import Entry

    module = report.nodeid.split("::", 1)[0]
    _module_seconds[module] = _module_seconds.get(module, 0.0) + report.duration
    for name, value in report.user_properties:
        if name == LEDGER_PROPERTY:
            _seen.extend(Entry(**entry) for entry in value)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest's hook signature
    """The budget (the slowest modules, those over MODULE_BUDGET_SECONDS flagged) and the reliability summary
    (tests/support/ledger.py): faults, bad files, crashes tried and handled, rows lost."""
    from tests.support.ledger import summary_lines

    if _module_seconds:
        terminalreporter.section("budget: the slowest test modules")
        total = sum(_module_seconds.values())
        slowest = sorted(_module_seconds.items(), key=lambda item: -item[1])[:15]
        for module, seconds in slowest:
            flag = f"  <-- over {MODULE_BUDGET_SECONDS} s" if seconds > MODULE_BUDGET_SECONDS else ""
            terminalreporter.write_line(f"{seconds:8.1f} s  {module}{flag}")
        terminalreporter.write_line(f"{total:8.1f} s  in all ({len(_module_seconds)} modules, summed over workers)")
    if _seen:
        terminalreporter.section("reliability summary")
        for line in summary_lines(_seen):
            terminalreporter.write_line(line)
        for entry in _seen:
            terminalreporter.write_line(
                f"  {entry.kind:<11} {'ok ' if entry.handled else 'NOT'} {entry.name}: {entry.outcome}"
            )
