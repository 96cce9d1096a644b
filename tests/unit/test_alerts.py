"""Failure alerts reach a local webhook and a local SMTP server; a missing or broken channel never raises.

The connection comes from AIRFLOW_CONN_PROGRAMMAMONITOR_ALERTS (monkeypatched) through Airflow's own lookup
(``airflow.sdk.Connection.get``): outside a running task it reads the environment-variable secrets backend,
the same one a worker consults first. No scheduler, no metadata database.
"""

from __future__ import annotations

import base64
import email
import email.policy
import importlib.util
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest

from ingestion import alerts
from ingestion.alerts import Alert, AlertChannel, notify_failure, send_alert
from ingestion.pipeline import ValidationFailed

DEFAULTS_FILE = Path(__file__).resolve().parents[2] / "dags" / "programmamonitor" / "defaults.py"
CONN_ENV = "AIRFLOW_CONN_PROGRAMMAMONITOR_ALERTS"
# A valid-looking BSN placed where an alert must not look (params, DAG-run conf): it must never be sent.
BSN_IN_CONTEXT = "111222333"
FAILURE = ValidationFailed(
    17, "cbs 85039NED", ["expect_column_values_to_not_be_null(waarde): 3 of 1200 rows unexpected"]
)


# --- local receivers ------------------------------------------------------------------------------------------


class _WebhookServer(ThreadingHTTPServer):
    status = 200

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.requests: list[dict[str, Any]] = []


class _WebhookHandler(BaseHTTPRequestHandler):
    server: _WebhookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[dict[str, Any]] = []
        self.logins: list[tuple[str, str]] = []


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough ESMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT (aiosmtpd is not installed)."""

    server: _SMTPServer

    def reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode("ascii"))

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("ascii").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-localhost", "250-AUTH PLAIN", "250 8BITMIME")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
                self.server.logins.append((user, password))
                self.reply("235 authenticated")
            elif verb == "MAIL":
                sender = command.split(":", 1)[1].split(">")[0].strip(" <")
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].split(">")[0].strip(" <"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(data, policy=email.policy.default)
                self.server.messages.append({"from": sender, "to": recipients, "message": message})
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("HELO", "RSET", "NOOP"):
                self.reply("250 ok")
            else:
                self.reply("502 not implemented")


def _serve(server: socketserver.BaseServer) -> Iterator[Any]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def webhook() -> Iterator[_WebhookServer]:
    yield from _serve(_WebhookServer())


@pytest.fixture
def smtp_server() -> Iterator[_SMTPServer]:
    yield from _serve(_SMTPServer())


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated_alert_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONN_ENV, raising=False)
    monkeypatch.delenv("ALERT_CONNECTION_ID", raising=False)
    monkeypatch.setattr(alerts, "_warned_missing", set())


# --- a realistic callback context -----------------------------------------------------------------------------


@dataclass
class FakeTaskInstance:
    """What the callback reads of Airflow's RuntimeTaskInstance."""

    task_id: str = "validate_batch"
    dag_id: str = "source_cbs"
    run_id: str = "scheduled__2026-03-04T01:30:00+00:00"
    try_number: int = 1
    map_index: int = 2
    log_url: str = (
        "http://localhost:8080/dags/source_cbs/runs/scheduled__2026-03-04T01%3A30%3A00%2B00%3A00"
        "/tasks/validate_batch/mapped/2?try_number=1"
    )


def failure_context(exception: BaseException | str | None = FAILURE) -> dict[str, Any]:
    ti = FakeTaskInstance()
    return {
        "dag": SimpleNamespace(dag_id=ti.dag_id),
        "dag_run": SimpleNamespace(run_id=ti.run_id, conf={"bsn": BSN_IN_CONTEXT}),
        "task": SimpleNamespace(task_id=ti.task_id),
        "ti": ti,
        "task_instance": ti,
        "run_id": ti.run_id,
        "logical_date": pendulum.datetime(2026, 3, 4, 1, 30, tz="UTC"),
        "ds": "2026-03-04",
        "params": {"bsn": BSN_IN_CONTEXT},
        "exception": exception,
    }


def http_connection(port: int, **extra: Any) -> str:
    return json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": port, "schema": "http", "extra": extra})


# --- webhook --------------------------------------------------------------------------------------------------


