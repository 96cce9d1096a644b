"""Default task arguments and schedules shared by the DAG files."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import CronTriggerTimetable

TIMEZONE = "Europe/Amsterdam"
START_DATE = pendulum.datetime(2026, 1, 1, tz=TIMEZONE)
OWNER = "team-data-almelo"
TAGS = ["programmamonitor"]


def nightly(cron: str) -> CronTriggerTimetable:
    """A run at the given minute and hour of each night, Amsterdam time (summer and winter time alike)."""
    return CronTriggerTimetable(cron, timezone=TIMEZONE)


# The night begins with the CBS load (source_cbs); by REFRESH_DEADLINE (HH:MM, Amsterdam) the marts must have been
# published since then, or dags/refresh_deadline.py fails and the alert channel hears of it.
NIGHT_START = "02:00"
# Every source DAG starts its night at NIGHT_START (the executor's slots and the cbs_api pool pace them); the
# transform waits until none of them is queued or running, then builds once (programmamonitor.tasks).
SOURCE_DAG_IDS: tuple[str, ...] = ("source_cbs", "source_uwv", "source_kennispunt", "source_werkplein",
                                   "source_handmatig")
REFRESH_DEADLINE = os.environ.get("PROGRAMMAMONITOR_REFRESH_DEADLINE", "07:00")


def daily_at(hh_mm: str) -> CronTriggerTimetable:
    hour, minute = (int(part) for part in hh_mm.split(":"))
    return nightly(f"{minute} {hour} * * *")


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
