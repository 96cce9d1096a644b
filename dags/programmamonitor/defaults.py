"""Default task arguments and schedules shared by the DAG files."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import pendulum
from airflow.sdk import CronTriggerTimetable, DeadlineAlert, DeadlineReference, SyncCallback

TIMEZONE = "Europe/Amsterdam"
START_DATE = pendulum.datetime(2026, 1, 1, tz=TIMEZONE)
OWNER = "team-data-almelo"
TAGS = ["programmamonitor"]


def nightly(cron: str) -> CronTriggerTimetable:
    """A run at the given minute and hour of each night, Amsterdam time (summer and winter time alike)."""
    return CronTriggerTimetable(cron, timezone=TIMEZONE)


# When the nightly refresh must be done (HH:MM, Amsterdam); later, the alert channel hears of it.
REFRESH_DEADLINE = os.environ.get("PROGRAMMAMONITOR_REFRESH_DEADLINE", "07:00")


def refresh_deadline(nightly_at: str) -> DeadlineAlert:
    """A DeadlineAlert for a DAG whose nightly run is due at ``nightly_at`` (HH:MM): alert when that run has not
    finished by REFRESH_DEADLINE (the next morning if the deadline lies before the start). Runs without a logical
    date (Asset-triggered) have no deadline; the nightly run after them does."""
    start, end = (datetime.strptime(t, "%H:%M") for t in (nightly_at, REFRESH_DEADLINE))
    interval = (end - start) % timedelta(days=1) or timedelta(days=1)
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=interval,
        callback=SyncCallback("ingestion.alerts.notify_deadline_missed",
                              kwargs={"deadline": f"{REFRESH_DEADLINE} {TIMEZONE}"}),
    )


def alert_on_failure(context: dict[str, Any]) -> None:
    """Failure alert (ingestion/alerts.py), imported only when a task fails so parsing stays light."""
    from ingestion.alerts import notify_failure

    notify_failure(context)


# Network and file tasks retry with exponential backoff; validation and the build override retries=0 (a failed
# check is a verdict, not a hiccup).
DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=1),
    "on_failure_callback": alert_on_failure,
}
