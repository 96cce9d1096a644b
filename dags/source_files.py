"""The drop-folder sources (UWV, Kennispunt Twente, Werkplein, handmatige indicatorbestanden): one DAG each, run
nightly and whenever the drop-folder watcher (watch_drop_folders.py) sees a new file. Load every new file, validate
each batch, announce the published raw entities to the transform.

Orchestration only: each task calls one function in ``ingestion.pipeline``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import AssetOrTimeSchedule, dag, task

from programmamonitor.assets import FILE_SOURCES, drop_asset
from programmamonitor.defaults import DEFAULT_ARGS, NIGHT_START, START_DATE, TAGS, daily_at
from programmamonitor.tasks import announce_published, fail_if_any_failed


def file_source_dag(source: str) -> None:
    @dag(
        dag_id=f"source_{source}",
        description=f"{source} files in the drop folder -> raw, validated; announces its raw entities.",
        # Nightly with CBS (NIGHT_START), and whenever the watcher sees a new file.
        schedule=AssetOrTimeSchedule(timetable=daily_at(NIGHT_START), assets=drop_asset(source)),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*TAGS, "source", "files", source],
        doc_md=__doc__,
    )
    def source_dag() -> None:
        @task(execution_timeout=timedelta(minutes=10))
        def prepare_warehouse() -> list[str]:
            from ingestion.pipeline import prepare_warehouse

            return prepare_warehouse()

        @task(retries=3, execution_timeout=timedelta(minutes=45))
        def load_files(**context: Any) -> list[dict]:
            from ingestion.pipeline import load_files, run_date

            return load_files(source, logical_date=run_date(context))

        # A failed validation is a verdict, not a hiccup: no retries.
        @task(retries=0, execution_timeout=timedelta(minutes=45))
        def validate_files(outcomes: list[dict]) -> list[dict]:
            from ingestion.pipeline import validate_loaded_files

            return validate_loaded_files(outcomes)

        loaded = load_files()
        prepare_warehouse() >> loaded
        validated = validate_files(loaded)
        validated >> announce_published(source)
        validated >> fail_if_any_failed()

    source_dag()


for _source in FILE_SOURCES:
    file_source_dag(_source)
