"""The file loader shared by the drop-folder sources (UWV, Kennispunt Twente, Werkplein, handmatig).

For every file: checksum it; a file whose bytes were loaded before is a re-delivery and is recorded as
'unchanged'. Otherwise the source module reads it (``ingestion.files.reader`` detects the dialect) and its good rows
stream into ``raw.<entity>`` with COPY as one batch, its bad rows into ``audit.quarantine`` with the reason, in the
same transaction. A file that cannot be loaded at all becomes a 'rejected' batch with a quarantine record, and the
file moves to ``<drop folder>/quarantine/``. Nothing is dropped silently and nothing personal is stored in clear.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from ingestion.config import Settings
from ingestion.files.contract import FileSource, ParsedFile
from ingestion.files.reader import FileRejected, Problem, file_sha256, open_file, too_large
from ingestion.loader import GOOD_STATUSES, BatchPostponed, BatchSpec, BatchUnchanged, open_batch
from ingestion.privacy.pseudonym import Pseudonymiser, resolve_key
from ingestion.privacy.screen import replace_bsns
from ingestion.sources.registry import file_sources

log = logging.getLogger(__name__)

QUARANTINE_FOLDER = "quarantine"
# A drop folder holding this file holds generated (demo) files: its batches are labelled source_mode 'generated'
# all the way to the marts (ingestion/dev/demo.py writes it).
GENERATED_MARKER = "GENERATED.md"
QUARANTINE_COLUMNS = ("batch_id", "source", "file_name", "row_number", "column_name", "value", "reason", "record")
NAME_NOT_UTF8 = ("the file name is not valid UTF-8 (shown with its undecodable bytes as \\xNN: a name from a system "
                 "with another code page, e.g. é in Windows-1252 is \\xe9): not read; rename the file (e.g. "
                 "{example}) and drop it again")


@dataclass(frozen=True)
class FileOutcome:
    file: str
    status: str  # loaded | unchanged | rejected | failed | postponed (still being written) | taken (by another run)
    batch_id: int | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    duplicate_of: int | None = None
    quarantine_path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def drop_folder(settings: Settings, source: str) -> Path:
    return settings.drop_dir / source


def is_generated(folder: Path) -> bool:
    return (folder / GENERATED_MARKER).is_file()


def printable(text: str) -> str:
    """A path or file name as it is stored and shown: itself when it is valid UTF-8; else every byte that is not
    written as \\xNN. Python hands such a name over with each undecodable byte as a lone surrogate (PEP 383), which
    PostgreSQL, JSON on stdout and the logs cannot take; escaped, it is printable and says which bytes to fix."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def file_name(path: Path) -> str:
    """The name of ``path`` as recorded in audit.load_batch.source_ref, audit.quarantine.file_name and the output."""
    return printable(path.name)


def pending_files(folder: Path) -> list[Path]:
    """The files in a drop folder, oldest name first (file names carry the period, so this is delivery order)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() != ".md"
    )


def new_files(conn: psycopg.Connection, settings: Settings, source_name: str) -> list[Path]:
    """The files in a source's drop folder whose bytes were never loaded (what the next load would take on). A file
    whose batch a run left unvalidated is not offered here: the nightly run validates it (``pipeline.validate_files``);
    offered, it would start a run every poke between a run's load and its validation."""
    if source_name not in file_sources():
        raise ValueError(f"unknown file source {source_name!r}: expected one of {', '.join(file_sources())}")
    # A file whose name is not UTF-8 is new like any other: the load rejects it (NAME_NOT_UTF8) and moves it away.
    return [f for f in pending_files(drop_folder(settings, source_name))
            if f.is_symlink()  # a link is not read
            or f.stat().st_size > settings.max_file_bytes  # new for sure: to be rejected, not read every poke
            or _loaded_before(conn, source_name, file_sha256(f)) is None]


