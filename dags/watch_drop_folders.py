"""Watches the drop folders: when a file lies in one that was never loaded, the source's Asset drop.<source> is
updated, which starts that source's DAG (besides its nightly run). A file is "new" by its checksum, so a file
left in the folder after loading does not start anything again.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import PokeReturnValue, dag, task

from programmamonitor.assets import FILE_SOURCES, drop_asset
from programmamonitor.defaults import DEFAULT_ARGS, START_DATE, TAGS


@dag(
    dag_id="watch_drop_folders",
    description="New files in the drop folders start their source DAG.",
    schedule=timedelta(minutes=15),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0},
    tags=[*TAGS, "files", "sensor"],
    doc_md=__doc__,
)
def watch_drop_folders() -> None:
    for source in FILE_SOURCES:

        # Pokes once a minute until the next watch run is due; no new file by then = skipped, no Asset event.
        @task.sensor(task_id=f"new_files_{source}", outlets=[drop_asset(source)], poke_interval=60,
                     timeout=14 * 60, mode="reschedule", soft_fail=True, execution_timeout=timedelta(minutes=15))
        def new_files(source: str = source) -> PokeReturnValue:
            from ingestion.pipeline import new_files

            names = new_files(source)
            return PokeReturnValue(is_done=bool(names), xcom_value=names)

        new_files()


watch_drop_folders()
