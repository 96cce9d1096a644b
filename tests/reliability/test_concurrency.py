"""Concurrent runs: two loads of the same file or CBS table at once land it once (the loader's lock per source and
source_ref: one loads, the other waits and finds it unchanged); two transforms at once build one after the other
(the transform's session lock) and leave consistent marts. Every case is recorded in the reliability ledger.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ingestion import loader
from ingestion.config import Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.files.drop import load_path
from ingestion.sources.cbs.tables import load_table
from ingestion.transform import (
    TRANSFORM_LOCK_KEY,
    TransformError,
    build_lock,
    build_shadow,
    marts_inputs,
    prepare_shadow,
    publish_marts,
    refresh,
)
from ingestion.warehouse import connect
from tests.support.ledger import record
from tests.support.loads import (
    batches_of,
    child_env,
    copy_streaming,
    file_settings,
    file_variant,
    raw_rows,
    start_cli,
    wait_until,
)
from tests.support.marts import relation_digests


@pytest.fixture(scope="module")
def werkplein_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A Werkplein uitkeringen month big enough (~80 000 rows, ~2 s of COPY) that two loads started together overlap."""
    folder = tmp_path_factory.mktemp("concurrent_werkplein")
    summary = generate_werkplein(folder, scale=30, months=1, end="2024-03", seed=13, gemeentecode="0141")
    return folder / "werkplein_uitkeringen_0141_202403.csv", summary["rows"]["uitkeringen"]


def lock_waiters(url: str) -> int:
    """Sessions of this database waiting for an advisory lock."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "select count(*) from pg_locks l join pg_stat_activity a using (pid)"
            " where l.locktype = 'advisory' and not l.granted and a.datname = current_database()"
        ).fetchone()[0]


def run_threads(targets: dict[str, Callable[[], Any]], *, start_gap: threading.Event | None = None,
                second: str | None = None) -> dict[str, Any]:
    """Run each target in a thread of that name; its result, or the exception it raised. ``second`` starts only
    once ``start_gap`` is set (the others start at once)."""
    results: dict[str, Any] = {}

    def run(name: str, target: Callable[[], Any]) -> None:
        if name == second and start_gap is not None:
            start_gap.wait(60)
        try:
            results[name] = target()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n, t), name=n, daemon=True) for n, t in targets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


# --- two loads of the same source at once ------------------------------------------------------------------------


def test_two_cli_loads_of_the_same_file_at_once_land_it_once(
    fresh_warehouse_url: str, werkplein_file: tuple[Path, int], tmp_path: Path
) -> None:
    url = fresh_warehouse_url
    source, file_rows = werkplein_file
    drop = tmp_path / "drop"
    path = file_variant(source, drop / "werkplein", "twice", 0)
    env = child_env(url, drop, tmp_path / "local")
    children = [start_cli(["files", "werkplein", str(path), "--no-validate"], env) for _ in range(2)]
    overlapped = False
    while any(c.poll() is None for c in children):
        # Evidence the two really ran at once: one streaming while the other waits for the lock.
        overlapped = overlapped or (bool(copy_streaming(url, "werkplein_uitkering")) and lock_waiters(url) > 0)
        time.sleep(0.05)
    outputs = [c.communicate() for c in children]
    lines = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    statuses = sorted(line["status"] for line in lines)
    batches = batches_of(url, path.name)
    loaded = raw_rows(url, "werkplein_uitkering", [b[0] for b in batches])

    handled = statuses == ["loaded", "unchanged"] and loaded == file_rows and all(c.returncode == 0 for c in children)
    record("concurrency", "two CLI loads of the same Werkplein file at once", handled=handled,
           outcome=f"{' + '.join(statuses)} ({'overlapping: one waited for the lock' if overlapped else 'no overlap'})"
                   f"; raw {loaded} rows for a file of {file_rows}; batches {[b[1] for b in batches]}")

    assert all(c.returncode == 0 for c in children), [err[-2000:] for _, err in outputs]
    assert statuses == ["loaded", "unchanged"]
    assert loaded == file_rows  # not doubled
    assert sorted(b[1] for b in batches) == ["loaded", "unchanged"]
    assert overlapped, "the two loads did not run at the same time; the test proved nothing"


def test_a_load_that_registers_first_but_locks_second_does_not_double_load(
    fresh_warehouse_url: str, werkplein_file: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst interleaving, made certain: run 'early' registers its batch first, then stalls until run 'late' has
    overtaken it (streaming) or is blocked behind it (waiting for the lock). Whatever the order, one batch loads and
    the other finds the same content: never two loaded batches of the same rows."""
    url = fresh_warehouse_url
    source, file_rows = werkplein_file
    drop = tmp_path / "drop"
    path = file_variant(source, drop / "werkplein", "overtaken", 0)
    cfg = file_settings(url, drop, tmp_path / "local")
    early_registered = threading.Event()
    original = loader._register

    def register(conn: psycopg.Connection, spec: loader.BatchSpec) -> int:
        batch_id = original(conn, spec)
        if threading.current_thread().name == "early":
            early_registered.set()
            wait_until(lambda: copy_streaming(url, "werkplein_uitkering") or lock_waiters(url),
                       "the late run to overtake or queue", timeout=60)
        return batch_id

    monkeypatch.setattr(loader, "_register", register)

    def load() -> Any:
        with connect(url) as conn:
            [outcome] = load_path(conn, cfg, "werkplein", path)
            return outcome

    results = run_threads({"early": load, "late": load}, start_gap=early_registered, second="late")
    errors = {name: r for name, r in results.items() if isinstance(r, BaseException)}
    statuses = sorted(r.status for r in results.values() if not isinstance(r, BaseException))
    batches = batches_of(url, path.name)
    loaded = raw_rows(url, "werkplein_uitkering", [b[0] for b in batches])

    handled = not errors and statuses == ["loaded", "unchanged"] and loaded == file_rows
    record("concurrency", "same file: the run that registered first locks second", handled=handled,
           outcome=f"{' + '.join(statuses) or errors}; raw {loaded} rows for a file of {file_rows}"
                   f"{' (DOUBLED)' if loaded > file_rows else ''}; batches {[b[1] for b in batches]}")

    assert not errors, errors
    assert statuses == ["loaded", "unchanged"]
    assert loaded == file_rows