def load_path(
    conn: psycopg.Connection,
    settings: Settings,
    source_name: str,
    path: Path | None = None,
    *,
    logical_date: date | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Load one file, or every file in a folder (default: the source's drop folder), in name order."""
    source = file_sources().get(source_name)
    if source is None:
        raise ValueError(f"unknown file source {source_name!r}: expected one of {', '.join(file_sources())}")
    folder_or_file = path or drop_folder(settings, source_name)
    if not folder_or_file.exists():
        raise FileNotFoundError(f"{folder_or_file} does not exist")
    outcomes = []
    # One pass over a source's folder at a time: the files are listed, opened, hashed, read and moved only under
    # the source's lock, so a second run waits and then sees what the first left (loaded, or moved to quarantine).
    with folder_lock(conn, source.name):
        files = pending_files(folder_or_file) if folder_or_file.is_dir() else [folder_or_file]
        pseudonymiser = Pseudonymiser(resolve_key(settings.pseudonym_key, settings.source_mode)) if (
            source.personal_data and files) else None
        for file in files:
            outcome = load_file(conn, settings, source, file, pseudonymiser, logical_date=logical_date)
            log.info("file %s: %s", outcome.file, json.dumps(outcome.as_dict(), ensure_ascii=False))
            outcomes.append(outcome)
            if on_file:
                on_file(outcome)
    return outcomes


@contextmanager
def folder_lock(conn: psycopg.Connection, source: str) -> Iterator[None]:
    """The source's drop-folder lock (a PostgreSQL session lock: a run that dies loses it with its connection)."""
    key = f"drop-folder:{source}"
    conn.execute("select pg_advisory_lock(hashtext(%s))", (key,))
    conn.commit()
    try:
        yield
    finally:
        if not conn.closed:
            conn.rollback()
            conn.execute("select pg_advisory_unlock(hashtext(%s))", (key,))
            conn.commit()


def _file_state(path: Path) -> tuple[int, int]:
    state = path.stat()
    return state.st_size, state.st_mtime_ns


def _still_written(path: Path, state: tuple[int, int], settle_seconds: int) -> str | None:
    """Why a file looks like it is still being written (changed since ``state``, or too recently), else None."""
    try:
        now = _file_state(path)
    except FileNotFoundError:
        return "the file was moved or removed while it was read: postponed, nothing of it published"
    if now != state:
        return (f"the file changed while it was read ({state[0]:,} -> {now[0]:,} bytes): still being written? "
                "postponed to the next run, nothing of it published")
    age = time.time() - now[1] / 1e9
    if 0 <= age < settle_seconds:  # a time in the future (a share's clock ahead of ours) is no sign of writing
        return (f"the file changed {max(age, 0):.0f} s ago, less than FILE_SETTLE_SECONDS={settle_seconds}: still "
                "being written? postponed to the next run")
    return None


def load_file(
    conn: psycopg.Connection,
    settings: Settings,
    source: FileSource,
    path: Path,
    pseudonymiser: Pseudonymiser | None,
    *,
    logical_date: date | None = None,
) -> FileOutcome:
    # A symbolic link could point anywhere the loader can read (a secret, a file of another source): not read at all.
    # A name in another code page than UTF-8 is recorded escaped (\xNN) and the file rejected: nothing of its name
    # is matched or stored as it is.
    name = file_name(path)
    try:
        link = path.is_symlink()
        state = None if link else _file_state(path)
        size = path.lstat().st_size if link else state[0]
        oversized = not link and size > settings.max_file_bytes
        if state is not None and not oversized and (why := _still_written(path, state, settings.file_settle_seconds)):
            log.warning("%s: %s", name, why)
            return FileOutcome(name, "postponed", None, reason=why)
        # A link or a file over the limit is not read, not even to hash it.
        checksum = None if link or oversized else file_sha256(path)
    except FileNotFoundError:  # listed, then gone: moved or removed by someone else (a run holds the folder lock)
        return FileOutcome(name, "taken", None, reason="the file was moved or removed by another process before this"
                                                       " run read it: nothing loaded")
    bad_name = name != path.name
    delivery = None if bad_name else source.delivery(path.name)
    entity, key = delivery if delivery else ("file", None)
    spec = BatchSpec(
        source=source.name,
        entity=entity,
        source_ref=name,
        # Demo files (a folder with GENERATED.md) are labelled as generated all the way to the marts.
        source_mode="generated" if is_generated(path.parent) else settings.source_mode,
        request_params={"path": printable(str(path)), "bytes": size},
        logical_date=logical_date,
        file_sha256=checksum,
        delivery_key=key,
    )
    previous = None if checksum is None else _loaded_before(conn, source.name, checksum)
    if previous is not None:
        with open_batch(conn, spec) as batch:
            raise BatchUnchanged(previous, f"re-delivery: the same bytes were loaded as batch {previous}")
        return FileOutcome(name, "unchanged", batch.batch_id, reason=batch.message, duplicate_of=previous)

    parsed: ParsedFile | None = None
    batch_id: int | None = None
    try:
        with open_batch(conn, spec) as batch:
            batch_id = batch.batch_id
            if link:
                raise FileRejected(name, "a symbolic link, not a file: not read (a link can point outside the drop"
                                         " folder); drop the file itself")
            if bad_name:
                raise FileRejected(name, NAME_NOT_UTF8.format(example=source.example_file_name))
            if delivery is None:
                raise FileRejected(name, f"the file name does not match what the {source.name} source accepts"
                                         f" (SOURCES.md; e.g. {source.example_file_name})")
            if oversized:
                raise FileRejected(name, too_large(size, settings.max_file_bytes))
            if pseudonymiser is not None:
                # Which key made this batch's pseudonyms: a changed key breaks the flows across it (doctor checks).
                batch.request_params["pseudonym_key_id"] = pseudonymiser.key_id
            try:
                opened = open_file(path, max_bytes=settings.max_file_bytes)
            except FileNotFoundError:  # gone between hashing and reading: another process took it
                raise BatchPostponed("the file was moved or removed before it was read: nothing of it loaded") from None
            try:
                parsed = source.parse(opened, entity, pseudonymiser)
                batch.request_params.update(parsed.params)
                columns = ["row_number", *parsed.columns]
                loaded = (batch.copy_rows(entity, columns, parsed.rows) if parsed.tables is None
                          else batch.copy_tables(entity, columns, parsed.tables))
            finally:
                opened.close()  # also when parsing rejected the file, so it can be moved
            if state is not None and (why := _still_written(path, state, 0)):
                raise BatchPostponed(why)  # what was read is not what the file holds now: its rows roll back
            problems = parsed.screened_problems(personal_file=source.personal_data)
            if loaded == 0 and problems:
                raise FileRejected(name, f"no row could be loaded: all {_bad_rows(parsed)} data rows have "
                                         f"problems, the first: {problems[0][0].describe(name)}")
            if loaded == 0:
                raise FileRejected(name, "the file has a header but no data rows")
            _quarantine_rows(conn, batch.batch_id, source.name, name, problems)
            batch.request_params["rows_quarantined"] = _bad_rows(parsed)
        return FileOutcome(name, batch.status, batch.batch_id, rows_loaded=batch.row_count,
                           rows_quarantined=_bad_rows(parsed) if batch.status != "postponed" else 0,
                           reason=batch.message,
                           duplicate_of=batch.duplicate_of)
    except FileRejected as rejected:
        if batch_id is None:
            raise
        if state is not None and (why := _still_written(path, state, 0)):
            # Unreadable because it is half written (a quote cut off, a truncated workbook): not rejected, postponed.
            conn.rollback()
            conn.execute("update audit.load_batch set status = 'postponed', finished_at = now(), row_count = 0,"
                         " message = %s where batch_id = %s", (why, batch_id))
            conn.commit()
            log.warning("%s: %s", name, why)
            return FileOutcome(name, "postponed", batch_id, reason=why)
        return _reject(conn, batch_id, source.name, path, rejected)


def _bad_rows(parsed: ParsedFile) -> int:
    return len({p.row for p, _ in parsed.problems})


def _loaded_before(conn: psycopg.Connection, source: str, checksum: str) -> int | None:
    row = conn.execute(
        "select batch_id from audit.load_batch where source = %s and file_sha256 = %s and status = any(%s)"
        " order by batch_id limit 1",
        (source, checksum, list(GOOD_STATUSES)),
    ).fetchone()
    conn.commit()
    return None if row is None else int(row[0])


def _quarantine_rows(
    conn: psycopg.Connection, batch_id: int, source: str, file_name: str,
    problems: Sequence[tuple[Problem, dict[str, Any] | None]],
) -> None:
    if not problems:
        return
    target = sql.SQL("copy audit.quarantine ({}) from stdin").format(
        sql.SQL(", ").join(map(sql.Identifier, QUARANTINE_COLUMNS))
    )
    with conn.cursor() as cur, cur.copy(target) as copy:
        for problem, record in problems:
            copy.write_row((batch_id, source, file_name, problem.row, problem.column, problem.value, problem.reason,
                            None if record is None else json.dumps(record, default=str, ensure_ascii=False)))
    log.warning("%s: %d row(s) quarantined, the first: %s", file_name, len({p.row for p, _ in problems}),
                problems[0][0].describe(file_name))


def _reject(conn: psycopg.Connection, batch_id: int, source: str, path: Path, rejected: FileRejected) -> FileOutcome:
    """Record the file as rejected with its reason, and move it out of the drop folder into quarantine."""
    conn.rollback()
    moved = _move_to_quarantine(path, batch_id)
    # The reason may quote a cell (a header row that is data): no BSN in clear in the record or the output.
    message, reason = replace_bsns(str(rejected)), replace_bsns(rejected.reason)
    value = None if rejected.value is None else replace_bsns(rejected.value)
    conn.execute(
        "update audit.load_batch set status = 'rejected', finished_at = now(), row_count = 0, message = %s"
        " where batch_id = %s",
        (message, batch_id),
    )
    conn.execute(
        "insert into audit.quarantine (batch_id, source, file_name, row_number, column_name, value, reason,"
        " quarantine_path) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (batch_id, source, file_name(path), rejected.row, rejected.column, value, reason, moved),
    )
    conn.commit()
    log.warning("rejected %s", message)
    return FileOutcome(file_name(path), "rejected", batch_id, reason=message, quarantine_path=moved)


def quarantine_failed_batch(conn: psycopg.Connection, batch_id: int, reason: str) -> str | None:
    """A file whose batch failed validation leaves the drop folder too, so the next night is not blocked by it."""
    row = conn.execute(
        "select source, source_ref, request_params ->> 'path' from audit.load_batch where batch_id = %s", (batch_id,)
    ).fetchone()
    if row is None:
        raise ValueError(f"batch {batch_id} does not exist")
    source, source_ref, path_text = row
    with folder_lock(conn, source):  # never while a run of the source reads its folder
        moved = _move_to_quarantine(Path(path_text), batch_id) if path_text and Path(path_text).is_file() else None
    conn.execute(
        "insert into audit.quarantine (batch_id, source, file_name, reason, quarantine_path)"
        " values (%s, %s, %s, %s, %s)",
        (batch_id, source, source_ref, reason, moved),
    )
    conn.commit()
    return moved


def _move_to_quarantine(path: Path, batch_id: int) -> str | None:
    """Move a file to <its folder>/quarantine/<batch>_<name>; None (and a warning) if it cannot be moved. A name
    that is not UTF-8 arrives there escaped (file_name), as it is recorded."""
    target = path.parent / QUARANTINE_FOLDER / f"{batch_id}_{file_name(path)}"
    if target.parent.is_symlink():  # it could lead out of the drop folder: nothing is moved through it
        log.warning("did not move %s: %s is a symbolic link, not a folder", printable(str(path)),
                    printable(str(target.parent)))
        return None
    try:
        target.parent.mkdir(exist_ok=True)
        shutil.move(path, target)
    except OSError as exc:  # a read-only drop folder: the audit record still says why; the file stays
        log.warning("could not move %s to %s: %s", printable(str(path)), printable(str(target)), exc)
        return None
    return printable(str(target))
