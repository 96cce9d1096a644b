"""Every DAG imports cleanly, quickly and without I/O, and carries what operations need (owner, retries, tags)."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
SOURCE_DAGS = ["source_cbs", "source_handmatig", "source_kennispunt", "source_uwv", "source_werkplein"]
FILE_SOURCE_DAGS = [d for d in SOURCE_DAGS if d != "source_cbs"]
# Every DAG the deployment must have; the checks below run for each, and a DAG more or less fails the first test.
DAG_IDS = sorted([*SOURCE_DAGS, "watch_drop_folders", "programmamonitor_transform", "refresh_deadline",
                  "raw_retention"])

# The transform DAG renders its dbt tasks from the manifest: every test here sees it as `make run` leaves it.
pytestmark = pytest.mark.usefixtures("dbt_manifest")

# As in Airflow's DAG processor, the DAGs folder is on sys.path (the DAG files import the `programmamonitor` package).
if str(DAGS_DIR) not in sys.path:
    sys.path.append(str(DAGS_DIR))


@pytest.fixture(scope="module")
def dagbag(dbt_manifest: Path):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_file_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAGs found"


def test_every_dag_is_checked_here(dagbag) -> None:
    assert sorted(dagbag.dags) == sorted(DAG_IDS)


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_dag_has_owner_retries_tags_timeouts_and_schedule(dagbag, dag_id: str) -> None:
    from programmamonitor.defaults import OWNER, alert_on_failure

    dag = dagbag.dags[dag_id]
    assert dag.tags and "programmamonitor" in dag.tags
    assert dag.schedule is not None or dag.timetable is not None
    assert dag.max_active_runs == 1
    assert not dag.catchup
    for task in dag.tasks:
        assert task.owner and task.owner != "airflow", f"{task.task_id} has no owner"
        assert task.execution_timeout is not None, f"{task.task_id} has no execution timeout"
        if task.task_type == "EmptyOperator":  # nothing runs (Cosmos' marker after its producer)
            continue
        no_retry = ("validate", "build_and_publish", "dbt", "plan", "prepare_shadow", "publish", "refresh")
        if task.task_id.startswith(no_retry):
            assert task.retries == 0, f"{task.task_id}: a failed validation/build must not be retried"
        elif task.task_id.startswith("load_"):
            assert task.retries >= 2 and task.retry_exponential_backoff
        assert task.owner == OWNER
        callbacks = (
            task.on_failure_callback if isinstance(task.on_failure_callback, list) else [task.on_failure_callback]
        )
        # Cosmos wraps the producer's callback (to keep its state for a retry); it still calls ours.
        assert alert_on_failure in callbacks or "dbt_producer_watcher" in task.task_id, task.task_id


def test_transform_dag_runs_on_any_raw_asset_and_nightly(dagbag) -> None:
    from airflow.sdk import AssetAny, AssetOrTimeSchedule, CronTriggerTimetable

    from programmamonitor.assets import ALL_RAW_ASSETS

    dag = dagbag.dags["programmamonitor_transform"]
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert isinstance(dag.timetable.asset_condition, AssetAny)
    assert set(dag.timetable.asset_condition.objects) == set(ALL_RAW_ASSETS)
    assert isinstance(dag.timetable.timetable, CronTriggerTimetable)
    assert (dag.timetable.timetable.expression, dag.timetable.timetable.timezone) == ("0 6 * * *", "Europe/Amsterdam")


def test_transform_dag_waits_until_no_source_dag_is_loading(dagbag) -> None:
    """One build per night, not one per source: the transform starts with a gate on every source DAG's runs."""
    from programmamonitor.defaults import SOURCE_DAG_IDS
    from programmamonitor.tasks import loading_sources

    dag = dagbag.dags["programmamonitor_transform"]
    gate = dag.get_task("wait_for_sources")
    assert gate.upstream_task_ids == set() and gate.downstream_task_ids == {"plan"}
    assert gate.mode == "reschedule" and not gate.soft_fail  # no slot held while waiting; a stuck source alerts
    assert sorted(SOURCE_DAG_IDS) == SOURCE_DAGS == sorted(d for d in dagbag.dags if d.startswith("source_"))
    assert loading_sources({"source_cbs": 1, "source_uwv": 0, "source_werkplein": 2}) == ["source_cbs",
                                                                                          "source_werkplein"]
    assert loading_sources(dict.fromkeys(SOURCE_DAG_IDS, 0)) == []


