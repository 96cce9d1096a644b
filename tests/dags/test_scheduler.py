"""The nightly chain under a real scheduler, as in production: unpaused, the source DAGs run last night's schedule
and announce what they published as Assets; the transform waits until none is loading, builds the night once and
publishes the marts, and the Assets start it again to find nothing new. Then the night is cleared and run again:
the marts come out the same.

LocalExecutor always; CeleryExecutor with one worker where Redis is reachable (skipped, saying so, where not).
Many processes for minutes: `make test-e2e` runs this module (marker e2e), `make test` does not; CI runs both.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ingestion.dev.generate import generate_werkplein
from tests.support.airflow_cluster import AirflowCluster, airflow_cluster, redis_reachable
from tests.support.marts import marts_snapshot

SOURCE_DAGS = ["source_cbs", "source_uwv", "source_kennispunt", "source_werkplein", "source_handmatig"]
TRANSFORM_DAG = "programmamonitor_transform"
# More nights than runs at once (max_active_runs=2), so the backfill queues as a month's would.
BACKFILL_NIGHTS = 3


def _warehouse_env(url: str, tmp_path: Path) -> dict[str, str]:
    local = tmp_path / "local"
    # A small generated Werkplein delivery (GENERATED.md in the folder: the demo seeding leaves it as it is).
    generate_werkplein(local / "drop" / "werkplein", scale=0.05, months=3, end="2024-03", seed=7, gemeentecode="0141")
    return {"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "PROGRAMMAMONITOR_LOCAL_DIR": str(local),
            "DATA_DOCS_DIR": str(local / "data_docs")}


@pytest.mark.e2e
@pytest.mark.parametrize("executor", ["LocalExecutor", "CeleryExecutor"])
def test_the_scheduler_runs_the_nightly_chain_and_a_cleared_night_reruns_to_the_same_marts(
    executor: str, pg_server_url: str, fresh_warehouse_url: str, tmp_path: Path
) -> None:
    if executor == "CeleryExecutor" and not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379: the CeleryExecutor chain needs a broker (LocalExecutor ran)")
    env = _warehouse_env(fresh_warehouse_url, tmp_path)
    with airflow_cluster(tmp_path, pg_server_url, env, executor=executor) as af:
        try:
            _chain(af, executor, fresh_warehouse_url)
        finally:  # where the minutes went (shown by `make test-e2e`, -rP)
            print(f"{executor}: the runs, in start order\n{af.timeline([*SOURCE_DAGS, TRANSFORM_DAG])}")


def _chain(af: AirflowCluster, executor: str, url: str) -> None:
    af.wait_for_dags({*SOURCE_DAGS, TRANSFORM_DAG})
    # Unpausing is what an operator does once: the scheduler then starts each DAG's latest nightly run itself. The
    # transform's run (its 06:00 fallback) then finds the sources loading and waits for them (wait_for_sources).
    for dag_id in SOURCE_DAGS:
        af.unpause(dag_id)
    af.wait_for_started(SOURCE_DAGS)
    af.unpause(TRANSFORM_DAG)

    nightly = {dag_id: af.wait_for_run(dag_id, run_type="scheduled") for dag_id in SOURCE_DAGS}
    for dag_id, run in nightly.items():
        states = af.task_states(dag_id, run["dag_run_id"])
        assert run["state"] == "success", (dag_id, states)
        assert states["announce_published"] == "success", (dag_id, states)  # a first night publishes
        assert states["fail_if_any_failed"] == "skipped", (dag_id, states)

    # One build for the whole night, not one per source: the run that waited for the sources built and published;
    # what they announced meanwhile (their Assets) started the transform again, which found nothing new.
    runs = af.wait_until_settled(TRANSFORM_DAG)
    states = {r["dag_run_id"]: af.task_states(TRANSFORM_DAG, r["dag_run_id"]) for r in runs}
    assert all(r["state"] == "success" for r in runs), states
    built = [r for r in runs if states[r["dag_run_id"]]["publish"] == "success"]
    assert len(built) == 1, states
    assert states[built[0]["dag_run_id"]]["report"] == states[built[0]["dag_run_id"]]["summary"] == "success"
    on_assets = [r for r in runs if r["run_type"] == "asset_triggered"]
    assert on_assets, [r["run_type"] for r in runs]
    announced_by = {e["source_dag_id"] for r in on_assets for e in af.consumed_events(TRANSFORM_DAG, r["dag_run_id"])}
    assert announced_by == set(SOURCE_DAGS)
    for run in on_assets:
        assert states[run["dag_run_id"]]["refresh_data_quality"] == "success", states[run["dag_run_id"]]
    first = marts_snapshot(url)
    assert {r["source_system"] for r in first["fct_indicator_value"]} >= {"cbs", "uwv", "werkplein"}
    transform = built[0]

    # Clearing the night and running it again changes nothing: loads find every file and table unchanged.
    for dag_id, run in [("source_werkplein", nightly["source_werkplein"]), (TRANSFORM_DAG, transform)]:
        af.clear(dag_id, run["dag_run_id"])
        rerun = af.wait_for_run(dag_id, run_id=run["dag_run_id"])
        assert rerun["state"] == "success", af.task_states(dag_id, run["dag_run_id"])
    # Nothing new since its own publish: the rerun only refreshes data_quality (test_transform_dag.py shows
    # that a forced full rebuild gives the same marts too).
    states = af.task_states(TRANSFORM_DAG, transform["dag_run_id"])
    assert states["refresh_data_quality"] == "success" and states["publish"] == "skipped", states
    assert marts_snapshot(url) == first

    if executor != "LocalExecutor":
        return
    # A backfill over three nights (as over a month: the same code path per night, each keyed on its own
    # night, two at a time): every one ends green and nothing is loaded twice (the files of the first night
    # are 'unchanged' every night after).
    batches_before = _batch_count(url)
    af.api("POST", "backfills", dag_id="source_handmatig", from_date="2026-10-01T00:00:00Z",
           to_date=f"2026-10-{BACKFILL_NIGHTS:02d}T23:59:59Z", max_active_runs=2, reprocess_behavior="none")
    backfilled = af.wait_for_runs("source_handmatig", run_type="backfill", count=BACKFILL_NIGHTS)
    assert [r["state"] for r in backfilled] == ["success"] * BACKFILL_NIGHTS
    assert sorted({r["logical_date"][:10] for r in backfilled}) == [
        f"2026-10-{d:02d}" for d in range(1, BACKFILL_NIGHTS + 1)]
    published, unchanged = _batch_count(url, since=batches_before)
    assert published == 0 and unchanged == BACKFILL_NIGHTS  # one handmatig file, seen again each night
    assert marts_snapshot(url) == first


def _batch_count(url: str, since: tuple[int, int] | None = None) -> tuple[int, int]:
    """(published, unchanged) batches of source handmatig; with ``since``, the increase since that count."""
    with psycopg.connect(url) as conn:
        published, unchanged = conn.execute(
            "select count(*) filter (where status = 'published'), count(*) filter (where status = 'unchanged')"
            " from audit.load_batch where source = 'handmatig'").fetchone()
    return (published, unchanged) if since is None else (published - since[0], unchanged - since[1])
