"""Recorded CBS responses, served the way the CBS OData service serves them.

A recording is one JSON file per entity set, in the exact response envelope of the API, under
``<root>/v3/<TableId>/<EntitySet>.json`` (OData 3, ``opendata.cbs.nl/ODataFeed/odata/<TableId>/...``) or
``<root>/v4/<TableId>/<EntitySet>.json`` (OData 4, ``datasets.cbs.nl/odata/v1/CBS/<TableId>/...``; a file without
a ``value`` list, such as ``Properties``, is a singleton and is served as the object it is).
:class:`ODataRecordings` answers a request URL from them as the service would: ``$filter`` (the OData 3/4
subset CBS users need), ``$select``, ``$top``/``$skip`` (and ``$count=true`` in v4) and server-side paging with
``odata.nextLink`` (v3) or ``@odata.nextLink`` (v4). It is keyed by the URL path only, so it answers whatever
base URL it is mounted on. It is reached either through :class:`RecordedODataAdapter` (a requests
transport, used for the demo run: no network) or through :func:`serve` (a real local HTTP server, used by
tests and benchmarks, so retries and timeouts run through the real HTTP stack).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter

JSON_CONTENT_TYPE = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8"
V4_JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"
V3_PREFIXES = ("ODataFeed/odata", "ODataApi/odata", "ODataFeed/OData", "ODataApi/OData")
V4_PREFIXES = ("odata/v1/CBS",)


@dataclass
class RecordedResponse:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class _Dialect:
    """What differs between the OData 3 and OData 4 services: the folder and the envelope's keys."""

    version: str
    prefixes: tuple[str, ...]
    context_key: str
    next_key: str
    content_type: str


_V3 = _Dialect("v3", V3_PREFIXES, "odata.metadata", "odata.nextLink", JSON_CONTENT_TYPE)
_V4 = _Dialect("v4", V4_PREFIXES, "@odata.context", "@odata.nextLink", V4_JSON_CONTENT_TYPE)


# --- a small OData $filter evaluator -------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w]*)|(?P<op>[(),]))")
_COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}
_FUNCTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "startswith": lambda a, b: isinstance(a, str) and a.startswith(b),
    "endswith": lambda a, b: isinstance(a, str) and a.endswith(b),
    "substringof": lambda needle, hay: isinstance(hay, str) and needle in hay,  # OData 3 argument order
    "contains": lambda hay, needle: isinstance(hay, str) and needle in hay,  # OData 4
}


