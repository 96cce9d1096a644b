"""CBS StatLine: every configured table checked, loaded incrementally, validated, and announced to the transform.

The pre-flight comes first: metadata requests only, every configured table, key, kind and code against what CBS
says. A misconfigured table (a renamed key, a percentage mapped as a count, a stopped table) fails the night here,
each problem on its own line with its fix, before any table loads; the marts stay as they were.

Orchestration only: each task calls one function in ``ingestion.pipeline``; batch ids travel through XCom and data
through the warehouse. The CBS API is called through the ``cbs_api`` pool (a few tables at a time).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task

from programmamonitor.defaults import DEFAULT_ARGS, NIGHT_START, START_DATE, TAGS, daily_at
from programmamonitor.tasks import announce_published, fail_if_any_failed

CBS_POOL = "cbs_api"


@dag(
    dag_id="source_cbs",
    description="CBS StatLine tables -> raw, validated; announces raw.cbs_observation.",
    schedule=daily_at(NIGHT_START),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "source", "cbs"],
    doc_md=__doc__,
)
def source_cbs() -> None:
    @task(execution_timeout=timedelta(minutes=10))
    def prepare_warehouse() -> list[str]:
        from ingestion.pipeline import prepare_warehouse

        return prepare_warehouse()

    @task(pool=CBS_POOL, retries=2, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(minutes=10))
    def preflight() -> list[str]:
        from ingestion.pipeline import cbs_preflight

        return cbs_preflight()

    @task(pool=CBS_POOL, retries=3, execution_timeout=timedelta(minutes=30))
    def load_cbs_table(table_id: str, **context: Any) -> dict:
        from ingestion.pipeline import load_cbs_table, run_date

        return load_cbs_table(table_id, logical_date=run_date(context))

    @task(retries=0, execution_timeout=timedelta(minutes=30))
    def validate_batch(batch: dict) -> dict:
        from ingestion.pipeline import validate_loaded_batch

        return validate_loaded_batch(batch)

    tables = preflight()
    prepare_warehouse() >> tables
    validated = validate_batch.expand(batch=load_cbs_table.expand(table_id=tables))
    validated >> announce_published("cbs")
    validated >> fail_if_any_failed()


source_cbs()
