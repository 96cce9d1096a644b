"""Failure alerts: an Airflow ``on_failure_callback`` that sends one message through a configurable channel.

The channel is an Airflow connection (id from ALERT_CONNECTION_ID, default ``programmamonitor_alerts``), set as
``AIRFLOW_CONN_<ID>`` (URI or JSON) or in the Airflow UI; its conn_type picks the channel:

* ``http`` / ``https``: POST JSON to a webhook, ``{"text": ...}`` (what Slack and Teams webhooks read) plus the
  fields as structured data. URL from host (may be a full URL), port and schema (in URI form the path lands in
  schema; ``http``/``https`` there is read as the protocol, as Airflow's HttpHook does); extra ``endpoint``
  appends a path, extra ``headers`` (object) adds headers, login/password give basic auth.
* ``smtp`` / ``email``: an e-mail via smtplib; extra ``to`` (list or comma-separated), ``from`` (default: the
  login), ``starttls`` (default true), ``ssl`` (SMTPS, default false).

The message names DAG, task, run, logical date, try and the exception's first line, nothing else: no XComs, no
DAG-run conf, no traceback, so no personal data beyond what the exception message itself says. An alert must
never mask the task failure: every error is logged and swallowed, and network calls time out.
"""

from __future__ import annotations

import base64
import json
import logging
import smtplib
import ssl
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ingestion import __version__

log = logging.getLogger(__name__)

DEFAULT_CONNECTION_ID = "programmamonitor_alerts"
TIMEOUT_SECONDS = 10.0
# The first line of the exception is the verdict ("batch 17: expectation ... failed"); cap it so a pathological
# message cannot turn the alert into a data dump.
MAX_ERROR_CHARS = 500
WEBHOOK_TYPES = ("http", "https")
EMAIL_TYPES = ("smtp", "email")

# Connection ids already warned about as missing: one warning per process, not one per failed task.
_warned_missing: set[str] = set()


@dataclass(frozen=True)
class Alert:
    """What one failed task instance reports."""

    dag_id: str
    task_id: str
    run_id: str
    error: str
    logical_date: str | None = None
    try_number: int | None = None
    map_index: int | None = None
    log_url: str | None = None

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Alert:
        """From an Airflow task context (``ti``, ``run_id``, ``logical_date``, ``exception``, ``dag``)."""
        ti = context.get("ti") or context.get("task_instance")
        dag = context.get("dag")
        map_index = getattr(ti, "map_index", None)
        logical_date = context.get("logical_date")
        return cls(
            dag_id=str(getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None) or "?"),
            task_id=str(getattr(ti, "task_id", None) or "?"),
            run_id=str(context.get("run_id") or getattr(ti, "run_id", None) or "?"),
            error=one_line_error(context.get("exception")),
            logical_date=logical_date.isoformat() if hasattr(logical_date, "isoformat") else logical_date,
            try_number=getattr(ti, "try_number", None),
            map_index=map_index if isinstance(map_index, int) and map_index >= 0 else None,
            log_url=_log_url(ti),
        )

    @property
    def task_label(self) -> str:
        mapped = f"[{self.map_index}]" if self.map_index is not None else ""
        return f"{self.dag_id}.{self.task_id}{mapped}"

    def subject(self) -> str:
        return f"[Programmamonitor] Task failed: {self.task_label}"

    def text(self) -> str:
        lines = [
            f"Task failed: {self.task_label}",
            f"DAG: {self.dag_id}",
            f"Task: {self.task_id}" + (f" (map index {self.map_index})" if self.map_index is not None else ""),
            f"Run: {self.run_id}",
            f"Logical date: {self.logical_date or '-'}",
            f"Try: {self.try_number if self.try_number is not None else '-'}",
            f"Error: {self.error}",
        ]
        if self.log_url:
            lines.append(f"Log: {self.log_url}")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        return {
            "text": self.text(),
            "event": "task_failed",
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "map_index": self.map_index,
            "run_id": self.run_id,
            "logical_date": self.logical_date,
            "try_number": self.try_number,
            "error": self.error,
            "log_url": self.log_url,
        }


@dataclass(frozen=True)
class AlertChannel:
    """The connection fields the channels use; free of Airflow so the channels can be tested on their own."""

    conn_type: str
    host: str | None = None
    port: int | None = None
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    schema: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_connection(cls, conn: Any) -> AlertChannel:
        """From an Airflow ``Connection`` (SDK or models)."""
        return cls(
            conn_type=(conn.conn_type or "").lower(),
            host=conn.host or None,
            port=conn.port or None,
            login=conn.login or None,
            password=conn.password or None,
            schema=conn.schema or None,
            extra=conn.extra_dejson,
        )

    def describe(self) -> str:
        """For logs: type and host only, since a webhook's path is often its secret."""
        host = urlsplit(self.host).netloc if self.host and "://" in self.host else self.host
        return f"{self.conn_type} {host or '(no host)'}" + (f":{self.port}" if self.port else "")

    def webhook_url(self) -> str:
        host = (self.host or "").strip()
        if not host:
            raise ValueError("the alert connection has no host")
        if "://" in host:
            parts = urlsplit(host)
            if self.port and parts.port is None:
                parts = parts._replace(netloc=f"{parts.netloc}:{self.port}")
            url = urlunsplit(parts)
        else:
            schema = (self.schema or "").strip("/")
            if schema.lower() in WEBHOOK_TYPES:
                scheme, path = schema.lower(), ""
            else:
                scheme, path = ("https" if self.conn_type == "https" else "http"), schema
            url = f"{scheme}://{host}" + (f":{self.port}" if self.port else "") + (f"/{path}" if path else "")
        endpoint = str(self.extra.get("endpoint") or "").strip()
        if endpoint:
            url = url.rstrip("/") + "/" + endpoint.lstrip("/")
        return url

    def headers(self) -> dict[str, str]:
        headers = self.extra.get("headers") or {}
        if isinstance(headers, str):  # URI form and some UIs give the object as a JSON string
            headers = json.loads(headers)
        if not isinstance(headers, Mapping):
            raise ValueError("extra 'headers' of the alert connection must be an object")
        return {str(name): str(value) for name, value in headers.items()}