class ODataFilterError(ValueError):
    pass


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ODataFilterError(f"cannot parse $filter at {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent: or-expr := and-expr ('or' and-expr)*; and-expr := unary ('and' unary)*."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def parse(self) -> Callable[[dict], bool]:
        expr = self._or()
        if self.pos != len(self.tokens):
            raise ODataFilterError(f"unexpected {self.tokens[self.pos][1]!r} in $filter")
        return expr

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (value is not None and token[1] != value):
            raise ODataFilterError(f"expected {value or 'more'} in $filter")
        self.pos += 1
        return token

    def _or(self) -> Callable[[dict], bool]:
        left = self._and()
        while (tok := self._peek()) and tok == ("name", "or"):
            self._take()
            right, prev = self._and(), left
            left = lambda row, a=prev, b=right: a(row) or b(row)  # noqa: E731
        return left

    def _and(self) -> Callable[[dict], bool]:
        left = self._unary()
        while (tok := self._peek()) and tok == ("name", "and"):
            self._take()
            right, prev = self._unary(), left
            left = lambda row, a=prev, b=right: a(row) and b(row)  # noqa: E731
        return left

    def _unary(self) -> Callable[[dict], bool]:
        tok = self._peek()
        if tok == ("name", "not"):
            self._take()
            inner = self._unary()
            return lambda row: not inner(row)
        if tok == ("op", "("):
            self._take("(")
            inner = self._or()
            self._take(")")
            return inner
        if tok and tok[0] == "name" and tok[1] in _FUNCTIONS:
            fn = _FUNCTIONS[self._take()[1]]
            self._take("(")
            first = self._operand()
            self._take(",")
            second = self._operand()
            self._take(")")
            return lambda row: fn(first(row), second(row))
        left = self._operand()
        op = self._take()[1]
        if op not in _COMPARISONS:
            raise ODataFilterError(f"unsupported operator {op!r} in $filter")
        right = self._operand()
        compare = _COMPARISONS[op]
        return lambda row: compare(left(row), right(row))

    def _operand(self) -> Callable[[dict], Any]:
        kind, value = self._take()
        if kind == "str":
            literal = value[1:-1].replace("''", "'")
            return lambda row: literal
        if kind == "num":
            number = float(value) if "." in value else int(value)
            return lambda row: number
        if kind == "name":
            if value == "null":
                return lambda row: None
            return lambda row: row.get(value)
        raise ODataFilterError(f"unexpected {value!r} in $filter")


@lru_cache(maxsize=256)
def compile_filter(text: str) -> Callable[[dict], bool]:
    return _Parser(text).parse()


# --- the recordings ------------------------------------------------------------------------------------------


@lru_cache(maxsize=128)
def _read_recording(path: str, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


class ODataRecordings:
    """Answers CBS OData v3 and v4 URLs from recorded entity sets."""

    def __init__(self, root: Path, page_size: int = 100) -> None:
        self.root = Path(root)
        self.page_size = page_size
        self.requests: list[str] = []

    def _entity(self, version: str, table_id: str, entity: str) -> dict | None:
        path = self.root / version / table_id / f"{entity}.json"
        if not path.is_file():
            return None
        # Keyed on the modification time: a recording edited on disk (a new CBS release in a test) is re-read.
        return _read_recording(str(path), path.stat().st_mtime_ns)

    def respond(self, url: str) -> RecordedResponse:
        self.requests.append(url)
        parts = urlsplit(url)
        path = parts.path.strip("/")
        located = _locate(path)
        if located is None:
            return _error(404, f"no recorded API at {parts.path}")
        dialect, rest = located
        table_id, entity = rest[0], (rest[1] if len(rest) > 1 else "")
        if not (self.root / dialect.version / table_id).is_dir():
            return _error(404, f"Table '{table_id}' not found", dialect)
        if not entity:
            return self._service_document(parts, table_id, dialect)
        document = self._entity(dialect.version, table_id, entity)
        if document is None:
            return _error(404, f"Resource '{entity}' not found for table '{table_id}'", dialect)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if dialect is _V4 and not isinstance(document.get("value"), list):
            return _singleton(document, params, dialect)
        wanted = [c.strip() for c in params.get("$select", "").split(",") if c.strip()]
        if dialect is _V4 and wanted and document["value"]:
            # OData 4 rejects an unknown property in $select; so does the emulator, to catch it before CBS does.
            unknown = [c for c in wanted if c not in document["value"][0]]
            if unknown:
                return _error(400, f"Could not find a property named '{unknown[0]}' on '{entity}'", dialect)
        try:
            rows = document["value"]
            if "$filter" in params:
                predicate = compile_filter(params["$filter"])
                rows = [row for row in rows if predicate(row)]
        except ODataFilterError as exc:
            return _error(400, str(exc), dialect)
        skip = int(params.get("$skip", 0) or 0)
        top = int(params["$top"]) if params.get("$top") else None
        matched = len(rows)
        rows = rows[skip:]
        if top is not None:
            rows = rows[:top]
        envelope: dict[str, Any] = {dialect.context_key: document.get(dialect.context_key, "")}
        if dialect is _V4 and params.get("$count", "").lower() == "true":
            envelope["@odata.count"] = matched  # the filtered collection, regardless of $top/$skip (OData 4)
        page = rows[: self.page_size]
        if "$select" in params:
            page = [{c: row.get(c) for c in wanted} for row in page]
        envelope["value"] = page
        if len(rows) > self.page_size:
            params["$skip"] = str(skip + self.page_size)
            if top is not None:
                params["$top"] = str(top - self.page_size)
            envelope[dialect.next_key] = urlunsplit(parts._replace(query=urlencode(params, safe="$,'() ")))
        return RecordedResponse(200, json.dumps(envelope).encode(), {"Content-Type": dialect.content_type})

    def _service_document(self, parts: Any, table_id: str, dialect: _Dialect) -> RecordedResponse:
        base = urlunsplit(parts._replace(query="")).rstrip("/")
        names = sorted(p.stem for p in (self.root / dialect.version / table_id).glob("*.json"))
        if dialect is _V4:
            # v4 lists relative urls and says which names are singletons (Properties).
            value = [{"name": n, "kind": self._kind(table_id, n), "url": n} for n in names]
        else:
            value = [{"name": n, "url": f"{base}/{n}"} for n in names]
        body = {dialect.context_key: f"{base}/$metadata", "value": value}
        return RecordedResponse(200, json.dumps(body).encode(), {"Content-Type": dialect.content_type})

    def _kind(self, table_id: str, name: str) -> str:
        document = self._entity("v4", table_id, name) or {}
        return "EntitySet" if isinstance(document.get("value"), list) else "Singleton"


def _locate(path: str) -> tuple[_Dialect, list[str]] | None:
    """The API a URL path addresses and the path segments after its prefix (table id, entity set)."""
    for dialect in (_V3, _V4):
        prefix = next((p for p in dialect.prefixes if f"/{p}/" in f"/{path}/"), None)
        if prefix is not None:
            return dialect, path.split(prefix, 1)[1].strip("/").split("/")
    return None


def _singleton(document: dict, params: dict[str, str], dialect: _Dialect) -> RecordedResponse:
    """A singleton (v4 ``Properties``) is one object, not a page: only $select applies."""
    body = document
    if "$select" in params:
        wanted = {c.strip() for c in params["$select"].split(",") if c.strip()}
        body = {k: v for k, v in document.items() if k in wanted or k.startswith("@odata.")}
    return RecordedResponse(200, json.dumps(body).encode(), {"Content-Type": dialect.content_type})


def _error(status: int, message: str, dialect: _Dialect = _V3) -> RecordedResponse:
    if dialect is _V4:
        body: dict[str, Any] = {"error": {"code": "", "message": message}}  # OData 4 JSON error format
    else:
        body = {"odata.error": {"code": "", "message": {"lang": "en-US", "value": message}}}
    return RecordedResponse(status, json.dumps(body).encode(), {"Content-Type": dialect.content_type})


class RecordedODataAdapter(BaseAdapter):
    """requests transport adapter answering from recordings (SOURCE_MODE=recorded)."""

    def __init__(self, root: Path, page_size: int = 100) -> None:
        super().__init__()
        self.recordings = ODataRecordings(root, page_size)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        answer = self.recordings.respond(request.url or "")
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers.update(answer.headers)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


# --- a real local HTTP server over the same recordings, with fault injection ---------------------------------

Fault = Callable[[str], RecordedResponse | None]


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, recordings: ODataRecordings) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.recordings = recordings
        # Each fault is asked in turn; the first that returns a response answers the request, and is used up.
        self.faults: list[Fault] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: RecordingServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = self.server.base_url + self.path
        answer = None
        with self.server.lock:
            for fault in list(self.server.faults):
                answer = fault(url)
                if answer is not None:
                    self.server.faults.remove(fault)
                    break
        if answer is None:
            answer = self.server.recordings.respond(url)
        else:
            self.server.recordings.requests.append(url)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence per-request logging
        pass


def serve(root: Path, page_size: int = 100) -> RecordingServer:
    """Start a local server over the recordings in a background thread; call ``shutdown()`` when done."""
    server = RecordingServer(ODataRecordings(root, page_size))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
