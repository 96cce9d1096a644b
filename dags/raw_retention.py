"""Raw retention, every Sunday at 12:00 (Amsterdam, away from the night): batches older than RAW_RETENTION_MONTHS
that nothing reads any more lose their raw rows, quarantine rows and quarantined files; what went is recorded in
audit.retention_purge. A batch a mart value points to, or that staging still reads, is never touched
(ingestion/operator/retention.py). RAW_RETENTION_MONTHS=0 (the default) keeps everything and the task says so.

Orchestration only: the task calls ``ingestion.operator.retention.apply_retention`` (``python -m ingestion retention``).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from programmamonitor.defaults import DEFAULT_ARGS, START_DATE, TAGS, nightly


@dag(
    dag_id="raw_retention",
    description="Purges raw batches older than RAW_RETENTION_MONTHS that no mart value or staging model reads.",
    schedule=nightly("0 12 * * 0"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 1},
    tags=[*TAGS, "maintenance"],
    doc_md=__doc__,
)
def raw_retention() -> None:
    @task(execution_timeout=timedelta(hours=2))
    def purge_unused_batches() -> int:
        from ingestion.config import settings
        from ingestion.operator.retention import apply_retention

        cfg = settings()
        report = apply_retention(cfg.require_warehouse_url(), cfg)
        print("\n".join(report.lines()))
        return len(report.batches)

    purge_unused_batches()


raw_retention()
