"""Every DAG imports cleanly, quickly and without I/O, and carries what operations need (owner, retries, tags)."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parent.parent / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
# Airflow puts the DAGs folder (its bundle) on sys.path; the DAG files import the shared dags/programmamonitor.
if str(DAGS_DIR) not in sys.path:
    sys.path.append(str(DAGS_DIR))


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_file_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAGs found"


@pytest.mark.parametrize("dag_id", ["programmamonitor_nightly"])
def test_dag_has_owner_retries_tags_timeouts_and_schedule(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.tags and "programmamonitor" in dag.tags
    assert dag.schedule is not None or dag.timetable is not None
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.owner and task.owner != "airflow", f"{task.task_id} has no owner"
        assert task.execution_timeout is not None, f"{task.task_id} has no execution timeout"
        if task.task_id.startswith(("validate", "build_and_publish")):
            assert task.retries == 0, f"{task.task_id}: a failed validation/build must not be retried"
        elif task.task_id.startswith("load_"):
            assert task.retries >= 2 and task.retry_exponential_backoff


def test_nightly_dag_order_is_load_validate_transform_summary(dagbag) -> None:
    dag = dagbag.dags["programmamonitor_nightly"]
    assert dag.get_task("load_cbs_table").downstream_task_ids == {"validate_batch"}
    assert dag.get_task("validate_batch").downstream_task_ids == {"build_and_publish_marts"}
    assert dag.get_task("build_and_publish_marts").downstream_task_ids == {"summary"}


def test_nightly_dag_loads_and_validates_every_file_source_before_the_marts(dagbag) -> None:
    from ingestion.pipeline import file_source_names

    dag = dagbag.dags["programmamonitor_nightly"]
    assert dag.get_task("load_files").downstream_task_ids == {"validate_files"}
    assert dag.get_task("validate_files").downstream_task_ids == {"build_and_publish_marts"}
    assert "prepare_warehouse" in dag.get_task("load_files").upstream_task_ids
    spec = importlib.util.spec_from_file_location("nightly_sources", DAGS_DIR / "programmamonitor_nightly.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sorted(module.FILE_SOURCES) == sorted(file_source_names())


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_does_no_io_at_import(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network or database connection while the DAG processor parses the file."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"{path.name} opened a network connection at import time")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    spec = importlib.util.spec_from_file_location(f"dag_under_test_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_fast_and_without_project_heavy_imports(path: Path) -> None:
    """In a fresh interpreter (airflow itself preloaded, as in the DAG processor): under a second, and
    without importing dbt, great_expectations, pandas or our ingestion package at parse time."""
    code = (
        f"import json, time, sys, importlib.util, airflow.sdk; sys.path.append({str(DAGS_DIR)!r})\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(path)!r})\n"
        "m = importlib.util.module_from_spec(spec); t = time.perf_counter(); spec.loader.exec_module(m)\n"
        "heavy = sorted(n for n in ('dbt', 'great_expectations', 'pandas', 'ingestion') if n in sys.modules)\n"
        "print(json.dumps([time.perf_counter() - t, heavy]))\n"
    )
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    seconds, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert float(seconds) < 1.0, f"{path.name} took {float(seconds):.2f}s to import ({time.monotonic() - started:.1f}s)"
    assert heavy == [], f"{path.name} imports {heavy} at parse time"


def test_the_assets_name_every_raw_entity_of_every_source() -> None:
    """dags/programmamonitor/assets.py is a constant (no project imports at parse time): it must match the loaders."""
    from ingestion.files import file_sources
    from ingestion.sources import werkplein
    from programmamonitor.assets import FILE_SOURCES, RAW_ENTITIES

    assert sorted(FILE_SOURCES) == sorted(file_sources())
    assert set(RAW_ENTITIES) == {"cbs", *file_sources()}
    assert RAW_ENTITIES["cbs"] == ("cbs_observation",)
    assert set(RAW_ENTITIES["werkplein"]) == set(werkplein.ENTITIES.values())
    for source, file_source in file_sources().items():
        entity, _ = file_source.delivery(file_source.example_file_name)
        assert entity in RAW_ENTITIES[source], f"{source}: {entity} has no Asset"
