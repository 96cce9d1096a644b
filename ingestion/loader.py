"""The shared loader: every source lands its data through one batch.

A batch is registered in ``audit.load_batch`` (committed at once, so a killed load stays visible as
'loading'), then all of its rows are streamed into raw tables with ``COPY`` inside one transaction. One loader per
source and source_ref at a time: a session lock is taken before the batch is registered and held until it is
finished, so batch ids follow the lock order and a concurrent run waits, then finds the content 'unchanged'. At the end
the content checksum is compared with the source's last good batch: identical content is rolled back and the
attempt recorded as 'unchanged' (a rerun of the same night adds nothing); new content commits as 'loaded' and
waits for validation. Any error rolls the rows back and records the batch as 'failed' with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from ingestion.privacy.screen import replace_bsns

log = logging.getLogger(__name__)

# Statuses whose content a new batch is compared with to decide it is 'unchanged'.
GOOD_STATUSES = ("loaded", "published")


@dataclass(frozen=True)
class BatchSpec:
    source: str
    entity: str
    source_ref: str
    source_mode: str
    request_params: dict[str, Any] = field(default_factory=dict)
    logical_date: date | None = None
    file_sha256: str | None = None  # file sources: the delivered bytes' checksum
    delivery_key: str | None = None  # file sources: what a corrected file of the same delivery replaces


@dataclass
class BatchResult:
    batch_id: int
    status: str
    row_count: int
    source_ref: str
    duplicate_of: int | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "source_ref": self.source_ref,
            "status": self.status,
            "rows": self.row_count,
            "duplicate_of": self.duplicate_of,
            "message": self.message,
        }


class LoadError(RuntimeError):
    """A load failed for a reason the message explains (source, file/table, row, column)."""


def _lock_key(source: str, source_ref: str) -> str:
    return f"load:{source}:{source_ref}"


class Batch:
    """An open batch; rows are added with :meth:`copy_rows`."""

    def __init__(self, conn: psycopg.Connection, batch_id: int, spec: BatchSpec) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.spec = spec
        self.row_counts: dict[str, int] = {}
        self._hash = hashlib.sha256()
        self.request_params = dict(spec.request_params)
        self.status = "loading"
        self.duplicate_of: int | None = None
        self.message: str | None = None

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Stream rows into ``raw.<table>`` with COPY; ``batch_id`` is prepended to every row."""
        target = sql.SQL("copy {}.{} ({}) from stdin").format(
            sql.Identifier("raw"),
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in ("batch_id", *columns)),
        )
        count = 0
        update_hash = self._hash.update
        update_hash(f"\x1e{table}\x1f{','.join(columns)}\x1e".encode())
        with self.conn.cursor() as cur, cur.copy(target) as copy:
            for row in rows:
                copy.write_row((self.batch_id, *row))
                # repr() of a tuple of str/int/float/None is a stable, cheap canonical form.
                update_hash(repr(tuple(row)).encode())
                count += 1
        self.row_counts[table] = self.row_counts.get(table, 0) + count
        return count

    def copy_tables(self, table: str, columns: Sequence[str], tables: Generator[Any, None, None]) -> int:
        """Stream Arrow tables (``columns``, in order) into ``raw.<table>`` as one CSV ``COPY``; ``batch_id`` is
        appended to every line. The checksum covers the CSV text without it, so the same rows give the same sum in
        every batch. A thread feeds the text to the server while the next block is typed, so the loader's core and
        the server's work at once; at most ``COPY_BLOCKS_AHEAD`` blocks wait, so memory stays flat."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        target = sql.SQL("copy {}.{} ({}) from stdin (format csv)").format(
            sql.Identifier("raw"),
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in (*columns, "batch_id")),
        )
        options = pcsv.WriteOptions(include_header=False, quoting_style="needed")  # '' quoted, NULL bare: as COPY
        line_end = f",{self.batch_id}\n".encode()
        self._hash.update(f"\x1e{table}\x1f{','.join(columns)}\x1earrow-csv\x1e".encode())
        count = 0
        if self.conn.info.encoding != "utf-8":  # the CSV text is UTF-8; psycopg encodes copy_rows' strings itself
            self.conn.execute("set local client_encoding to 'UTF8'")
        with self.conn.cursor() as cur, cur.copy(target) as copy, _Feeder(copy.write) as feed, closing(tables):
            for part in tables:
                sink = pa.BufferOutputStream()
                pcsv.write_csv(part.select(list(columns)), sink, write_options=options)
                text = sink.getvalue().to_pybytes()
                if text.count(b"\n") != part.num_rows:  # a line break inside a value would split its line below
                    raise LoadError(f"raw.{table}: a value with a line break cannot go through the CSV stream")
                self._hash.update(text)
                feed(text.replace(b"\n", line_end))
                count += part.num_rows
        self.row_counts[table] = self.row_counts.get(table, 0) + count
        return count

    @property
    def checksum(self) -> str:
        return self._hash.hexdigest()

    @property
    def row_count(self) -> int:
        return sum(self.row_counts.values())


COPY_BLOCKS_AHEAD = 2


class _Feeder:
    """Calls ``write`` with what it is given from a thread of its own, at most ``COPY_BLOCKS_AHEAD`` items behind.
    An error in the thread is raised in the caller (at the next item, or on leaving)."""

    def __init__(self, write: Callable[[bytes], Any]) -> None:
        self._write = write
        self._pending: queue.Queue[bytes | None] = queue.Queue(maxsize=COPY_BLOCKS_AHEAD)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="copy-feeder", daemon=True)

    def _run(self) -> None:
        try:
            while (data := self._pending.get()) is not None:
                self._write(data)
        except BaseException as exc:  # handed to the caller
            self._error = exc
            while self._pending.get() is not None:  # the caller never blocks on a full queue
                pass

    def __call__(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._pending.put(data)

    def __enter__(self) -> _Feeder:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pending.put(None)
        self._thread.join()
        if self._error is not None and exc_info[0] is None:
            raise self._error


def _register(conn: psycopg.Connection, spec: BatchSpec) -> int:
    row = conn.execute(
        "insert into audit.load_batch (source, entity, source_ref, source_mode, request_params, logical_date,"
        " file_sha256, delivery_key) values (%s, %s, %s, %s, %s, %s, %s, %s) returning batch_id",
        (
            spec.source,
            spec.entity,
            spec.source_ref,
            spec.source_mode,
            json.dumps(spec.request_params),
            spec.logical_date,
            spec.file_sha256,
            spec.delivery_key,
        ),
    ).fetchone()
    conn.commit()
    return int(row[0])


def _mark_abandoned(conn: psycopg.Connection, spec: BatchSpec, current_batch_id: int) -> None:
    """We hold the source's lock, so any other 'loading' batch of it belongs to a loader that died."""
    conn.execute(
        "update audit.load_batch set status = 'failed', finished_at = now(),"
        " message = 'abandoned: the loader stopped before the batch finished (killed or crashed)'"
        " where source = %s and source_ref = %s and status = 'loading' and batch_id <> %s",
        (spec.source, spec.source_ref, current_batch_id),
    )


