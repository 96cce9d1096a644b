"""The transform DAG through Airflow itself (`airflow dags test`) on a copy of the demo night before its build: dbt
per model into marts_shadow, publish, summary, docs and the report; and a failing dbt test that stops it before
publish."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest

from ingestion.config import PROJECT_ROOT, Settings
from tests.support.airflow_cli import airflow_env, run_airflow
from tests.support.marts import marts_fingerprint, publish_an_unbuildable_batch
from tests.support.nights import Night, copy_of

DAG_ID = "programmamonitor_transform"


@pytest.fixture(scope="module")
def loaded_warehouse(pg_server_url: str, demo_night: Night, tmp_path_factory, dbt_manifest: Path):
    """A copy of the demo night before its build (every CBS table and file source loaded, validated, published;
    no marts); the dbt manifest written; an Airflow home with its metadata DB."""
    tmp = tmp_path_factory.mktemp("transform_dag")
    with copy_of(pg_server_url, demo_night.loaded_url, "pm_transform_dag") as url:
        cfg = Settings.from_env(
            {"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp / "local")}
        )
        # The worktree's code in the Airflow processes (not whichever checkout the venv has installed).
        env = {**airflow_env(tmp, url), "PYTHONPATH": str(PROJECT_ROOT)}
        run_airflow(env, "db", "migrate", log=tmp / "migrate.log")
        yield url, cfg, env, tmp


def task_states(env: dict[str, str]) -> dict[str, str]:
    """task id -> state in the DAG's latest run, from Airflow's metadata DB (SQLite). By run, not by logical date:
    `airflow dags test DAG 2026-11-20` means midnight in the default timezone (Europe/Amsterdam under make)."""
    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db") as db:
        rows = db.execute(
            "select ti.task_id, ti.state from task_instance ti join dag_run r on r.dag_id = ti.dag_id"
            " and r.run_id = ti.run_id where ti.dag_id = ? and r.id = (select max(id) from dag_run where dag_id = ?)",
            (DAG_ID, DAG_ID),
        ).fetchall()
    return dict(rows)


def test_transform_dag_builds_every_model_as_a_task_and_publishes(loaded_warehouse) -> None:
    url, cfg, env, tmp = loaded_warehouse
    log = tmp / "transform1.log"
    run_airflow(env, "dags", "test", DAG_ID, "2026-11-20", log=log)
    with psycopg.connect(url) as conn:
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace where nspname like 'marts%%'")}
        assert schemas == {"marts"}  # the shadow was swapped in; no previous marts on a first publish
        marts = marts_fingerprint(conn)
        assert {"fct_indicator_value", "programme_indicator_status", "data_quality"} <= set(marts)
        almelo = conn.execute(
            "select count(distinct indicator_code) from marts.fct_indicator_value where gemeentecode = 'GM0141'"
            " and source_system = 'werkplein'"
        ).fetchone()[0]
        assert almelo > 0
        grants = conn.execute("select has_table_privilege('bi_reader', 'marts.fct_indicator_value', 'select')")
        assert grants.fetchone()[0]
    states = task_states(env)
    assert states.pop("refresh_data_quality") == "skipped"  # a first night builds everything
    assert set(states.values()) == {"success"}, {t: s for t, s in states.items() if s != "success"}
    text = log.read_text()
    assert "full build: no marts published yet" in text
    # Every model ran under its own task (the producer's one dbt build, each node's verdict in its own task).
    manifest = json.loads((cfg.dbt_project_dir / "target" / "manifest.json").read_text())
    models = [n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models and all({f"dbt.{m}.run", f"dbt.{m}_run"} & set(states) for m in models)
    assert sum(1 for t in states if t.endswith(".test")) > 20  # the tests of a model: a task of their own
    assert "Marts (schema marts):" in text  # the summary
    assert (cfg.local_dir / "dbt_docs" / "index.html").is_file()
    assert (cfg.local_dir / "dbt_docs" / "catalog.json").is_file()
    assert (cfg.reports_dir / "index.html").is_file() and "Programme report: file://" in text


def test_a_failing_dbt_test_stops_the_dag_before_publish(loaded_warehouse) -> None:
    url, cfg, env, tmp = loaded_warehouse
    with psycopg.connect(url) as conn:
        if not conn.execute("select 1 from pg_namespace where nspname = 'marts'").fetchone():
            run_airflow(env, "dags", "test", DAG_ID, "2026-11-19", log=tmp / "transform0.log")
        before = marts_fingerprint(conn)
        bad = publish_an_unbuildable_batch(conn)
    log = tmp / "transform_failing.log"
    try:
        with pytest.raises(pytest.fail.Exception, match="exited"):
            run_airflow(env, "dags", "test", DAG_ID, "2026-11-21", log=log)
        with psycopg.connect(url) as conn:
            assert marts_fingerprint(conn) == before
    finally:
        with psycopg.connect(url) as conn:
            conn.execute("update audit.load_batch set status = 'failed' where batch_id = %s", (bad,))
    states = task_states(env)
    # The build failed on fct_indicator_value (its contract), that model's task says so, and nothing after it ran.
    assert states["dbt.dbt_producer_watcher"] == "failed"
    assert states["dbt.fct_indicator_value.run"] == "failed"
    assert states["dbt.programme_indicator_status.run"] == "upstream_failed"
    assert states["dbt.stg_cbs__tables.run"] == "success"  # independent models keep their own (green) status
    assert states["publish"] == "upstream_failed"
    assert states["summary"] == states["docs"] == states["report"] == "upstream_failed"


def test_a_night_with_nothing_new_refreshes_data_quality_only_unless_asked(loaded_warehouse) -> None:
    """After the failed night above (its batch is marked failed again), the published inputs are those of the last
    full publish: the plan takes the short path, the dbt tasks are skipped, data_quality shows the failed load.
    With ``full_rebuild`` the whole build runs again and gives the same marts."""
    url, cfg, env, tmp = loaded_warehouse
    with psycopg.connect(url) as conn:
        if not conn.execute("select 1 from pg_namespace where nspname = 'marts'").fetchone():
            run_airflow(env, "dags", "test", DAG_ID, "2026-11-19", log=tmp / "transform0.log")
        before = marts_fingerprint(conn, ("data_quality",))
    log = tmp / "transform_unchanged.log"
    run_airflow(env, "dags", "test", DAG_ID, "2026-11-22", log=log)
    states = task_states(env)
    assert states["plan"] == states["refresh_data_quality"] == "success"
    assert states["prepare_shadow"] == states["dbt.dbt_producer_watcher"] == states["publish"] == "skipped"
    assert states["report"] == "skipped"
    assert "data_quality only: nothing new since the publish of" in log.read_text()
    with psycopg.connect(url) as conn:
        assert marts_fingerprint(conn, ("data_quality",)) == before
        assert conn.execute(
            "select scope from audit.marts_publication order by publication_id desc limit 1"
        ).fetchone()[0] == "data_quality"

    run_airflow(env, "dags", "test", DAG_ID, "2026-11-23", "--conf", '{"full_rebuild": true}',
             log=tmp / "transform_forced.log")
    states = task_states(env)
    assert states["refresh_data_quality"] == "skipped" and states["publish"] == states["report"] == "success"
    with psycopg.connect(url) as conn:
        assert marts_fingerprint(conn, ("data_quality",)) == before
