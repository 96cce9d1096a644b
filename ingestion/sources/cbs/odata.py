"""CBS StatLine OData: what both API versions share: the client, the checks on every page, the filter and the
raw rows of a table's metadata.

The client follows the API's own rules (SOURCES.md §1): the bulk ``ODataFeed`` paged with ``odata.nextLink``
(followed verbatim, no parameters re-added), codes right-padded with spaces (stripped on landing; filters use
``startswith`` so padding never matters), ``null`` for missing numbers. v4's client (``v4.py``) differs only in
URLs and paging.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from ingestion.loader import LoadError

log = logging.getLogger(__name__)

MISSING = "Missing"  # value_attribute for a number CBS left null (unknown, secret or not yet published)
# Period statuses that CBS may still revise: Voorlopig (*) and Nader voorlopig (**; NaderVoorlopig in v4).
PROVISIONAL = ("Voorlopig", "Nader voorlopig", "NaderVoorlopig")

OBSERVATION_COLUMNS = (
    "table_id",
    "row_number",
    "source_row_id",
    "region_code",
    "period_code",
    "dimensions",
    "topic_key",
    "measure_code",
    "value",
    "string_value",
    "value_attribute",
)

TABLE_INFO_COLUMNS = (
    "table_id",
    "title",
    "short_title",
    "modified",
    "meta_data_modified",
    "period",
    "frequency",
    "summary",
    "info",
)
PROPERTY_COLUMNS = ("table_id", "position", "key", "type", "title", "description", "unit", "decimals", "datatype")
CODE_COLUMNS = ("table_id", "dimension", "key", "title", "description", "status")


class CbsError(LoadError):
    """The CBS API did not give what we asked for; the message names the table and the URL."""


@dataclass
class CbsClient:
    """OData v3 client for one CBS catalogue (opendata.cbs.nl or dataderden.cbs.nl)."""

    base_url: str
    session: requests.Session
    timeout: float = 60.0
    requests_made: list[str] = field(default_factory=list)
    # A response whose body breaks off (connection dropped or stalled mid-body) is asked again this many times:
    # urllib3's retries (ingestion/http.py) end when the headers have arrived.
    body_retries: int = 5

    def table_url(self, table_id: str) -> str:
        return f"{self.base_url}/ODataFeed/odata/{table_id}"

    def get_json(self, table_id: str, url: str, params: dict[str, str] | None = None) -> Any:
        """One request: retries happen below (urllib3) and, for a body that breaks off, here; every failure becomes
        a message naming the table and the URL."""
        self.requests_made.append(url)
        for attempt in range(1, self.body_retries + 2):
            try:
                response = self.session.get(url, params=params, timeout=self.timeout, stream=True)
            except requests.RequestException as exc:
                raise CbsError(f"CBS table {table_id}: request to {url} failed after retries: {exc}") from exc
            where = response.url or url
            try:
                response.content  # noqa: B018 - reads the body, which may break off
                break
            except requests.RequestException as exc:
                response.close()
                if attempt > self.body_retries:
                    raise CbsError(
                        f"CBS table {table_id}: the response from {where} broke off before its end, "
                        f"{attempt} times: {exc}"
                    ) from exc
                log.warning("CBS table %s: response from %s broke off (%s); asking again", table_id, where, exc)
        if response.status_code == 404:
            raise CbsError(f"CBS table {table_id}: not found (HTTP 404) at {where} — check the table id")
        if response.status_code >= 400:
            raise CbsError(f"CBS table {table_id}: HTTP {response.status_code} from {where}: {_error_text(response)}")
        try:
            return response.json()
        except ValueError as exc:
            start = response.text[:60].strip().replace("\n", " ")
            if start[:1] in ("{", "["):
                raise CbsError(
                    f"CBS table {table_id}: response from {where} is broken JSON, truncated or malformed "
                    f"({len(response.content)} bytes, HTTP {response.status_code}: {exc})"
                ) from exc
            raise CbsError(f"CBS table {table_id}: response from {where} is not JSON (starts {start!r})") from exc

    def get_page(self, table_id: str, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        document = self.get_json(table_id, url, params)
        if not isinstance(document, dict) or not isinstance(document.get("value"), list):
            raise CbsError(f"CBS table {table_id}: response from {url} has no 'value' list")
        return document

    def entity(self, table_id: str, entity: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every row of an entity set, following ``odata.nextLink`` until the last page."""
        url: str | None = f"{self.table_url(table_id)}/{entity}"
        query: dict[str, str] | None = {"$format": "json", **(params or {})}
        selected = selected_columns(query)
        while url:
            document = self.get_page(table_id, url, query)
            next_link = document.get("odata.nextLink")
            yield from checked_rows(table_id, url, document["value"], next_link, selected)
            # The next link carries the whole query already; adding params again would duplicate them.
            url, query = next_link, None


def selected_columns(params: dict[str, str] | None) -> frozenset[str] | None:
    columns = [c.strip() for c in (params or {}).get("$select", "").split(",") if c.strip()]
    return frozenset(columns) or None