def _previous_good(conn: psycopg.Connection, spec: BatchSpec, batch_id: int) -> tuple[int, str] | None:
    return conn.execute(
        "select batch_id, checksum from audit.load_batch"
        " where source = %s and source_ref = %s and status = any(%s) and batch_id < %s"
        " order by batch_id desc limit 1",
        (spec.source, spec.source_ref, list(GOOD_STATUSES), batch_id),
    ).fetchone()


def _finish(conn: psycopg.Connection, batch_id: int, status: str, **fields: Any) -> None:
    assignments = [sql.SQL("status = %s"), sql.SQL("finished_at = now()")]
    values: list[Any] = [status]
    for name, value in fields.items():
        assignments.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
        values.append(json.dumps(value) if isinstance(value, dict) else value)
    conn.execute(
        sql.SQL("update audit.load_batch set {} where batch_id = %s").format(sql.SQL(", ").join(assignments)),
        (*values, batch_id),
    )


@contextmanager
def open_batch(conn: psycopg.Connection, spec: BatchSpec) -> Iterator[Batch]:
    """Register a batch, yield it for rows, then commit it as loaded / unchanged, or record the failure.

    The caller's code inside the ``with`` block streams rows with ``batch.copy_rows``; it may also put
    extra entries in ``batch.request_params`` (e.g. the URLs it fetched) to be stored with the batch.
    """
    # One loader per source_ref at a time, from before the batch is registered to its end: a concurrent run waits
    # here. Taken only after registering, a run that registered first could lock second; it would then compare with
    # no earlier good batch and land the same rows again, and the run holding the lock would take its live 'loading'
    # batch for an abandoned one.
    key = _lock_key(spec.source, spec.source_ref)
    conn.execute("select pg_advisory_lock(hashtext(%s))", (key,))
    try:
        yield from _locked_batch(conn, spec)
    finally:
        _unlock(conn, key)


def _unlock(conn: psycopg.Connection, key: str) -> None:
    """Best effort: a connection that died has lost its session locks with it."""
    try:
        if conn.closed:
            return
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.execute("select pg_advisory_unlock(hashtext(%s))", (key,))
        conn.commit()
    except psycopg.Error as exc:
        log.warning("could not release the load lock %s: %s", key, exc)


