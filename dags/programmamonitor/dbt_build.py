"""The transform DAG's dbt build, rendered by Cosmos from the project's manifest: one task per seed, model and
model's tests, fed by a single ``dbt build`` (ExecutionMode.WATCHER).

Parsing reads ``dbt_project/target/manifest.json`` (written by ``dbt parse``: ``make run`` and the tests do it; the
Docker image does it at build time) and imports neither dbt nor project code. What a task needs at run time - the
warehouse, the dbt vars, the dbt executable - is filled in by ``dbt_runtime`` when the task runs.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The same default as ingestion/config.py (Settings.dbt_project_dir), which cannot be imported while parsing;
# tests/dags/test_dag_integrity.py checks that both agree.
DBT_PROJECT_DIR = Path(os.environ.get("DBT_PROJECT_DIR", Path(__file__).resolve().parents[2] / "dbt_project"))
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
PROFILE_NAME = "programmamonitor"
TARGET_NAME = "warehouse"
GROUP_ID = "dbt"
DBT_TIMEOUT = timedelta(hours=1)


def dbt_runtime(context: Any, operator: Any) -> None:
    """Cosmos interceptor, run in the task before the dbt command is built: the warehouse (profiles.yml reads
    DBT_PG_* variables), the vars of a shadow build and the venv's dbt - what ``ingestion.transform`` uses too."""
    from ingestion.config import settings
    from ingestion.transform import dbt_executable, dbt_vars
    from ingestion.warehouse import dbt_env

    cfg = settings()
    operator.vars = dbt_vars(cfg)
    operator.env = {
        **(operator.env or {}),
        **dbt_env(cfg.require_warehouse_url()),
        "DBT_LOG_PATH": str(cfg.local_dir / "dbt" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        # As ingestion.transform.NIGHTLY_BUILD_EXCLUDES: unit tests run in development and CI, not every night.
        "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
    }
    operator.dbt_executable_path = dbt_executable()


def manifest_problem() -> str | None:
    """Why the build cannot be rendered per model, or None when it can."""
    if not MANIFEST_PATH.is_file():
        return f"no dbt manifest at {MANIFEST_PATH} (run `dbt parse` in {DBT_PROJECT_DIR})"
    return None


def test_owners(manifest_path: Path = MANIFEST_PATH) -> dict[str, str]:
    """test unique_id -> the one node whose tests task reports it, for tests with several parents.

    Cosmos counts a test under every node it depends on, so a relationships test of ``fct_indicator_value`` to the
    catalogue, skipped because the fact failed to build, also failed the catalogue's tests task - and that made the
    fact's own task ``upstream_failed`` instead of ``failed``. dbt's own answer is the node the test is defined on
    (``attached_node``); a singular test over several models belongs to the one downstream of the others.
    """
    import json

    manifest = json.loads(manifest_path.read_text())
    parent_map: dict[str, list[str]] = manifest["parent_map"]

    def ancestors(node: str) -> set[str]:
        seen: set[str] = set()
        todo = list(parent_map.get(node, []))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parent_map.get(parent, []))
        return seen

    owners: dict[str, str] = {}
    for test_id, node in manifest["nodes"].items():
        parents = node.get("depends_on", {}).get("nodes", [])
        if node["resource_type"] != "test" or len(parents) < 2:
            continue
        owner = node.get("attached_node")
        if not owner:
            downstream = [p for p in parents if set(parents) - {p} <= ancestors(p)]
            owner = downstream[0] if len(downstream) == 1 else None
        if owner:
            owners[test_id] = owner
    return owners


def report_tests_once(producer: Any, owners: dict[str, str]) -> None:
    """Keep each multi-parent test only under its owner in the producer's map of tests per node (a node whose
    tests would all go keeps them: its tests task has to hear of something)."""
    pruned = {n: [t for t in tests if owners.get(t, n) == n] for n, tests in producer.tests_per_model.items()}
    producer.tests_per_model = {n: pruned[n] or tests for n, tests in producer.tests_per_model.items()}


def dbt_task_group(dag: Any, upstream: Any) -> tuple[Any, Any]:
    """The Cosmos task group, downstream of ``upstream``; returns (group, producer task).

    Cosmos starts the per-model tasks (sensors) alongside the producer's ``dbt build``. Here they wait for the
    build to finish instead: ``airflow dags test`` runs one task at a time, and a sensor run before the producer
    would wait for it forever. They still show every model's and test's own status (the build's result per node).
    """
    from airflow.task.trigger_rule import TriggerRule
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import PRODUCER_WATCHER_DONE_TASK_ID, ExecutionMode, InvocationMode, LoadMode, TestBehavior

    group = DbtTaskGroup(
        group_id=GROUP_ID,
        dag=dag,
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR, manifest_path=MANIFEST_PATH, install_dbt_deps=False
        ),
        profile_config=ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name=TARGET_NAME,
            profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
        ),
        # A subprocess, as the CLI path runs dbt: its own memory, and the env of the interceptor.
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER, invocation_mode=InvocationMode.SUBPROCESS
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            # The BI exposure is documentation, nothing to run (Cosmos has no task for it).
            exclude=["resource_type:exposure"],
        ),
        operator_args={
            "install_deps": False,
            "append_env": True,
            "interceptors": [dbt_runtime],
            "emit_datasets": False,
            # A failing model or test is a verdict; and a retried producer would skip (Cosmos does not rerun it).
            "retries": 0,
            "execution_timeout": DBT_TIMEOUT,
            "poke_interval": 5,
        },
    )
    tasks = [t for t in dag.tasks if t.task_id.startswith(f"{GROUP_ID}.")]
    producer = next(t for t in tasks if type(t).__name__ == "DbtProducerWatcherOperator")
    done = next(t for t in tasks if t.task_id.endswith(PRODUCER_WATCHER_DONE_TASK_ID))
    report_tests_once(producer, test_owners())
    upstream >> producer
    in_group = {t.task_id for t in tasks}
    for consumer in tasks:
        if consumer in (producer, done) or set(consumer.upstream_task_ids) & in_group:
            continue
        # Runs once the build is over, passed or failed (to show which node failed), not when nothing was built.
        upstream >> consumer
        producer >> consumer
        consumer.trigger_rule = TriggerRule.ALL_DONE_MIN_ONE_SUCCESS
    return group, producer