def checked_rows(
    table_id: str, url: str, rows: list[dict[str, Any]], next_link: str | None, selected: frozenset[str] | None
) -> list[dict[str, Any]]:
    """A page's rows, after the checks that keep a misbehaving server from losing rows or columns silently.

    An empty page that still links to a next one is an error. CBS pages server-side with a fixed page size and
    links on only from a full page; an empty page with a next link means the server lost its place (the table
    republished mid-paging, a broken cache). Following the link could skip, unseen, the rows this page should
    have held (the link's $skip has moved on anyway), and nothing says how many rows to expect: so the batch
    fails, is rolled back, and the next run starts over. An empty *last* page (no link) is normal.

    With a ``$select``, every row must have exactly the selected columns: a page whose rows lack one or carry
    another (a topic key renamed between pages) would otherwise land without, or with unmapped, values.
    """
    if not rows and next_link:
        raise CbsError(
            f"CBS table {table_id}: page {url} is empty but links to a next page ({next_link}); "
            "rows may be missing, so the batch is not loaded"
        )
    if selected is not None:
        for row in rows:
            if row.keys() != selected:
                columns = {k for k in row if not k.startswith("@") and "." not in k}  # ignore OData annotations
                if columns != selected:
                    missing = ", ".join(sorted(selected - columns)) or "none"
                    unexpected = ", ".join(sorted(columns - selected)) or "none"
                    raise CbsError(
                        f"CBS table {table_id}: rows from {url} do not have the requested columns "
                        f"(missing: {missing}; unexpected: {unexpected}) — the table changed while it was read?"
                    )
    return rows


# The politie tables on dataderden type their WijkenEnBuurten "GeoDetail" (47022NED's DataProperties,
# cbs_evidence/47018NED.md); CBS's own tables "GeoDimension".
REGION_DIMENSION_TYPES = ("GeoDimension", "GeoDetail")


@dataclass(frozen=True)
class Layout:
    """Which columns of a TypedDataSet row are the region, the period, other dimensions and topics."""

    region_dimension: str | None
    period_dimension: str | None
    other_dimensions: list[str]
    numeric_topics: set[str]


def build_filter(
    layout: Layout,
    regions: list[str],
    since: str | None = None,
    *,
    fixed_dimensions: dict[str, str] | None = None,
    periods: list[str] | None = None,
    period_types: tuple[str, ...] = (),
) -> str | None:
    """An OData $filter: regions and fixed dimensions by startswith() (padding-proof), periods by code or type
    (v3's substringof: v4 has no use for it yet)."""
    terms = []
    if regions and layout.region_dimension:
        ors = " or ".join(f"startswith({layout.region_dimension},'{odata_literal(r)}')" for r in regions)
        terms.append(f"({ors})")
    for dimension, code in (fixed_dimensions or {}).items():
        terms.append(f"startswith({dimension},'{odata_literal(code)}')")
    if layout.period_dimension:
        if periods:
            terms.append(
                "(" + " or ".join(f"{layout.period_dimension} eq '{odata_literal(p)}'" for p in sorted(periods)) + ")"
            )
        if since:
            terms.append(f"({layout.period_dimension} ge '{odata_literal(since)}')")
        if period_types:
            ors = " or ".join(f"substringof('{odata_literal(t)}',{layout.period_dimension})" for t in period_types)
            terms.append(f"({ors})")
    return " and ".join(terms) or None


def odata_literal(literal: str) -> str:
    return literal.replace("'", "''")


def strip_code(value: Any) -> Any:
    return value.rstrip() if isinstance(value, str) else value


def table_status(info_rows: list[tuple[Any, ...]]) -> str | None:
    """The table's status from its ``cbs_table_info`` rows (v3 TableInfos.OutputStatus, v4 Properties.Status)."""
    if not info_rows:
        return None
    info = json.loads(info_rows[0][TABLE_INFO_COLUMNS.index("info")])
    return info.get("OutputStatus", info.get("Status"))


def table_info_row(table_id: str, info: dict[str, Any]) -> tuple[Any, ...]:
    return (
        table_id,
        info.get("Title"),
        info.get("ShortTitle"),
        info.get("Modified"),
        info.get("MetaDataModified"),
        info.get("Period"),
        info.get("Frequency"),
        info.get("Summary"),
        json.dumps(info, sort_keys=True),
    )


def property_row(table_id: str, prop: dict[str, Any]) -> tuple[Any, ...]:
    key = prop.get("Key") or f"#{prop.get('ID')}"  # TopicGroups may come without a key
    return (
        table_id,
        prop.get("Position", prop.get("ID")),
        key,
        prop.get("Type"),
        strip_code(prop.get("Title")),
        strip_code(prop.get("Description")),
        strip_code(prop.get("Unit")),
        prop.get("Decimals"),
        prop.get("Datatype"),
    )


def code_row(table_id: str, dimension: str, code: dict[str, Any]) -> tuple[Any, ...]:
    return (
        table_id,
        dimension,
        strip_code(code.get("Key")),
        strip_code(code.get("Title")),
        strip_code(code.get("Description")),
        code.get("Status"),
    )


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
        message = body.get("odata.error", body.get("error", {})).get("message", {})
        return message.get("value", "") if isinstance(message, dict) else str(message)
    except (ValueError, AttributeError):
        return response.text[:200].strip()
