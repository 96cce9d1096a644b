"""Files still being written, and two runs over one drop folder at once (issue 20).

A file is listed, hashed, read and moved only under its source's folder lock; a file whose size or modification
time changed while it was read, or that changed less than FILE_SETTLE_SECONDS ago, is postponed (nothing of it
published) and read whole by the next run; a file another run moved away is reported, not failed.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ingestion import loader
from ingestion.config import Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.files.drop import load_path
from ingestion.sources import werkplein
from ingestion.warehouse import connect
from tests.support.ledger import record
from tests.support.loads import KEY, batches_of, raw_rows, wait_until
from tests.support.settings import LIVE


def _settings(url: str, drop: Path, **extra: str) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "DROP_DIR": str(drop), "PSEUDONYM_KEY": KEY, **LIVE, **extra})


def _month(folder: Path, scale: float = 0.05) -> tuple[Path, int]:
    """A generated uitkeringen month in ``folder`` (no GENERATED.md: it loads as a live file)."""
    summary = generate_werkplein(folder, scale=scale, months=1, end="2024-01", seed=3, gemeentecode="0141")
    (folder / "GENERATED.md").unlink()
    for other in folder.glob("werkplein_[av]*"):
        other.unlink()
    return folder / "werkplein_uitkeringen_0141_202401.csv", summary["rows"]["uitkeringen"]


def _load(url: str, drop: Path, **extra: str) -> list[Any]:
    with connect(url) as conn:
        return load_path(conn, _settings(url, drop, **extra), "werkplein")


def test_a_file_changed_within_the_settle_window_is_postponed_then_loaded(
    fresh_warehouse_url: str, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    path, rows = _month(drop / "werkplein")
    [early] = _load(fresh_warehouse_url, drop, FILE_SETTLE_SECONDS="60")
    batches_early = batches_of(fresh_warehouse_url, path.name)
    past = time.time() - 120
    os.utime(path, (past, past))  # the writer has been done for two minutes
    [later] = _load(fresh_warehouse_url, drop, FILE_SETTLE_SECONDS="60")
    handled = (early.status == "postponed" and batches_early == [] and path.is_file()
               and later.status == "loaded" and later.rows_loaded == rows)
    record("concurrency", "a file changed within FILE_SETTLE_SECONDS", handled=handled,
           outcome=f"{early.status} ({early.reason}); two minutes later {later.status} {later.rows_loaded}/{rows} rows",
           rows_in=rows, rows_loaded=later.rows_loaded, rows_quarantined=later.rows_quarantined)
    assert early.status == "postponed" and "FILE_SETTLE_SECONDS=60" in early.reason
    assert batches_early == [] and path.is_file()  # nothing read, nothing recorded, the file left for the next run
    assert later.status == "loaded" and later.rows_loaded == rows


def test_a_file_growing_while_it_is_read_is_postponed_and_the_next_run_loads_it_whole(
    fresh_warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, drop = fresh_warehouse_url, tmp_path / "drop"
    whole, rows = _month(tmp_path / "whole")
    data = whole.read_bytes()
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    path = drop / "werkplein" / whole.name
    path.parent.mkdir(parents=True)
    path.write_bytes(data[:half])  # the exporter has written half
    original = werkplein.WerkpleinSource.parse

    def parse_while_written(self: Any, opened: Any, entity: str, pseudonymiser: Any) -> Any:
        with path.open("ab") as f:  # ... and writes the rest while the loader reads
            f.write(data[half:])
        return original(self, opened, entity, pseudonymiser)

    monkeypatch.setattr(werkplein.WerkpleinSource, "parse", parse_while_written)
    [during] = _load(url, drop)
    monkeypatch.undo()
    batches_during = batches_of(url, path.name)
    rows_during = raw_rows(url, "werkplein_uitkering", [b[0] for b in batches_during])
    [after] = _load(url, drop)
    with psycopg.connect(url) as conn:
        checksum = conn.execute("select file_sha256 from audit.load_batch where batch_id = %s",
                                (after.batch_id,)).fetchone()[0]
    whole_checksum = checksum == hashlib.sha256(data).hexdigest()
    handled = (during.status == "postponed" and rows_during == 0 and after.status == "loaded"
               and after.rows_loaded == rows and whole_checksum)
    record("concurrency", "a file growing while it is read", handled=handled,
           outcome=f"{during.status} ({during.reason}), {rows_during} raw rows; next run {after.status} "
                   f"{after.rows_loaded}/{rows} rows, checksum of the whole file: {whole_checksum}",
           rows_in=rows, rows_loaded=after.rows_loaded, rows_quarantined=after.rows_quarantined)
    assert during.status == "postponed" and "changed while it was read" in during.reason
    assert [b[1] for b in batches_during] == ["postponed"] and rows_during == 0  # nothing of the prefix published
    assert path.is_file()
    assert after.status == "loaded" and after.rows_loaded == rows
    assert whole_checksum  # the checksum of what was loaded: the whole file


def test_two_runs_over_one_folder_at_once_each_report_every_file(
    fresh_warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run starts while the first is loading; the first rejects a file and moves it to quarantine. The
    second may not read a file the first moved: it waits for the folder, then finds the loaded file unchanged."""
    url, drop = fresh_warehouse_url, tmp_path / "drop"
    good, rows = _month(drop / "werkplein", scale=2)
    bad = drop / "werkplein" / "werkplein_uitkeringen_141_202401.csv"  # a name outside the contract: rejected, moved
    bad.write_bytes(good.read_bytes()[:2000])
    first_registered = threading.Event()
    original = loader._register

    def register(conn: psycopg.Connection, spec: loader.BatchSpec) -> int:
        batch_id = original(conn, spec)
        if threading.current_thread().name == "first" and not first_registered.is_set():
            first_registered.set()
            wait_until(lambda: _advisory_waiters(url), "the second run to wait for a lock", timeout=60)
        return batch_id

    monkeypatch.setattr(loader, "_register", register)
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        if name == "second":
            first_registered.wait(60)
        try:
            results[name] = _load(url, drop)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n,), name=n, daemon=True) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    errors = {n: r for n, r in results.items() if isinstance(r, BaseException)}
    statuses = {n: [(o.file, o.status) for o in r] for n, r in results.items() if n not in errors}
    with psycopg.connect(url) as conn:
        batch_statuses = sorted(r[0] for r in conn.execute("select status from audit.load_batch"))
    handled = (not errors and statuses.get("first") == [(good.name, "loaded"), (bad.name, "rejected")]
               and statuses.get("second") == [(good.name, "unchanged")] and "failed" not in batch_statuses)
    loaded = sum(o.rows_loaded for r in results.values() if not isinstance(r, BaseException) for o in r)
    record("concurrency", "two runs over one drop folder, one moving a file the other listed", handled=handled,
           outcome=f"{errors or statuses}; batches {batch_statuses}", rows_in=rows, rows_loaded=loaded,
           rows_quarantined=0)
    assert not errors, errors
    assert statuses["first"] == [(good.name, "loaded"), (bad.name, "rejected")]
    assert statuses["second"] == [(good.name, "unchanged")]
    assert batch_statuses == ["loaded", "rejected", "unchanged"]  # no spurious failed batch


def _advisory_waiters(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "select count(*) from pg_locks l join pg_stat_activity a using (pid)"
            " where l.locktype = 'advisory' and not l.granted and a.datname = current_database()").fetchone()[0]