def _locked_batch(conn: psycopg.Connection, spec: BatchSpec) -> Iterator[Batch]:
    batch_id = _register(conn, spec)
    batch = Batch(conn, batch_id, spec)
    log.info("batch %s opened: %s %s", batch_id, spec.source, spec.source_ref)
    try:
        with conn.transaction():
            _mark_abandoned(conn, spec, batch_id)
            yield batch
            previous = _previous_good(conn, spec, batch_id)
            if previous is not None and previous[1] == batch.checksum:
                # Same content as the last good batch: drop the rows we just streamed, keep the audit trail.
                raise BatchUnchanged(previous[0])
            _finish(
                conn,
                batch_id,
                "loaded",
                checksum=batch.checksum,
                row_count=batch.row_count,
                row_counts=batch.row_counts,
                request_params=batch.request_params,
            )
    except BatchUnchanged as unchanged:
        _finish(
            conn,
            batch_id,
            "unchanged",
            checksum=batch.checksum,
            row_count=0,
            duplicate_of=unchanged.previous_batch_id,
            request_params=batch.request_params,
            message=unchanged.reason,
        )
        conn.commit()
        log.info("batch %s unchanged (same as %s)", batch_id, unchanged.previous_batch_id)
        batch.row_counts = {}
        batch.status = "unchanged"
        batch.duplicate_of = unchanged.previous_batch_id
        batch.message = unchanged.reason
        return
    except BatchPostponed as postponed:
        conn.rollback()
        _finish(conn, batch_id, "postponed", row_count=0, request_params=batch.request_params, message=str(postponed))
        conn.commit()
        log.warning("batch %s postponed: %s", batch_id, postponed)
        batch.row_counts = {}
        batch.status = "postponed"
        batch.message = str(postponed)
        return
    except BaseException as exc:
        batch.status = "failed"
        log.error("batch %s failed: %s", batch_id, _describe(exc))
        _record_failure(conn, batch, exc)
        raise
    conn.commit()
    batch.status = "loaded"
    log.info("batch %s loaded: %s rows %s", batch_id, batch.row_count, batch.row_counts)


def never_validated(conn: psycopg.Connection, batch_id: int) -> bool:
    """A batch that an earlier run loaded and did not validate (it stopped or was killed): still 'loaded', and no
    live run validating it (validation holds its audit row locked until done: ``validation.validate_batch``)."""
    with conn.transaction():
        row = conn.execute("select status, purged_at is null from audit.load_batch where batch_id = %s"
                           " for no key update skip locked", (batch_id,)).fetchone()
    return row is not None and row[0] == "loaded" and row[1]  # a purged batch has no rows left to validate


class BatchUnchanged(Exception):  # noqa: N818 - a signal, not an error
    """Raise inside ``open_batch`` when the source says nothing changed since ``previous_batch_id``:
    whatever was streamed is rolled back and the attempt is recorded as 'unchanged'."""

    def __init__(self, previous_batch_id: int, reason: str | None = None) -> None:
        super().__init__(previous_batch_id)
        self.previous_batch_id = previous_batch_id
        self.reason = reason or f"same content as batch {previous_batch_id}; nothing landed"


class BatchPostponed(Exception):  # noqa: N818 - a signal, not an error
    """Raise inside ``open_batch`` when the input was still changing while it was read (a file being written): the
    rows are rolled back and the batch recorded as 'postponed'; the next run reads the input again."""


def _describe(exc: BaseException) -> str:
    # What the log and the audit record say: a rejection may quote a cell (a header row that is data), so no BSN.
    text = replace_bsns(str(exc).strip()) or type(exc).__name__
    return text if isinstance(exc, LoadError) else f"{type(exc).__name__}: {text}"


def _record_failure(conn: psycopg.Connection, batch: Batch, exc: BaseException) -> None:
    """Best effort: the rows are already rolled back; if the connection died too, the batch stays
    'loading' and the next load of the same source marks it abandoned."""
    try:
        conn.rollback()
        _finish(conn, batch.batch_id, "failed", request_params=batch.request_params, message=_describe(exc))
        conn.commit()
    except psycopg.Error as db_error:
        log.warning("could not record failure of batch %s: %s", batch.batch_id, db_error)


def result_of(batch: Batch) -> BatchResult:
    return BatchResult(
        batch_id=batch.batch_id,
        status=batch.status,
        row_count=batch.row_count,
        source_ref=batch.spec.source_ref,
        duplicate_of=batch.duplicate_of,
        message=batch.message,
    )
