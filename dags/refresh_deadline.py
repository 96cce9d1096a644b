"""The nightly refresh's deadline: at PROGRAMMAMONITOR_REFRESH_DEADLINE (default 07:00, Amsterdam) the marts must
have been published since the night began (02:00, the CBS load). If not, the check fails and the failure alert
tells the data engineers that BI still reads the previous night's figures.

A DAG of its own rather than a deadline on the transform DAG: the transform runs whenever sources publish, so "not
finished by 07:00" is a question about the night, answered from audit.marts_publication.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task

from programmamonitor.defaults import DEFAULT_ARGS, NIGHT_START, REFRESH_DEADLINE, START_DATE, TAGS, daily_at


@dag(
    dag_id="refresh_deadline",
    description=f"Fails (and alerts) when the marts were not published between {NIGHT_START} and {REFRESH_DEADLINE}.",
    schedule=daily_at(REFRESH_DEADLINE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0},
    tags=[*TAGS, "deadline"],
    doc_md=__doc__,
)
def refresh_deadline() -> None:
    @task(execution_timeout=timedelta(minutes=5))
    def marts_published_tonight(**context: Any) -> str:
        from ingestion.pipeline import check_refresh

        return check_refresh(context, night_start=NIGHT_START)

    marts_published_tonight()


refresh_deadline()
