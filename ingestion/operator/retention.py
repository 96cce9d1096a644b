"""Raw retention: batches older than RAW_RETENTION_MONTHS that nothing reads any more lose their rows.

Raw is append-only, so it grows every night: every CBS release (a provisional figure and its revision), every
corrected Werkplein file beside the one it replaced, every failed or rejected delivery. The policy:

- a batch younger than ``RAW_RETENTION_MONTHS`` (by when its load started) is always kept; 0 switches retention off;
- an older batch is kept when anything still reads it, decided in SQL (``IN_USE_SQL``): a value in the marts (or in
  ``marts_previous``) points to it; it is the newest published batch of a file delivery (what staging reads); it
  holds the current version of a CBS cell, table description, topic or code (what the CBS staging models read -
  an old batch can still be the newest version of a cell no later release asked for again); or, with
  ``RAW_RETENTION_KEEP=published``, it is published at all;
- every other older batch is purged: failed, rejected, abandoned (``loading``) or never validated (``loaded``)
  loads, and published batches superseded by a newer version.

Purging deletes the batch's rows from every ``raw.*`` table, its ``audit.quarantine`` rows and its file in a drop
folder's ``quarantine/`` - in SQL, one transaction. Its ``audit.load_batch`` row stays, with ``purged_at`` set (its
status says what it was), its validation results stay (why it failed), and ``audit.retention_purge`` records what
went under which policy. ``unchanged`` batches landed nothing and are left alone. Nothing a staging model reads is
touched, so the marts built after retention equal those before; validation's comparisons with earlier batches (the
previous published batch of a stream, the newest published cells of a CBS period) read batches that are kept.
Data Docs validation results (``DATA_DOCS_DIR``) older than the same cut-off go too. Running it again finds nothing
more to do.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from ingestion.config import Settings
from ingestion.warehouse import connect

log = logging.getLogger(__name__)

RETENTION_LOCK_KEY = 7_141_000_004
# Never closer than this: marts.data_quality counts quarantined rows of the last 30 days.
MINIMUM_AGE = timedelta(days=31)

# Batch ids something still reads. %(keep_published)s: RAW_RETENTION_KEEP=published keeps every published batch.
# The mart references are added by _mart_references (the marts may not exist yet).
IN_USE_SQL = """
    -- the newest published batch of every file delivery (stg_audit__published_batches.is_newest_of_delivery)
    select batch_id from (
        select batch_id, row_number() over (
            partition by source, entity, coalesce(delivery_key, batch_id::text) order by batch_id desc) as rank
        from audit.load_batch where status = 'published' and source <> 'cbs'
    ) as deliveries where rank = 1
    union
    -- CBS: the batches holding the current version of any cell (stg_cbs__observations) ...
    select batch_id from (
        select o.batch_id, row_number() over (
            partition by o.table_id, o.region_code, o.period_code, o.dimensions, o.topic_key
            order by o.batch_id desc) as rank
        from raw.cbs_observation as o join audit.load_batch as b on b.batch_id = o.batch_id and b.status = 'published'
    ) as cells where rank = 1
    union
    -- ... of a table's description (stg_cbs__tables), topic (stg_cbs__topics) and code (stg_cbs__period_codes)
    select batch_id from (
        select i.batch_id, row_number() over (partition by i.table_id order by i.batch_id desc) as rank
        from raw.cbs_table_info as i join audit.load_batch as b on b.batch_id = i.batch_id and b.status = 'published'
    ) as infos where rank = 1
    union
    select batch_id from (
        select p.batch_id, row_number() over (partition by p.table_id, p.key order by p.batch_id desc) as rank
        from raw.cbs_data_property as p join audit.load_batch as b on b.batch_id = p.batch_id and b.status = 'published'
    ) as properties where rank = 1
    union
    select batch_id from (
        select c.batch_id, row_number() over (partition by c.table_id, c.dimension, c.key order by c.batch_id desc)
            as rank
        from raw.cbs_dimension_code as c
        join audit.load_batch as b on b.batch_id = c.batch_id and b.status = 'published'
    ) as codes where rank = 1
    union
    select batch_id from audit.load_batch where status = 'published' and %(keep_published)s
