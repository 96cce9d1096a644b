"""Tasks every source DAG ends with: announce what was published, and fail the run when anything failed (both read
the warehouse, not XCom, so they see every mapped load of the run even when some of them failed); and the gate the
transform starts with: no source DAG still loading.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import AssetAlias, PokeReturnValue, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from programmamonitor.assets import RAW_ENTITIES, raw_asset
from programmamonitor.defaults import SOURCE_DAG_IDS


def announce_published(source: str):
    """A task emitting raw.<entity> for each entity of ``source`` that got a published batch in this run (through
    an AssetAlias, so entities with nothing new emit nothing); skipped when nothing was published."""
    alias = AssetAlias(f"published.{source}")

    @task(task_id="announce_published", outlets=[alias], trigger_rule="all_done", retries=0)
    def announce(**context: Any) -> dict[str, list[int]]:
        from ingestion.pipeline import published_since

        published = published_since(source, context["dag_run"].start_date)
        for entity, batch_ids in published.items():
            if entity in RAW_ENTITIES[source]:
                context["outlet_events"][alias].add(raw_asset(entity), extra={"batch_ids": batch_ids})
        if not published:
            raise AirflowSkipException(f"no {source} batch was published in this run: nothing to announce")
        return published

    return announce()


@task(trigger_rule="one_failed", retries=0)
def fail_if_any_failed() -> None:
    """The run's verdict: announce_published runs even after a failed load (to pass on what did publish), so
    without this leaf a run with a failed validation would end green."""
    raise AirflowFailException("a load or validation in this run failed: see the failed task's log")


def loading_sources(active_runs: dict[str, int]) -> list[str]:
    """The source DAGs with a run queued or running, from {dag id: number of such runs}."""
    return sorted(dag_id for dag_id, count in active_runs.items() if count)


# The first source to publish triggers the transform (its Asset); building then would build again for every source
# that publishes after it. Waiting until none is loading makes one build of the whole night; what is announced
# meanwhile queues one more run, which finds nothing new and refreshes data_quality only. A source still loading
# after the timeout fails the transform (and alerts): the marts stay as they were.
@task.sensor(poke_interval=30, timeout=timedelta(hours=3).total_seconds(), mode="reschedule", retries=0)
def wait_for_sources() -> PokeReturnValue:
    ti = get_current_context()["ti"]
    active = {dag_id: ti.get_dr_count(dag_id=dag_id, states=["queued", "running"]) for dag_id in SOURCE_DAG_IDS}
    loading = loading_sources(active)
    print(f"still loading: {', '.join(loading)}" if loading else "no source DAG is loading: the build can start")
    return PokeReturnValue(is_done=not loading)