def test_two_loads_of_the_same_cbs_table_at_once_land_it_once(fresh_warehouse_url: str, tmp_path: Path) -> None:
    url = fresh_warehouse_url
    cfg = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    barrier = threading.Barrier(2)

    def load() -> Any:
        with connect(url) as conn:
            barrier.wait(30)
            return load_table(conn, cfg, "86003NED")

    results = run_threads({"one": load, "two": load})
    errors = {name: r for name, r in results.items() if isinstance(r, BaseException)}
    done = [r for r in results.values() if not isinstance(r, BaseException)]
    statuses = sorted(r.status for r in done)
    batches = batches_of(url, "86003NED")
    loaded_rows = sum(r.row_count for r in done)
    with psycopg.connect(url) as conn:
        raw = sum(conn.execute(f"select count(*) from raw.{t}").fetchone()[0]  # noqa: S608 - constant names
                  for t in ("cbs_observation", "cbs_table_info", "cbs_data_property", "cbs_dimension_code"))

    handled = not errors and statuses == ["loaded", "unchanged"] and raw == loaded_rows > 0
    record("concurrency", "two loads of the same CBS table at once", handled=handled,
           outcome=f"{' + '.join(statuses) or errors}; raw {raw} rows, the loaded batch {loaded_rows}; "
                   f"batches {[b[1] for b in batches]}")

    assert not errors, errors
    assert statuses == ["loaded", "unchanged"]
    assert raw == loaded_rows > 0


# --- two transforms at once --------------------------------------------------------------------------------------