"""

# Marts tables whose rows name the batch they came from; in `marts` and in `marts_previous` (the look back).
# Every column of the marts that names a batch (fct_indicator_value.batch_id, the lineage's input batches, ...):
# found by name, so a new mart pointing to raw is protected without a change here.
MART_BATCH_COLUMN_PATTERN = "%batch_id"


@dataclass
class PurgedBatch:
    batch_id: int
    source: str
    entity: str
    source_ref: str
    status: str
    started_at: datetime
    reason: str
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


@dataclass
class RetentionReport:
    months: int
    keep: str
    dry_run: bool
    cutoff: datetime | None
    batches: list[PurgedBatch] = field(default_factory=list)
    data_docs_files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.cutoff is None:
            return ["raw retention is off (RAW_RETENTION_MONTHS=0): every batch is kept"]
        verb = "would purge" if self.dry_run else "purged"
        out = [f"raw retention: batches loaded before {self.cutoff:%Y-%m-%d %H:%M %Z} "
               f"(RAW_RETENTION_MONTHS={self.months}, RAW_RETENTION_KEEP={self.keep}): {verb} {len(self.batches)}"]
        for b in self.batches:
            rows = ", ".join(f"{table} {count}" for table, count in sorted(b.rows.items()) if count) or "no rows"
            files = f"; files: {', '.join(b.files)}" if b.files else ""
            out.append(f"  batch {b.batch_id:>6}  {b.source:<10} {b.source_ref:<42} {b.status:<9} "
                       f"{b.started_at:%Y-%m-%d}  {b.reason}: {rows}{files}")
        if self.data_docs_files:
            out.append(f"  Data Docs: {verb} {len(self.data_docs_files)} result file(s) older than the cut-off")
        return out


def cutoff(settings: Settings, now: datetime | None = None) -> datetime | None:
    """The moment before which a batch may be purged; None when retention is off."""
    if settings.raw_retention_months <= 0:
        return None
    now = now or datetime.now(UTC)
    month, year = now.month - settings.raw_retention_months, now.year
    while month < 1:
        month, year = month + 12, year - 1
    day = min(now.day, 28)  # a month back from the 31st lands on a day that exists
    months_back = now.replace(year=year, month=month, day=day)
    return min(months_back, now - MINIMUM_AGE)


def _mart_references(conn: psycopg.Connection) -> sql.Composable:
    columns = conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema in ('marts', 'marts_previous') and column_name like %s"
        " and data_type in ('bigint', 'integer') order by 1, 2, 3", (MART_BATCH_COLUMN_PATTERN,)).fetchall()
    parts = [sql.SQL("select {} from {} where {} is not null").format(
        sql.Identifier(column), sql.Identifier(schema, table), sql.Identifier(column))
        for schema, table, column in columns]
    return sql.SQL(" union ").join(parts) if parts else sql.SQL("select null::bigint where false")


def _raw_tables(conn: psycopg.Connection) -> list[str]:
    """Every raw table with a batch_id (a new source's table is covered without a change here)."""
    return [r[0] for r in conn.execute(
        "select table_name from information_schema.columns where table_schema = 'raw' and column_name = 'batch_id'"
        " order by table_name")]


def _candidates(conn: psycopg.Connection, settings: Settings, before: datetime) -> list[PurgedBatch]:
    """Batches started before ``before``, not purged yet, that nothing reads; into temp table retention_candidate."""
    conn.execute("drop table if exists retention_in_use")
    conn.execute(sql.SQL("create temporary table retention_in_use on commit drop as {} union {}").format(
        sql.SQL(IN_USE_SQL), _mart_references(conn)), {"keep_published": settings.raw_retention_keep == "published"})
    rows = conn.execute(
        "select b.batch_id, b.source, b.entity, b.source_ref, b.status, b.started_at,"
        " case b.status when 'published' then 'superseded (published)' when 'loading' then 'abandoned load'"
        "  when 'loaded' then 'never validated' else b.status end"
        " from audit.load_batch as b"
        " where b.started_at < %s and b.purged_at is null and b.status <> 'unchanged'"
        "  and not exists (select 1 from retention_in_use as u where u.batch_id = b.batch_id)"
        " order by b.batch_id",
        (before,),
    ).fetchall()
    return [PurgedBatch(*row) for row in rows]


def apply_retention(url: str, settings: Settings, *, dry_run: bool = False,
                    now: datetime | None = None) -> RetentionReport:
    """Purge (or, ``dry_run``, list) the batches the policy lets go; one transaction for the warehouse part."""
    before = cutoff(settings, now)
    report = RetentionReport(settings.raw_retention_months, settings.raw_retention_keep, dry_run, before)
    if before is None:
        return report
    policy = json.dumps({"months": settings.raw_retention_months, "keep": settings.raw_retention_keep})
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (RETENTION_LOCK_KEY,))
        report.batches = _candidates(conn, settings, before)
        ids = [b.batch_id for b in report.batches]
        if ids:
            # The quarantined files first: their paths are in the quarantine rows about to go.
            paths = dict(conn.execute(
                "select batch_id, array_agg(distinct quarantine_path) from audit.quarantine"
                " where batch_id = any(%s) and quarantine_path is not null group by batch_id", (ids,)
            ).fetchall())
            counts: dict[int, dict[str, int]] = {i: {} for i in ids}
            targets = [("raw", t) for t in _raw_tables(conn)] + [("audit", "quarantine")]
            count_sql = "select batch_id, count(*) from {} where batch_id = any(%s) group by batch_id"
            delete_sql = ("with gone as (delete from {} where batch_id = any(%s) returning batch_id)"
                          " select batch_id, count(*) from gone group by batch_id")
            for schema, table in targets:
                name = f"{schema}.{table}"
                query = sql.SQL(count_sql if dry_run else delete_sql).format(sql.Identifier(schema, table))
                for batch_id, count in conn.execute(query, (ids,)):
                    counts[batch_id][name] = count
            for batch in report.batches:
                batch.rows = counts[batch.batch_id]
                batch.files = [p for p in paths.get(batch.batch_id, []) if Path(p).is_file()]
            if not dry_run:
                _record(conn, report.batches, policy)
    # After the commit: a file is deleted only once its batch's purge is on record.
    if not dry_run:
        for batch in report.batches:
            for path in batch.files:
                Path(path).unlink(missing_ok=True)
    report.data_docs_files = _expire_data_docs(settings, before, dry_run)
    return report


