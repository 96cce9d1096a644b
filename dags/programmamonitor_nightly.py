"""Nightly refresh: CBS tables and dropped files -> raw -> validation -> dbt (shadow build) -> publish -> summary.

Orchestration only: every task calls one function in ``ingestion.pipeline``. Imports of project code happen
inside the tasks so parsing this file stays fast and does no I/O. Tasks pass batch ids through XCom; data moves
only through the warehouse.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

# The drop-folder sources (ingestion/sources/<name>.py); a constant, so parsing this file does no I/O.
FILE_SOURCES = ["uwv", "kennispunt", "werkplein", "handmatig"]


def _alert_on_failure(context: dict) -> None:
    """Failure alert (ingestion/alerts.py), imported only when a task fails so parsing stays light."""
    from ingestion.alerts import notify_failure

    notify_failure(context)


DEFAULT_ARGS = {
    "owner": "team-data-almelo",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=1),
    "on_failure_callback": _alert_on_failure,
}


@dag(
    dag_id="programmamonitor_nightly",
    description="Nightly refresh of the Programmamonitor warehouse: sources, validation, marts.",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["programmamonitor", "nightly", "cbs", "files"],
    doc_md=__doc__,
)
def programmamonitor_nightly() -> None:
    @task
    def prepare_warehouse() -> list[str]:
        from ingestion.pipeline import prepare_warehouse

        return prepare_warehouse()

    @task
    def cbs_tables() -> list[str]:
        from ingestion.pipeline import cbs_table_ids

        return cbs_table_ids()

    @task(retries=3, execution_timeout=timedelta(minutes=30))
    def load_cbs_table(table_id: str, **context) -> dict:
        from ingestion.pipeline import load_cbs_table

        return load_cbs_table(table_id, logical_date=context["logical_date"].date())

    # A failed validation is a verdict, not a hiccup: no retries.
    @task(retries=0)
    def validate_batch(batch: dict) -> dict:
        from ingestion.pipeline import validate_loaded_batch

        return validate_loaded_batch(batch)

    @task(retries=3, execution_timeout=timedelta(minutes=30))
    def load_files(source: str, **context) -> list[dict]:
        from ingestion.pipeline import load_files

        return load_files(source, logical_date=context["logical_date"].date())

    @task(retries=0)
    def validate_files(outcomes: list[dict]) -> list[dict]:
        from ingestion.pipeline import validate_loaded_files

        return validate_loaded_files(outcomes)

    @task(retries=0)
    def build_and_publish_marts(batches: list[dict], files: list[list[dict]]) -> dict:
        from ingestion.pipeline import transform

        return transform()

    @task
    def summary(result: dict) -> str:
        from ingestion.config import settings
        from ingestion.summary import render

        cfg = settings()
        text = render(cfg.require_warehouse_url(), cfg)
        print(text)
        return text

    ready = prepare_warehouse()
    tables = cbs_tables()
    ready >> tables
    validated = validate_batch.expand(batch=load_cbs_table.expand(table_id=tables))
    loaded_files = load_files.expand(source=FILE_SOURCES)
    ready >> loaded_files
    summary(build_and_publish_marts(validated, validate_files.expand(outcomes=loaded_files)))


programmamonitor_nightly()
