"""A local CBS OData server that misbehaves on request, for the HTTP fault tests
(tests/reliability/test_http_faults.py).

It answers from the same recordings, in the same way, as :func:`ingestion.dev.recorded.serve` (``ODataRecordings``),
over real HTTP (with keep-alive, like CBS), so the client's retries, timeouts and error handling run through the
real stack: requests, urllib3, sockets. Unlike ``RecordingServer.faults`` (whole responses only), a fault here may
also act on the socket: a reset, a stall, a body cut off. Each request is offered to the queue of :class:`Fault` s:
the first whose URL pattern matches and which has uses left answers it its own way (a status, a reset, a stall, a
cut body, a rewritten page) and is used up once; a request no fault wants gets the recorded answer.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ingestion.dev.recorded import JSON_CONTENT_TYPE, ODataRecordings, RecordedResponse

Action = Callable[["FaultHandler", str], None]


@dataclass
class Fault:
    """``action`` answers a request whose (unquoted) URL contains ``match``, at most ``times`` times."""

    action: Action
    match: str = ""
    times: int = 1
    used: int = field(default=0, init=False)

    def wants(self, url: str) -> bool:
        return self.used < self.times and self.match in url


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, page_size: int = 25) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.recordings = ODataRecordings(root, page_size)
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str]] = []  # (url, "ok" or the fault's action name), in arrival order
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add(self, action: Action, match: str = "", times: int = 1) -> Fault:
        fault = Fault(action, match, times)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take(self, url: str) -> Fault | None:
        with self.lock:
            fault = next((f for f in self.faults if f.wants(url)), None)
            if fault is not None:
                fault.used += 1
            self.log.append((url, getattr(fault.action, "__name__", "fault") if fault else "ok"))
            return fault

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a socket the fault closed on purpose; nothing to report

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve_faulty(root: Path, page_size: int = 25) -> FaultServer:
    server = FaultServer(root, page_size)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"  # keep-alive, like CBS: a reset must also cope with a pooled connection

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = unquote(self.server.base_url + self.path)
        fault = self.server.take(url)
        if fault is None:
            self.send(self.recorded())
        else:
            fault.action(self, url)

    def recorded(self) -> RecordedResponse:
        return self.server.recordings.respond(self.server.base_url + self.path)

    def send(self, answer: RecordedResponse, *, body: bytes | None = None, length: int | None = None) -> None:
        """The answer's status and headers; ``body`` instead of the answer's, ``length`` as the Content-Length."""
        body = answer.body if body is None else body
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def hang_up(self, *, reset: bool) -> None:
        """Close the socket without (the rest of) a response; with ``reset`` an RST (SO_LINGER 0), else a FIN."""
        self.close_connection = True
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence per-request logging
        pass


# --- the faults ----------------------------------------------------------------------------------------------


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Action:
    """An HTTP status, with an OData error body (as CBS sends with an error) unless a body is given."""
    error = {"odata.error": {"code": "", "message": {"lang": "en-US", "value": f"HTTP {code}"}}}
    headers = {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
    answer = RecordedResponse(code, body or json.dumps(error).encode(), headers)

    def http_status(handler: FaultHandler, url: str) -> None:
        handler.send(answer)

    http_status.__name__ = f"http_{code}"
    return http_status


def too_many_requests(retry_after: int = 1) -> Action:
    return status(429, {"Retry-After": str(retry_after)})


def html_page(code: int = 200) -> Action:
    """A maintenance page from a proxy in front of CBS: HTML, with status 200."""
    return status(
        code,
        {"Content-Type": "text/html; charset=utf-8"},
        b"<!DOCTYPE html><html><head><title>Onderhoud</title></head>"
        b"<body><h1>StatLine is tijdelijk niet beschikbaar</h1></body></html>",
    )


def reset(handler: FaultHandler, url: str) -> None:
    """Connection reset: the request is read, then an RST instead of an answer."""
    handler.hang_up(reset=True)


def hang_up(handler: FaultHandler, url: str) -> None:
    """The server closes the connection without answering (a FIN, no status line)."""
    handler.hang_up(reset=False)


def stall(seconds: float) -> Action:
    """No answer for ``seconds`` (longer than the client's timeout), then the connection is closed."""

    def read_timeout(handler: FaultHandler, url: str) -> None:
        time.sleep(seconds)
        handler.hang_up(reset=False)

    return read_timeout


def cut_body(keep: float = 0.5) -> Action:
    """The recorded answer with its full Content-Length, but the connection drops after part of the body."""

    def body_cut_off(handler: FaultHandler, url: str) -> None:
        answer = handler.recorded()
        handler.send(answer, body=answer.body[: int(len(answer.body) * keep)], length=len(answer.body))
        handler.hang_up(reset=False)

    return body_cut_off


def truncated_json(keep: float = 0.5) -> Action:
    """A complete, well-formed HTTP response (honest Content-Length) whose JSON body was cut off by the server."""

    def truncated(handler: FaultHandler, url: str) -> None:
        answer = handler.recorded()
        handler.send(answer, body=answer.body[: int(len(answer.body) * keep)])

    return truncated


def rewrite(change: Callable[[dict], None], name: str = "rewritten") -> Action:
    """The recorded page, with ``change`` applied to its JSON document (the envelope, ``value`` list and all)."""

    def rewritten(handler: FaultHandler, url: str) -> None:
        answer = handler.recorded()
        document = json.loads(answer.body)
        change(document)
        handler.send(answer, body=json.dumps(document).encode())

    rewritten.__name__ = name
    return rewritten


def rename_column(old: str, new: str) -> Action:
    """A page whose rows carry ``new`` where the table (and the request's $select) has ``old``."""

    def change(document: dict) -> None:
        document["value"] = [{(new if k == old else k): v for k, v in row.items()} for row in document["value"]]

    return rewrite(change, f"renamed_{old}")


def drop_column(column: str) -> Action:
    """A page whose rows lack ``column`` altogether."""

    def change(document: dict) -> None:
        document["value"] = [{k: v for k, v in row.items() if k != column} for row in document["value"]]

    return rewrite(change, f"dropped_{column}")


def empty_page() -> Action:
    """A page with no rows that still links to the next one."""
    return rewrite(lambda document: document.update(value=[]), "empty_page")
