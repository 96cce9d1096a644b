"""CBS StatLine: loading one configured table (metadata and data, in long form) into raw as one batch, over v3 or
v4 (``v3.py``, ``v4.py``), incrementally where CBS says nothing changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import psycopg
import requests

from ingestion.config import Settings
from ingestion.http import make_session
from ingestion.loader import Batch, BatchResult, BatchSpec, BatchUnchanged, open_batch, result_of
from ingestion.sources.cbs.contract import kind_problems
from ingestion.sources.cbs.odata import (
    CODE_COLUMNS,
    OBSERVATION_COLUMNS,
    PROPERTY_COLUMNS,
    PROVISIONAL,
    TABLE_INFO_COLUMNS,
    CbsClient,
    CbsError,
    code_row,
    strip_code,
)
from ingestion.sources.cbs.table_config import CATALOGUES, TableConfig
from ingestion.sources.cbs.v3 import V3Api
from ingestion.sources.cbs.v4 import CbsV4Client, V4Api

log = logging.getLogger(__name__)


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


def api_for(cfg: TableConfig, settings: Settings, session: requests.Session) -> V3Api | V4Api:
    timeout = settings.http_timeout_seconds
    if cfg.catalogue not in CATALOGUES:
        raise CbsError(f"CBS table {cfg.table_id}: catalogue {cfg.catalogue!r} in cbs_tables.yml is not one of "
                       f"{', '.join(CATALOGUES)}")
    if cfg.catalogue == "dataderden" and cfg.api != "v3":
        raise CbsError(f"CBS table {cfg.table_id}: catalogue dataderden is served by OData v3 only -> api: v3 in "
                       "cbs_tables.yml")
    if cfg.api == "v3":
        base_url = settings.cbs_dataderden_url if cfg.catalogue == "dataderden" else settings.cbs_odata_url
        return V3Api(CbsClient(base_url, session, timeout, body_retries=settings.http_retries))
    if cfg.api == "v4":
        return V4Api(CbsV4Client(settings.cbs_odata_v4_url, session, timeout, body_retries=settings.http_retries))
    raise CbsError(f"CBS table {cfg.table_id}: api {cfg.api!r} in cbs_tables.yml is not v3 or v4")


def _load_into(
    batch: Batch, conn: psycopg.Connection, api: V3Api | V4Api, cfg: TableConfig, *, since: str | None, full: bool
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
    batch.copy_rows("cbs_table_info", TABLE_INFO_COLUMNS, info_rows)
    batch.copy_rows("cbs_data_property", PROPERTY_COLUMNS, property_rows)
    period_status: dict[str, str] = {}
    for dimension in [d for d in (layout.period_dimension, *cfg.fixed_dimensions) if d]:
        codes = api.codes(table_id, dimension)
        batch.copy_rows("cbs_dimension_code", CODE_COLUMNS, [code_row(table_id, dimension, c) for c in codes])
        if dimension == layout.period_dimension:
            keys = [(strip_code(c.get("Key")), c.get("Status") or "") for c in codes]
            period_status = {key: status for key, status in keys if cfg.wants_period(key)}

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