def _expire_data_docs(settings: Settings, before: datetime, dry_run: bool) -> list[str]:
    """GX validation results (and their rendered pages) older than the cut-off; the site index is rebuilt from
    what is left. The verdicts themselves stay in audit.validation_result."""
    root = settings.data_docs_dir
    folders = [root / "results", root / "site" / "validations"]
    old = [p for folder in folders if folder.is_dir() for p in folder.rglob("*")
           if p.is_file() and not p.name.startswith(".")  # .ge_store_backend_id: the store's own id, not a result
           and datetime.fromtimestamp(p.stat().st_mtime, UTC) < before]
    if dry_run or not old:
        return [str(p) for p in old]
    for path in old:
        path.unlink()
    for folder in folders:
        for directory in sorted((d for d in folder.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
            if not any(directory.iterdir()):
                directory.rmdir()
    if (root / "site" / "index.html").exists():
        try:
            from ingestion.validation import gx_context

            gx_context(root).build_data_docs()
        except Exception:  # noqa: BLE001 - the index is rebuilt by the next validation anyway
            log.warning("Data Docs index not rebuilt after retention", exc_info=True)
    return [str(p) for p in old]


def _record(conn: psycopg.Connection, batches: list[PurgedBatch], policy: str) -> None:
    for batch in batches:
        conn.execute("update audit.load_batch set purged_at = now() where batch_id = %s", (batch.batch_id,))
        conn.execute(
            "insert into audit.retention_purge (batch_id, reason, rows_removed, files_removed, policy)"
            " values (%s, %s, %s, %s, %s)",
            (batch.batch_id, batch.reason, json.dumps(batch.rows), batch.files, policy),
        )