def test_two_transforms_at_once_run_one_after_the_other(fresh_warehouse_url: str, tmp_path: Path) -> None:
    """The nightly transform (``refresh``) started twice at once: the second waits for the first's session lock,
    then finds nothing new since the first's publish and refreshes data_quality only."""
    url = fresh_warehouse_url
    cfg = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    with connect(url) as conn:
        batch = load_table(conn, cfg, "86003NED")
        conn.execute("update audit.load_batch set status = 'published', validated_at = now() where batch_id = %s",
                     (batch.batch_id,))
        conn.commit()
    session_lock = TRANSFORM_LOCK_KEY + 1
    waited = threading.Event()

    def watch() -> None:
        # While one transform builds, the other waits for the session lock (not building into the same shadow).
        def other_waits() -> bool:
            with psycopg.connect(url, autocommit=True) as conn:
                return conn.execute(
                    "select count(*) from pg_locks where locktype = 'advisory' and not granted"
                    " and ((classid::bigint << 32) | objid::bigint) = %s and database ="
                    " (select oid from pg_database where datname = current_database())",
                    (session_lock,),
                ).fetchone()[0] > 0

        with contextlib.suppress(AssertionError):
            wait_until(other_waits, "a transform waiting for the other", timeout=120, interval=0.2)
            waited.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    results = run_threads({"one": lambda: refresh(url, cfg), "two": lambda: refresh(url, cfg)})
    watcher.join(130)
    errors = {name: r for name, r in results.items() if isinstance(r, BaseException)}
    plans = sorted("full" if r[0].full else "data_quality only" for r in results.values()
                   if not isinstance(r, BaseException))
    with psycopg.connect(url) as conn:
        scopes = [r[0] for r in conn.execute("select scope from audit.marts_publication order by publication_id")]
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace where nspname like 'marts%'")}
        relations = conn.execute(
            "select relations from audit.marts_publication where scope = 'all'").fetchone()[0]
        bi_reads = conn.execute(
            "select bool_and(has_table_privilege('bi_reader', format('marts.%I', table_name), 'select'))"
            " from information_schema.tables where table_schema = 'marts'").fetchone()[0]
    marts = relation_digests(url, "marts")
    consistent = relations == len(marts) and "data_quality" in marts and bi_reads

    handled = not errors and waited.is_set() and plans == ["data_quality only", "full"] \
        and scopes == ["all", "data_quality"] and schemas == {"marts"} and consistent
    record("concurrency", "two transforms at once", handled=handled,
           outcome=f"{'the second waited for the first' if waited.is_set() else 'NO wait seen'}, then: "
                   f"{' + '.join(plans) or errors}; publications {scopes}, schemas {sorted(schemas)}; the marts "
                   f"{'complete and readable by BI' if consistent else 'INCONSISTENT'}")

    assert not errors, errors
    assert waited.is_set()
    assert plans == ["data_quality only", "full"]  # the second saw the first's publish: nothing new
    assert scopes == ["all", "data_quality"]
    assert schemas == {"marts"}  # no shadow schema left over
    assert consistent


def test_a_manual_transform_during_the_dags_build_fails_the_dags_publish(
    fresh_warehouse_url: str, tmp_path: Path
) -> None:
    """The transform DAG's tasks run in processes of their own, so no session lock spans its build. A manual
    transform that empties the shadow schema mid-build makes the DAG's publish fail (the build id stamped on the
    shadow schema is no longer its own) instead of publishing a mix; and the DAG's start waits for a manual one."""
    url = fresh_warehouse_url
    cfg = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    with connect(url) as conn:
        batch = load_table(conn, cfg, "86003NED")
        conn.execute("update audit.load_batch set status = 'published', validated_at = now() where batch_id = %s",
                     (batch.batch_id,))
        conn.commit()
    refresh(url, cfg)
    before = relation_digests(url, "marts")

    # The DAG: prepare_shadow, then its dbt tasks; meanwhile a manual transform starts and empties the shadow schema.
    with connect(url) as conn:
        inputs = marts_inputs(conn, cfg)
    dags_build = prepare_shadow(url)
    build_shadow(url, cfg)
    manual_build = prepare_shadow(url)
    with pytest.raises(TransformError) as failed:
        publish_marts(url, inputs, dags_build)
    unchanged = relation_digests(url, "marts") == before
    # The manual transform's own build publishes.
    build_shadow(url, cfg)
    publish_marts(url, inputs, manual_build)

    # And the DAG's prepare_shadow waits while an in-process transform holds the build lock.
    with build_lock(url):
        waiting = threading.Thread(target=prepare_shadow, args=(url,), daemon=True)
        waiting.start()
        wait_until(lambda: lock_waiters(url) >= 1, "prepare_shadow waiting for the build lock", timeout=30)
        waited = waiting.is_alive()
    waiting.join(30)

    handled = "rebuilt by another transform" in str(failed.value) and unchanged and waited and not waiting.is_alive()
    record("concurrency", "a manual transform during the DAG's build", handled=handled,
           outcome=f"the DAG's publish refused: {str(failed.value)[:90]}...; marts "
                   f"{'unchanged' if unchanged else 'CHANGED'}; the DAG's start "
                   f"{'waited for' if waited else 'did NOT wait for'} the manual build")
    assert "rebuilt by another transform" in str(failed.value)
    assert unchanged
    assert waited and not waiting.is_alive()