def test_webhook_receives_json_naming_dag_task_run_and_error(
    webhook: _WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = webhook.server_address[1]
    monkeypatch.setenv(CONN_ENV, http_connection(port, endpoint="hooks/alerts", headers={"X-Alert-Token": "t0k3n"}))

    notify_failure(failure_context())

    [request] = webhook.requests
    assert request["path"] == "/hooks/alerts"
    assert request["headers"]["X-Alert-Token"] == "t0k3n"
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = request["json"]
    assert body["dag_id"] == "source_cbs"
    assert body["task_id"] == "validate_batch"
    assert body["map_index"] == 2
    assert body["run_id"] == "scheduled__2026-03-04T01:30:00+00:00"
    assert body["logical_date"] == "2026-03-04T01:30:00+00:00"
    assert body["try_number"] == 1
    assert body["error"].startswith("ValidationFailed: batch 17 (cbs 85039NED) failed validation")
    assert "expect_column_values_to_not_be_null" in body["error"]
    assert body["log_url"] == FakeTaskInstance.log_url
    # Slack/Teams read "text": everything a reader needs, in one message.
    for expected in ("source_cbs", "validate_batch", body["run_id"], "batch 17", "Try: 1"):
        assert expected in body["text"]
    assert BSN_IN_CONTEXT not in json.dumps(body)


def test_webhook_from_uri_connection_and_alert_connection_id_setting(
    webhook: _WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """URI form: the path lands in the connection's schema and is posted to; ALERT_CONNECTION_ID picks the id."""
    monkeypatch.setenv("ALERT_CONNECTION_ID", "ops_alerts")
    monkeypatch.setenv("AIRFLOW_CONN_OPS_ALERTS", f"http://127.0.0.1:{webhook.server_address[1]}/services/T0/B0")

    notify_failure(failure_context())

    [request] = webhook.requests
    assert request["path"] == "/services/T0/B0"
    assert request["json"]["task_id"] == "validate_batch"


def test_rejected_webhook_is_logged_not_raised(
    webhook: _WebhookServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.status = 500
    monkeypatch.setenv(CONN_ENV, http_connection(webhook.server_address[1]))

    with caplog.at_level(logging.WARNING, logger="ingestion.alerts"):
        notify_failure(failure_context())

    assert len(webhook.requests) == 1
    assert "Failure alert not sent: HTTPError" in caplog.text


def test_unreachable_webhook_does_not_raise_and_logs_a_warning(
    closed_port: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CONN_ENV, http_connection(closed_port))

    with caplog.at_level(logging.WARNING, logger="ingestion.alerts"):
        notify_failure(failure_context())

    warnings = [r for r in caplog.records if r.name == "ingestion.alerts" and r.levelno == logging.WARNING]
    assert warnings and "Failure alert not sent" in warnings[0].getMessage()


# --- e-mail ---------------------------------------------------------------------------------------------------


def test_email_arrives_with_subject_and_body_naming_task_and_error(
    smtp_server: _SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = smtp_server.server_address[1]
    monkeypatch.setenv(
        CONN_ENV,
        f"smtp://alerts:s3cret-pw@127.0.0.1:{port}"
        "?from=airflow%40almelo.example&to=data%40almelo.example%2Cops%40almelo.example&starttls=false",
    )

    notify_failure(failure_context())

    [received] = smtp_server.messages
    assert smtp_server.logins == [("alerts", "s3cret-pw")]
    assert received["from"] == "airflow@almelo.example"
    assert received["to"] == ["data@almelo.example", "ops@almelo.example"]
    message = received["message"]
    assert "validate_batch" in message["Subject"] and "source_cbs" in message["Subject"]
    assert message["To"] == "data@almelo.example, ops@almelo.example"
    body = message.get_content()
    for expected in ("Task: validate_batch (map index 2)", "Run: scheduled__2026-03-04", "Try: 1", "batch 17"):
        assert expected in body
    assert "expect_column_values_to_not_be_null" in body
    assert BSN_IN_CONTEXT not in message.as_string()


def test_email_with_json_connection_and_recipient_list(smtp_server: _SMTPServer) -> None:
    """The channel without Airflow: a plain AlertChannel, extra as the JSON form gives it."""
    channel = AlertChannel(
        conn_type="email",
        host="127.0.0.1",
        port=smtp_server.server_address[1],
        extra={"from": "airflow@almelo.example", "to": ["data@almelo.example"], "starttls": False},
    )

    send_alert(Alert.from_context(failure_context()), channel, timeout=5)

    [received] = smtp_server.messages
    assert smtp_server.logins == []
    assert received["to"] == ["data@almelo.example"]


def test_email_without_recipients_is_logged_not_raised(
    smtp_server: _SMTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CONN_ENV, f"smtp://127.0.0.1:{smtp_server.server_address[1]}?starttls=false")

    with caplog.at_level(logging.WARNING, logger="ingestion.alerts"):
        notify_failure(failure_context())

    assert smtp_server.messages == []
    assert "names no recipients" in caplog.text


# --- no channel, odd contexts ---------------------------------------------------------------------------------


def test_no_connection_configured_does_not_raise_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ingestion.alerts"):
        notify_failure(failure_context())
        notify_failure(failure_context())

    warnings = [r.getMessage() for r in caplog.records if r.name == "ingestion.alerts"]
    assert len(warnings) == 1
    assert "programmamonitor_alerts" in warnings[0] and CONN_ENV in warnings[0]


def test_unsupported_connection_type_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CONN_ENV, "postgresql://user:pw@127.0.0.1:5432/db")

    with caplog.at_level(logging.WARNING, logger="ingestion.alerts"):
        notify_failure(failure_context())

    assert "'postgres' is not supported" in caplog.text


def test_alert_keeps_only_the_first_line_of_the_error_and_no_context_data() -> None:
    error = RuntimeError("batch 9 (uwv/spanning.csv): 2 rows quarantined\nrow 3: <raw row contents>\nrow 7: ...")
    alert = Alert.from_context(failure_context(error))

    assert alert.error == "RuntimeError: batch 9 (uwv/spanning.csv): 2 rows quarantined"
    assert "raw row" not in json.dumps(alert.payload())
    assert BSN_IN_CONTEXT not in json.dumps(alert.payload())
    assert len(Alert.from_context(failure_context(ValueError("x" * 5000))).error) == alerts.MAX_ERROR_CHARS


def test_alert_from_a_sparse_context() -> None:
    """Manual runs may lack a logical date; an unmapped task has map_index -1; the error may be a string."""
    ti = SimpleNamespace(task_id="summary", dag_id="source_cbs", run_id="manual__1", map_index=-1)
    alert = Alert.from_context({"ti": ti, "run_id": "manual__1", "exception": "Task timed out"})

    assert (alert.map_index, alert.logical_date, alert.try_number, alert.log_url) == (None, None, None, None)
    assert alert.error == "Task timed out"
    assert alert.task_label == "source_cbs.summary"
    assert "Logical date: -" in alert.text()


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        (
            {"conn_type": "http", "host": "hooks.example.nl", "schema": "https", "extra": {"endpoint": "/a/b"}},
            "https://hooks.example.nl/a/b",
        ),
        (
            {"conn_type": "https", "host": "hooks.example.nl", "schema": "services/T0/B0"},
            "https://hooks.example.nl/services/T0/B0",
        ),
        ({"conn_type": "http", "host": "https://hooks.example.nl/x", "port": 8443}, "https://hooks.example.nl:8443/x"),
        ({"conn_type": "http", "host": "10.0.0.5", "port": 8080}, "http://10.0.0.5:8080"),
    ],
)
def test_webhook_url_from_connection_fields(fields: dict[str, Any], url: str) -> None:
    assert AlertChannel(**fields).webhook_url() == url


def test_channel_repr_and_description_hide_secrets() -> None:
    channel = AlertChannel(conn_type="https", host="https://hooks.example.nl/services/SECRET", password="pw-123")
    assert "pw-123" not in repr(channel)
    assert "SECRET" not in channel.describe()


# --- wiring ---------------------------------------------------------------------------------------------------


def test_the_dags_default_args_call_notify_failure_on_task_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every DAG takes DEFAULT_ARGS from dags/programmamonitor/defaults.py (tests/dags/test_dag_integrity.py checks
    it)."""
    spec = importlib.util.spec_from_file_location("defaults_alerts_wiring", DEFAULTS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    received: list[dict] = []
    monkeypatch.setattr(alerts, "notify_failure", received.append)

    context = failure_context()
    module.DEFAULT_ARGS["on_failure_callback"](context)

    assert received == [context]