def test_transform_dag_publishes_only_after_every_dbt_node_passed(dagbag, dbt_manifest: Path) -> None:
    dag = dagbag.dags["programmamonitor_transform"]
    producer = dag.get_task("dbt.dbt_producer_watcher")
    assert producer.upstream_task_ids == {"prepare_shadow"}
    # First the plan: the full build, or (nothing new) data_quality alone; a forced full build is a DAG param.
    assert dag.get_task("plan").downstream_task_ids == {"prepare_shadow", "refresh_data_quality"}
    assert dag.get_task("refresh_data_quality").downstream_task_ids == set()
    assert dag.params["full_rebuild"] is False
    publish = dag.get_task("publish")
    assert "dbt.dbt_producer_watcher" in publish.upstream_task_ids
    assert publish.trigger_rule == "all_success"
    for after_publish in ("summary", "docs", "report"):
        assert dag.get_task(after_publish).upstream_task_ids == {"publish"}
    # Every model and seed of the manifest is a task, and every dbt task lies upstream of publish.
    nodes = json.loads(dbt_manifest.read_text())["nodes"].values()
    names = {n["name"] for n in nodes if n["resource_type"] in ("model", "seed")}
    dbt_tasks = {t.task_id for t in dag.tasks if t.task_id.startswith("dbt.")}
    assert all({f"dbt.{n}.run", f"dbt.{n}_run", f"dbt.{n}.seed", f"dbt.{n}_seed"} & dbt_tasks for n in names)
    assert dbt_tasks <= {t.task_id for t in publish.get_flat_relatives(upstream=True)}
    # The per-node tasks wait for the build (sequential `airflow dags test` runs them after it), and report a failed
    # build's verdict per node; they run dbt themselves never (no retries: Cosmos would fall back to a dbt run).
    for task in dag.tasks:
        if task.task_type.endswith("WatcherOperator") and task is not producer:
            assert task.retries == 0
            assert "dbt.dbt_producer_watcher" in {t.task_id for t in task.get_flat_relatives(upstream=True)}


def test_a_test_of_several_models_is_reported_by_the_model_it_is_defined_on(dagbag, dbt_manifest: Path) -> None:
    """A relationships test of fct_indicator_value to the catalogue belongs to the fact's tests task only: when the
    fact fails to build, the catalogue's tests stay green and the fact's own task is the red one."""
    producer = dagbag.dags["programmamonitor_transform"].get_task("dbt.dbt_producer_watcher")
    relationship = next(
        t
        for t in json.loads(dbt_manifest.read_text())["nodes"]
        if t.startswith("test.programmamonitor.relationships_fct_indicator_value_indicator_code__")
    )
    reported_by = {node for node, tests in producer.tests_per_model.items() if relationship in tests}
    assert reported_by == {"model.programmamonitor.fct_indicator_value"}
    # Every test is still reported by at least one node: no tests task waits for a verdict that never comes.
    assert all(producer.tests_per_model.values())


def test_dbt_project_dir_of_the_dags_is_the_pipelines() -> None:
    from ingestion.config import settings
    from programmamonitor.dbt_build import DBT_PROJECT_DIR

    assert settings().dbt_project_dir == DBT_PROJECT_DIR