def one_line_error(exc: BaseException | str | None) -> str:
    """The exception's type and the first line of its message, capped at MAX_ERROR_CHARS."""
    if exc is None:
        return "(no exception in the task context)"
    message = str(exc).strip()
    first = message.splitlines()[0].strip() if message else ""
    if isinstance(exc, BaseException):
        line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    else:
        line = first or "(empty error message)"
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def send_alert(alert: Alert, channel: AlertChannel, timeout: float = TIMEOUT_SECONDS) -> None:
    """Send through the channel its conn_type names; raises on any failure (notify_failure swallows it)."""
    if channel.conn_type in WEBHOOK_TYPES:
        _post_webhook(alert, channel, timeout)
    elif channel.conn_type in EMAIL_TYPES:
        _send_email(alert, channel, timeout)
    else:
        raise ValueError(
            f"alert connection type {channel.conn_type!r} is not supported; use one of "
            f"{', '.join(WEBHOOK_TYPES + EMAIL_TYPES)}"
        )


def notify_failure(context: Mapping[str, Any]) -> None:
    """Airflow ``on_failure_callback``: send the alert if a channel is configured. Never raises."""
    try:
        alert = Alert.from_context(context)
        conn_id = _connection_id()
        channel = _channel_from_airflow(conn_id)
        if channel is None:
            return
        send_alert(alert, channel)
        log.info("Failure alert for %s sent (connection %r, %s)", alert.task_label, conn_id, channel.describe())
    except Exception as exc:  # the task has failed already; a broken alert must not hide or replace that
        log.warning("Failure alert not sent: %s: %s", type(exc).__name__, exc, exc_info=True)


def _connection_id() -> str:
    from ingestion.config import ConfigurationError, settings

    try:
        return settings().alert_connection_id or DEFAULT_CONNECTION_ID
    except (ConfigurationError, ValueError) as exc:
        # A bad setting may be the very failure being reported: still alert, through the default connection.
        log.warning("Settings unreadable (%s); alerting through connection %r", exc, DEFAULT_CONNECTION_ID)
        return DEFAULT_CONNECTION_ID


def _channel_from_airflow(conn_id: str) -> AlertChannel | None:
    """The connection through Airflow's own lookup (env var AIRFLOW_CONN_<ID>, secrets backend, metadata DB)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        if conn_id not in _warned_missing:
            _warned_missing.add(conn_id)
            log.warning(
                "No failure alerts: Airflow connection %r is not defined (set AIRFLOW_CONN_%s or add it in the UI)",
                conn_id,
                conn_id.upper(),
            )
        return None
    return AlertChannel.from_connection(conn)


def _log_url(ti: Any) -> str | None:
    try:
        url = getattr(ti, "log_url", None)
    except Exception:  # the runtime builds it from config; a missing base_url must not cost the alert
        return None
    return str(url) if url else None


def _post_webhook(alert: Alert, channel: AlertChannel, timeout: float) -> None:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"programmamonitor/{__version__}",
        **channel.headers(),
    }
    if channel.login:
        token = base64.b64encode(f"{channel.login}:{channel.password or ''}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    body = json.dumps(alert.payload(), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(channel.webhook_url(), data=body, headers=headers, method="POST")
    # urlopen raises HTTPError on 4xx/5xx, so a rejected alert is logged, not taken for delivered.
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read(64 * 1024)


def _send_email(alert: Alert, channel: AlertChannel, timeout: float) -> None:
    extra = channel.extra
    recipients = _as_list(extra.get("to"))
    if not recipients:
        raise ValueError("the SMTP alert connection names no recipients: set extra 'to'")
    sender = str(extra.get("from") or extra.get("from_email") or channel.login or "").strip()
    if not sender:
        raise ValueError("the SMTP alert connection names no sender: set extra 'from' (or a login)")
    if not channel.host:
        raise ValueError("the SMTP alert connection has no host")
    use_ssl = _as_bool(extra.get("ssl"), default=False)
    starttls = not use_ssl and _as_bool(extra.get("starttls"), default=True)

    message = EmailMessage()
    message["Subject"] = alert.subject()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    # A fixed domain: make_msgid() would otherwise look up this host's FQDN, which can hang on poor DNS.
    message["Message-ID"] = make_msgid(domain="programmamonitor.local")
    message.set_content(alert.text())

    port = channel.port or (465 if use_ssl else 587 if starttls else 25)
    tls = ssl.create_default_context()
    smtp = (
        smtplib.SMTP_SSL(channel.host, port, timeout=timeout, context=tls)
        if use_ssl
        else smtplib.SMTP(channel.host, port, timeout=timeout)
    )
    with smtp:
        if starttls:
            smtp.starttls(context=tls)
        if channel.login:
            smtp.login(channel.login, channel.password or "")
        smtp.send_message(message, from_addr=sender, to_addrs=recipients)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _as_bool(value: Any, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true/false in the alert connection's extra, got {value!r}")
