"""CBS StatLine: the OData client and the table loader.

The client follows the API's own rules (SOURCES.md §1): the bulk ``ODataFeed`` paged with ``odata.nextLink``
(followed verbatim, no parameters re-added), codes right-padded with spaces (stripped on landing; filters use
``startswith`` so padding never matters), ``null`` for missing numbers. The loader lands a table's metadata and
its data, in long form, as one batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
import requests

from ingestion.config import Settings
from ingestion.http import make_session
from ingestion.loader import Batch, BatchResult, BatchSpec, BatchUnchanged, LoadError, open_batch, result_of
from ingestion.sources.cbs_contract import Measure, TopicMeta, kind_problems, parse_measures, v3_topics, v4_topics

log = logging.getLogger(__name__)

NUMERIC_DATATYPES = {"Long", "Double", "Integer", "Decimal", "Float", "Int32", "Int64", "Short", "Byte"}
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


CATALOGUES = ("opendata", "dataderden")


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
        selected = _selected(query)
        while url:
            document = self.get_page(table_id, url, query)
            next_link = document.get("odata.nextLink")
            yield from checked_rows(table_id, url, document["value"], next_link, selected)
            # The next link carries the whole query already; adding params again would duplicate them.
            url, query = next_link, None


def _selected(params: dict[str, str] | None) -> frozenset[str] | None:
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


@dataclass(frozen=True)
class TableConfig:
    """One CBS table as configured: an edition of a series (ingestion/config/cbs_tables.yml)."""

    table_id: str
    series: str
    edition: int | None
    api: str
    regions: list[str]
    period_grain: str
    fixed_dimensions: dict[str, str]
    measures: dict[str, str]  # topic key -> our measure code
    value_range: tuple[float | None, float | None]
    title: str = ""
    kinds: dict[str, str] = field(default_factory=dict)  # topic key -> declared kind (cbs_contract.MEASURE_KINDS)
    # Only periods of these types (JJ, HJ, KW, MM), for tables that mix them (37230ned: months and whole years).
    period_types: tuple[str, ...] = ()
    # opendata (CBS's own tables) or dataderden (tables CBS publishes for others: politie, RIVM), both OData v3
    catalogue: str = "opendata"

    def wants_period(self, code: str) -> bool:
        return not self.period_types or code[4:6] in self.period_types

    @property
    def declared(self) -> dict[str, Measure]:
        """Each configured topic key with its measure code and declared kind."""
        return {key: Measure(code, self.kinds.get(key, "")) for key, code in self.measures.items()}

    @property
    def selection(self) -> str:
        """What the configuration asks of the table (regions, fixed dimensions, topic keys), as a short digest: a
        load after the selection changed (a region set widened, a topic mapped) cannot be incremental."""
        asked = {"regions": sorted(self.regions), "fixed_dimensions": self.fixed_dimensions,
                 "measures": sorted(self.measures)}
        if self.period_types:
            asked["period_types"] = sorted(self.period_types)
        return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_settings(cls, settings: Settings, table_id: str) -> TableConfig:
        catalogue = settings.cbs_tables
        for series_name, series in catalogue.get("series", {}).items():
            editions = series.get("editions") or {}
            if table_id not in editions:
                continue
            cfg = {**{k: v for k, v in series.items() if k != "editions"}, **(editions[table_id] or {})}
            regions = _regions(cfg.get("regions", []), catalogue.get("region_sets", {}))
            try:
                measures = parse_measures(table_id, cfg.get("measures"), str(settings.cbs_tables_file))
            except ValueError as exc:
                raise CbsError(str(exc)) from None
            low, high = (list(cfg.get("value_range") or []) + [None, None])[:2]
            return cls(
                table_id=table_id,
                series=series_name,
                edition=cfg.get("year"),
                api=cfg.get("api", "v3"),
                regions=[str(r) for r in regions],
                period_grain=cfg.get("period_grain", "year"),
                fixed_dimensions={str(k): str(v) for k, v in (cfg.get("fixed_dimensions") or {}).items()},
                measures={key: m.code for key, m in measures.items()},
                value_range=(low, high),
                title=cfg.get("title", ""),
                kinds={key: m.kind for key, m in measures.items()},
                period_types=tuple(str(t) for t in cfg.get("period_types") or ()),
                catalogue=str(cfg.get("catalogue", "opendata")),
            )
        known = ", ".join(configured_tables(settings)) or "none"
        raise CbsError(f"CBS table {table_id} is not configured in {settings.cbs_tables_file} (configured: {known})")


def _regions(spec: str | list[str], region_sets: dict[str, list[str]], seen: tuple[str, ...] = ()) -> list[str]:
    """A region set's name, or a list of set names and region code prefixes, as one list of prefixes (a set may
    name other sets)."""
    items = [spec] if isinstance(spec, str) else list(spec)
    regions: list[str] = []
    for item in map(str, items):
        if item in seen:
            raise CbsError(f"region set {item} in cbs_tables.yml names itself (through {' -> '.join(seen)})")
        regions += _regions(region_sets[item], region_sets, (*seen, item)) if item in region_sets else [item]
    return list(dict.fromkeys(regions))


def measure_kinds(settings: Settings) -> dict[str, dict[str, set[str]]]:
    """series -> measure code -> the kinds its editions declare, for checking the formulas that read them."""
    kinds: dict[str, dict[str, set[str]]] = {}
    for table_id in configured_tables(settings):
        cfg = TableConfig.from_settings(settings, table_id)
        for key, code in cfg.measures.items():
            kinds.setdefault(cfg.series, {}).setdefault(code, set()).add(cfg.kinds[key])
    return kinds


def configured_tables(settings: Settings) -> list[str]:
    """Every configured table id, series by series, editions oldest first."""
    tables: list[str] = []
    for series in settings.cbs_tables.get("series", {}).values():
        editions = series.get("editions") or {}
        tables += sorted(editions, key=lambda t: ((editions[t] or {}).get("year") or 0, t))
    return tables


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


def _layout(properties: list[dict[str, Any]]) -> Layout:
    region = next((p["Key"] for p in properties if p.get("Type") in REGION_DIMENSION_TYPES), None)
    period = next((p["Key"] for p in properties if p.get("Type") == "TimeDimension"), None)
    others = [p["Key"] for p in properties if p.get("Type") == "Dimension"]
    numeric = {
        p["Key"]
        for p in properties
        if p.get("Type") == "Topic" and (p.get("Datatype") in NUMERIC_DATATYPES or p.get("Datatype") is None)
    }
    return Layout(region, period, others, numeric)


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
        ors = " or ".join(f"startswith({layout.region_dimension},'{_quote(r)}')" for r in regions)
        terms.append(f"({ors})")
    for dimension, code in (fixed_dimensions or {}).items():
        terms.append(f"startswith({dimension},'{_quote(code)}')")
    if layout.period_dimension:
        if periods:
            terms.append(
                "(" + " or ".join(f"{layout.period_dimension} eq '{_quote(p)}'" for p in sorted(periods)) + ")"
            )
        if since:
            terms.append(f"({layout.period_dimension} ge '{_quote(since)}')")
        if period_types:
            ors = " or ".join(f"substringof('{_quote(t)}',{layout.period_dimension})" for t in period_types)
            terms.append(f"({ors})")
    return " and ".join(terms) or None


def _quote(literal: str) -> str:
    return literal.replace("'", "''")


def _strip(value: Any) -> Any:
    return value.rstrip() if isinstance(value, str) else value


def observation_rows(
    table_id: str, rows: Iterator[dict[str, Any]], layout: Layout, measures: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    """TypedDataSet rows -> long rows (one per topic), codes stripped, null numbers flagged, never 0."""
    dims = {layout.region_dimension, layout.period_dimension, *layout.other_dimensions, "ID"}
    for row_number, row in enumerate(rows):
        region = _strip(row.get(layout.region_dimension)) if layout.region_dimension else None
        period = _strip(row.get(layout.period_dimension)) if layout.period_dimension else None
        others = json.dumps({d: _strip(row.get(d)) for d in layout.other_dimensions}, sort_keys=True)
        for key, raw_value in row.items():
            if key in dims:
                continue
            if key in layout.numeric_topics:
                value, text = raw_value, None
                flag = MISSING if raw_value is None else None
            else:
                value, text, flag = None, _strip(raw_value), None
            yield (
                table_id,
                row_number,
                row.get("ID"),
                region,
                period,
                others,
                key,
                measures.get(key),
                value,
                text,
                flag,
            )


def load_table(
    conn: psycopg.Connection,
    settings: Settings,
    table_id: str,
    *,
    since: str | None = None,
    full: bool = False,
    logical_date: date | None = None,
    session: requests.Session | None = None,
) -> BatchResult:
    """Load one configured CBS table (metadata and data) into raw as one batch.

    Incremental unless ``full``: a table whose ``Modified`` date equals that of its last published batch is
    not requested further (one metadata request); otherwise only periods not loaded yet, plus periods that were
    or are provisional (CBS revises them), are requested. ``since`` asks for every period from that code on.
    """
    cfg = TableConfig.from_settings(settings, table_id)
    api = api_for(cfg, settings, session or make_session(settings))
    spec = BatchSpec(
        source="cbs",
        entity="cbs_observation",
        source_ref=table_id,
        source_mode=settings.source_mode,
        request_params={
            "api": cfg.api,
            "base_url": api.client.base_url,
            "series": cfg.series,
            "edition": cfg.edition,
            "since": since,
            "full": full,
            "selection": cfg.selection,
        },
        logical_date=logical_date,
    )
    # The batch is registered before the first request, so an API failure is on record too.
    with open_batch(conn, spec) as batch:
        try:
            _load_into(batch, conn, api, cfg, since=since, full=full)
        finally:
            batch.request_params["requests"] = len(api.client.requests_made)
    return result_of(batch)


class _V3:
    """What a load asks of CBS OData v3 (opendata.cbs.nl ODataFeed)."""

    def __init__(self, client: CbsClient) -> None:
        self.client = client

    def table_info(self, table_id: str) -> tuple[str | None, list[tuple[Any, ...]]]:
        info = list(self.client.entity(table_id, "TableInfos"))
        return (info[0].get("Modified") if info else None), [_table_info_row(table_id, i) for i in info]

    def structure(self, table_id: str) -> tuple[Layout, dict[str, TopicMeta], list[tuple[Any, ...]]]:
        properties = list(self.client.entity(table_id, "DataProperties"))
        return _layout(properties), v3_topics(properties), [_property_row(table_id, p) for p in properties]

    def codes(self, table_id: str, dimension: str) -> list[dict[str, Any]]:
        return list(self.client.entity(table_id, dimension))

    def observations(
        self, cfg: TableConfig, layout: Layout, since: str | None, periods: list[str] | None
    ) -> tuple[dict[str, str], Iterator[tuple[Any, ...]]]:
        row_filter = build_filter(layout, cfg.regions, since, fixed_dimensions=cfg.fixed_dimensions, periods=periods,
                                  period_types=cfg.period_types)
        dimensions = [d for d in (layout.region_dimension, layout.period_dimension) if d]
        params = {"$select": ",".join(["ID", *dimensions, *layout.other_dimensions, *cfg.measures])}
        if row_filter:
            params["$filter"] = row_filter
        rows = self.client.entity(cfg.table_id, "TypedDataSet", params)
        return params, observation_rows(cfg.table_id, rows, layout, cfg.measures)


class _V4:
    """What a load asks of CBS OData v4 (datasets.cbs.nl): long Observations, Properties, <Dim>Codes."""

    def __init__(self, client: CbsClient) -> None:
        self.client = client

    def table_info(self, table_id: str) -> tuple[str | None, list[tuple[Any, ...]]]:
        from ingestion.sources.cbs_v4 import v4_table_info_row

        properties = self.client.properties(table_id)  # type: ignore[attr-defined]
        return properties.get("Modified"), [v4_table_info_row(table_id, properties)]

    def structure(self, table_id: str) -> tuple[Layout, dict[str, TopicMeta], list[tuple[Any, ...]]]:
        from ingestion.sources.cbs_v4 import v4_layout, v4_property_rows

        dimensions = list(self.client.entity(table_id, "Dimensions"))
        measures = list(self.client.entity(table_id, "MeasureCodes"))
        return v4_layout(dimensions), v4_topics(measures), v4_property_rows(table_id, measures, dimensions)

    def codes(self, table_id: str, dimension: str) -> list[dict[str, Any]]:
        # Same row shape as v3's code lists for the loader: Identifier is v4's Key.
        return [{**c, "Key": c.get("Identifier")} for c in self.client.entity(table_id, f"{dimension}Codes")]

    def observations(
        self, cfg: TableConfig, layout: Layout, since: str | None, periods: list[str] | None
    ) -> tuple[dict[str, str], Iterator[tuple[Any, ...]]]:
        from ingestion.sources.cbs_v4 import edition_period, v4_filter, v4_observation_rows

        # A table without a time dimension (the Kerncijfers wijken en buurten) is about its edition's year.
        period = None if layout.period_dimension else edition_period(cfg.table_id, cfg.edition)
        row_filter = v4_filter(
            layout, cfg.regions, since, fixed_dimensions=cfg.fixed_dimensions, periods=periods, measures=cfg.measures
        )
        # No $select: Observations is narrow already, and v4 rejects selecting a column a table lacks.
        params = {"$filter": row_filter} if row_filter else {}
        rows = self.client.entity(cfg.table_id, "Observations", params)
        return params, v4_observation_rows(
            cfg.table_id,
            rows,
            region_dimension=layout.region_dimension,
            period_dimension=layout.period_dimension,
            other_dimensions=layout.other_dimensions,
            measures=cfg.measures,
            period_code=period,
        )


def api_for(cfg: TableConfig, settings: Settings, session: requests.Session) -> _V3 | _V4:
    timeout = settings.http_timeout_seconds
    if cfg.catalogue not in CATALOGUES:
        raise CbsError(f"CBS table {cfg.table_id}: catalogue {cfg.catalogue!r} in cbs_tables.yml is not one of "
                       f"{', '.join(CATALOGUES)}")
    if cfg.catalogue == "dataderden" and cfg.api != "v3":
        raise CbsError(f"CBS table {cfg.table_id}: catalogue dataderden is served by OData v3 only -> api: v3 in "
                       "cbs_tables.yml")
    if cfg.api == "v3":
        base_url = settings.cbs_dataderden_url if cfg.catalogue == "dataderden" else settings.cbs_odata_url
        return _V3(CbsClient(base_url, session, timeout, body_retries=settings.http_retries))
    if cfg.api == "v4":
        from ingestion.sources.cbs_v4 import CbsV4Client

        return _V4(CbsV4Client(settings.cbs_odata_v4_url, session, timeout, body_retries=settings.http_retries))
    raise CbsError(f"CBS table {cfg.table_id}: api {cfg.api!r} in cbs_tables.yml is not v3 or v4")


def _load_into(
    batch: Batch, conn: psycopg.Connection, api: _V3 | _V4, cfg: TableConfig, *, since: str | None, full: bool
) -> None:
    table_id = cfg.table_id
    modified, info_rows = api.table_info(table_id)
    previous = _last_published(conn, table_id)
    incremental = not full and since is None and previous is not None
    if incremental and previous.selection != cfg.selection:
        # The configuration asks for other regions or topics than the last load did: every period, every region.
        incremental = False
        batch.request_params["full_because"] = "the configured selection (regions, dimensions, topics) changed"
    if incremental and modified and previous.modified == modified:
        raise BatchUnchanged(
            previous.batch_id, f"CBS table {table_id} not modified since batch {previous.batch_id} ({modified})"
        )

    # The structure next: which columns are dimensions and topics, and whether the mapping still fits: every
    # configured key exists and is what its declared kind says (unit, decimals), before any row lands.
    layout, topics, property_rows = api.structure(table_id)
    problems = kind_problems(table_id, cfg.declared, topics)
    if problems:
        raise CbsError("; ".join(problems))
    batch.copy_rows("cbs_table_info", _TABLE_INFO_COLUMNS, info_rows)
    batch.copy_rows("cbs_data_property", _PROPERTY_COLUMNS, property_rows)
    period_status: dict[str, str] = {}
    for dimension in [d for d in (layout.period_dimension, *cfg.fixed_dimensions) if d]:
        codes = api.codes(table_id, dimension)
        batch.copy_rows("cbs_dimension_code", _CODE_COLUMNS, [_code_row(table_id, dimension, c) for c in codes])
        if dimension == layout.period_dimension:
            period_status = {
                _strip(c.get("Key")): c.get("Status") or "" for c in codes if cfg.wants_period(_strip(c.get("Key")))
            }

    periods = _periods_to_request(conn, table_id, previous, period_status) if incremental else None
    params, rows = api.observations(cfg, layout, since, periods)
    batch.request_params.update(params, periods=periods)
    batch.copy_rows("cbs_observation", OBSERVATION_COLUMNS, rows)


@dataclass(frozen=True)
class _Published:
    batch_id: int
    modified: str | None
    selection: str | None  # None: loaded before the selection was recorded


def _last_published(conn: psycopg.Connection, table_id: str) -> _Published | None:
    row = conn.execute(
        "select b.batch_id, i.info ->> 'Modified', b.request_params ->> 'selection' from audit.load_batch b"
        " join raw.cbs_table_info i on i.batch_id = b.batch_id and i.table_id = b.source_ref"
        " where b.source = 'cbs' and b.source_ref = %s and b.status = 'published'"
        " order by b.batch_id desc limit 1",
        (table_id,),
    ).fetchone()
    return _Published(row[0], row[1], row[2]) if row else None


def _periods_to_request(
    conn: psycopg.Connection, table_id: str, previous: _Published | None, period_status: dict[str, str]
) -> list[str] | None:
    """Periods not yet published, plus those provisional then or now; None (= all) when that is empty."""
    loaded = {
        r[0]
        for r in conn.execute(
            "select distinct o.period_code from raw.cbs_observation o join audit.load_batch b using (batch_id)"
            " where b.status = 'published' and b.source_ref = %s and o.table_id = %s",
            (table_id, table_id),
        )
    }
    was_provisional = set()
    if previous is not None:
        was_provisional = {
            r[0]
            for r in conn.execute(
                "select key from raw.cbs_dimension_code where batch_id = %s and table_id = %s and status = any(%s)",
                (previous.batch_id, table_id, list(PROVISIONAL)),
            )
        }
    now_provisional = {code for code, status in period_status.items() if status in PROVISIONAL}
    wanted = (set(period_status) - loaded) | was_provisional | now_provisional
    # Modified changed but nothing is new or provisional: a correction somewhere; reload the whole table.
    return sorted(wanted) if wanted else None


_TABLE_INFO_COLUMNS = (
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
_PROPERTY_COLUMNS = ("table_id", "position", "key", "type", "title", "description", "unit", "decimals", "datatype")
_CODE_COLUMNS = ("table_id", "dimension", "key", "title", "description", "status")


def table_status(info_rows: list[tuple[Any, ...]]) -> str | None:
    """The table's status from its ``cbs_table_info`` rows (v3 TableInfos.OutputStatus, v4 Properties.Status)."""
    if not info_rows:
        return None
    info = json.loads(info_rows[0][_TABLE_INFO_COLUMNS.index("info")])
    return info.get("OutputStatus", info.get("Status"))


def _table_info_row(table_id: str, info: dict[str, Any]) -> tuple[Any, ...]:
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


def _property_row(table_id: str, prop: dict[str, Any]) -> tuple[Any, ...]:
    key = prop.get("Key") or f"#{prop.get('ID')}"  # TopicGroups may come without a key
    return (
        table_id,
        prop.get("Position", prop.get("ID")),
        key,
        prop.get("Type"),
        _strip(prop.get("Title")),
        _strip(prop.get("Description")),
        _strip(prop.get("Unit")),
        prop.get("Decimals"),
        prop.get("Datatype"),
    )


def _code_row(table_id: str, dimension: str, code: dict[str, Any]) -> tuple[Any, ...]:
    return (
        table_id,
        dimension,
        _strip(code.get("Key")),
        _strip(code.get("Title")),
        _strip(code.get("Description")),
        code.get("Status"),
    )


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
        message = body.get("odata.error", body.get("error", {})).get("message", {})
        return message.get("value", "") if isinstance(message, dict) else str(message)
    except (ValueError, AttributeError):
        return response.text[:200].strip()