def test_transform_dag_without_a_manifest_parses_as_one_dbt_task(tmp_path: Path) -> None:
    """No manifest (dbt parse not run): the DAG still parses, with the build as one task, and says why."""
    code = (
        "import sys; sys.path.append(sys.argv[1]); from airflow.dag_processing.dagbag import DagBag\n"
        "bag = DagBag(dag_folder=sys.argv[1] + '/programmamonitor_transform.py')\n"
        "assert not bag.import_errors, bag.import_errors\n"
        "dag = bag.dags['programmamonitor_transform']\n"
        "print(sorted(t.task_id for t in dag.tasks)); print(dag.description)\n"
    )
    env = {**os.environ, "DBT_PROJECT_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(DAGS_DIR)], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    tasks, description = out.stdout.strip().splitlines()[-2:]
    assert tasks == str(
        ["dbt_build", "docs", "plan", "prepare_shadow", "publish", "refresh_data_quality", "report", "summary",
         "wait_for_sources"]
    )
    assert "no dbt manifest" in description


@pytest.mark.parametrize("dag_id", SOURCE_DAGS)
def test_a_source_dag_loads_validates_then_announces_and_fails_when_anything_failed(dagbag, dag_id: str) -> None:
    from airflow.sdk import AssetAlias

    dag = dagbag.dags[dag_id]
    load = "load_cbs_table" if dag_id == "source_cbs" else "load_files"
    validate = "validate_batch" if dag_id == "source_cbs" else "validate_files"
    assert "prepare_warehouse" in {t.task_id for t in dag.get_task(load).get_flat_relatives(upstream=True)}
    assert dag.get_task(load).downstream_task_ids == {validate}
    assert dag.get_task(validate).downstream_task_ids == {"announce_published", "fail_if_any_failed"}
    announce = dag.get_task("announce_published")
    # Announces what did publish even when another load failed; the leaf then fails the run.
    assert announce.trigger_rule == "all_done" and announce.retries == 0
    assert announce.outlets == [AssetAlias(f"published.{dag_id.removeprefix('source_')}")]
    assert dag.get_task("fail_if_any_failed").trigger_rule == "one_failed"


def test_cbs_dag_runs_nightly_and_calls_the_api_through_its_pool(dagbag) -> None:
    from airflow.sdk import CronTriggerTimetable

    dag = dagbag.dags["source_cbs"]
    assert isinstance(dag.timetable, CronTriggerTimetable)
    assert (dag.timetable.expression, dag.timetable.timezone) == ("0 2 * * *", "Europe/Amsterdam")
    assert dag.get_task("load_cbs_table").pool == "cbs_api"
    # The pre-flight (metadata only) comes before any table loads: a misconfigured table stops the night there.
    assert "preflight" in {t.task_id for t in dag.get_task("load_cbs_table").get_flat_relatives(upstream=True)}
    assert dag.get_task("preflight").pool == "cbs_api"


@pytest.mark.parametrize("dag_id", FILE_SOURCE_DAGS)
def test_a_file_source_dag_runs_nightly_and_on_a_new_file_in_its_drop_folder(dagbag, dag_id: str) -> None:
    from airflow.sdk import AssetOrTimeSchedule

    from programmamonitor.assets import drop_asset

    dag = dagbag.dags[dag_id]
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert dag.timetable.timetable.expression == "0 2 * * *"  # the night starts for every source together
    assert dag.timetable.asset_condition == drop_asset(dag_id.removeprefix("source_"))
    watcher = dagbag.dags["watch_drop_folders"].get_task(f"new_files_{dag_id.removeprefix('source_')}")
    assert watcher.outlets == [drop_asset(dag_id.removeprefix("source_"))]
    assert watcher.mode == "reschedule" and watcher.soft_fail


def test_the_refresh_deadline_is_checked_at_the_configured_hour(dagbag) -> None:
    dag = dagbag.dags["refresh_deadline"]
    assert (dag.timetable.expression, dag.timetable.timezone) == ("0 7 * * *", "Europe/Amsterdam")
    assert [t.task_id for t in dag.tasks] == ["marts_published_tonight"]
    assert dag.get_task("marts_published_tonight").retries == 0  # late is late: alert at once


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
def test_dag_file_imports_without_project_heavy_imports(path: Path) -> None:
    """In a fresh interpreter (airflow itself preloaded, as in the DAG processor): no dbt, great_expectations, pandas
    or our ingestion package at parse time. (How long a parse takes is measured by `make bench`, beside
    `import airflow.sdk`: bench/dag_import.py, not by a timed test.)"""
    code = (
        f"import json, sys, importlib.util, airflow.sdk; sys.path.append({str(DAGS_DIR)!r})\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(path)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "heavy = sorted(n for n in ('dbt', 'great_expectations', 'pandas', 'ingestion') if n in sys.modules)\n"
        "print(json.dumps(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert heavy == [], f"{path.name} imports {heavy} at parse time"


def test_the_assets_name_every_raw_entity_of_every_source() -> None:
    """dags/programmamonitor/assets.py is a constant (no project imports at parse time): it must match the loaders."""
    from ingestion.sources import werkplein
    from ingestion.sources.registry import file_sources
    from programmamonitor.assets import FILE_SOURCES, RAW_ENTITIES

    assert sorted(FILE_SOURCES) == sorted(file_sources())
    assert set(RAW_ENTITIES) == {"cbs", *file_sources()}
    assert RAW_ENTITIES["cbs"] == ("cbs_observation",)
    assert set(RAW_ENTITIES["werkplein"]) == set(werkplein.ENTITIES.values())
    for source, file_source in file_sources().items():
        entity, _ = file_source.delivery(file_source.example_file_name)
        assert entity in RAW_ENTITIES[source], f"{source}: {entity} has no Asset"
