"""Tasks every source DAG ends with: announce what was published, and fail the run when anything failed.

Both read the warehouse, not XCom, so they see every mapped load of the run even when some of them failed.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import AssetAlias, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from programmamonitor.assets import RAW_ENTITIES, raw_asset


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
