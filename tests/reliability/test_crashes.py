"""Crashes: a loader killed mid-batch (SIGKILL of the process, or its database connection terminated while the COPY
streams) and a transform killed mid-build leave nothing half-done behind, and the next run completes.

What must hold after every crash: no raw row of the killed batch, the batch not 'published', staging and marts
exactly as before; after the rerun: the abandoned batch recorded as failed, the data loaded once (raw rows of the
file == its data rows), the marts published again. Every case is recorded in the reliability ledger
(tests/support/ledger.py) before its assertions.

The loaders run as child processes (``python -m ingestion ...``), as Airflow runs them, and are killed once rows are
streaming: seen from the server, a COPY into the raw table that has taken rows (pg_stat_progress_copy) or, for CBS,
a COPY into raw.cbs_observation while the (slowed) API is still serving pages.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.dev.recorded import RecordedResponse, RecordingServer, serve
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.files.drop import load_path
from ingestion.sources.cbs.tables import load_table
from ingestion.transform import build_and_publish
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

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
REPO_ROOT = Path(__file__).resolve().parents[2]
BIG_SCALE = 60  # one month of uitkeringen at 60x Almelo: ~160 000 rows, a few seconds of COPY
# What BI and dbt read of the loads: a killed load must change none of it (the audit views list the batch, so
# they are left out here; stg_audit__published_batches lists published batches only and is in).
STAGING_VIEWS = ("stg_audit__published_batches", "stg_cbs__observations", "stg_werkplein__uitkeringen",
                 "stg_werkplein__voorzieningen", "stg_werkplein__activiteiten")


# --- helpers (those shared with test_concurrency.py are in tests/support/loads.py) -------------------------------


def copy_running(url: str, table: str) -> int | None:
    """The backend pid of a COPY into raw.<table> of this database that is running (it may not have sent rows yet:
    psycopg buffers them)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and state = 'active'"
            " and query ilike %s",
            (f'copy "raw"."{table}"%',),
        ).fetchone()
    return row[0] if row else None


def wait_backend_gone(url: str, pid: int) -> None:
    def gone() -> bool:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("select count(*) from pg_stat_activity where pid = %s", (pid,)).fetchone()[0] == 0

    wait_until(gone, f"backend {pid} to end", timeout=60)


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (the CLI and any dbt it started), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def published_state(url: str) -> dict[str, Any]:
    """What BI and the transform see: the marts, the staging views over raw, and the publications."""
    with psycopg.connect(url) as conn:
        publications = conn.execute("select count(*) from audit.marts_publication").fetchone()[0]
    return {"marts": relation_digests(url, "marts"), "staging": relation_digests(url, "staging", STAGING_VIEWS),
            "publications": publications}


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A large generated Werkplein uitkeringen export (one month) and its number of data rows."""
    folder = tmp_path_factory.mktemp("big_werkplein")
    summary = generate_werkplein(folder, scale=BIG_SCALE, months=1, end="2024-02", seed=11, gemeentecode="0141")
    path = folder / "werkplein_uitkeringen_0141_202402.csv"
    assert path.is_file()
    return path, summary["rows"]["uitkeringen"]


@pytest.fixture(scope="module")
def warehouse(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(url, local dir) of a warehouse with published data and built marts: a CBS table and a Werkplein month."""
    base = tmp_path_factory.mktemp("crash_warehouse")
    with throwaway_warehouse(pg_server_url, "pm_crash") as url:
        generate_werkplein(base / "drop" / "werkplein", scale=0.05, months=1, end="2024-01", seed=5,
                           gemeentecode="0141")
        (base / "drop" / "werkplein" / "GENERATED.md").unlink()
        cfg = file_settings(url, base / "drop", base / "local")
        recorded = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                                      "PROGRAMMAMONITOR_LOCAL_DIR": str(base / "local")})
        with connect(url) as conn:
            load_table(conn, recorded, "86003NED")
            load_path(conn, cfg, "werkplein")
            # Published directly: these tests are about crashes, validation has its own.
            conn.execute("update audit.load_batch set status = 'published', validated_at = now()"
                         " where status = 'loaded'")
            conn.commit()
        build_and_publish(url, recorded)
        yield url, base / "local"


# --- the loader killed -------------------------------------------------------------------------------------------


def test_a_file_load_killed_mid_copy_leaves_nothing_and_the_rerun_loads_once(
    warehouse: tuple[str, Path], big_file: tuple[Path, int], tmp_path: Path
) -> None:
    url, local = warehouse
    source, file_rows = big_file
    drop = tmp_path / "drop"
    path = file_variant(source, drop / "werkplein", "kill", 1)
    before = published_state(url)

    child = start_cli(["files", "werkplein", str(path), "--no-validate"], child_env(url, drop, local))
    pid = wait_until(lambda: copy_streaming(url, "werkplein_uitkering", 5000), "rows streaming into raw", proc=child)
    kill_tree(child)
    wait_backend_gone(url, pid)

    after_kill = batches_of(url, path.name)
    killed_rows = raw_rows(url, "werkplein_uitkering", [b[0] for b in after_kill])
    state_after_kill = published_state(url)

    with connect(url) as conn:
        [rerun] = load_path(conn, file_settings(url, drop, local), "werkplein", path)
    after_rerun = batches_of(url, path.name)
    loaded_rows = raw_rows(url, "werkplein_uitkering", [b[0] for b in after_rerun])
    abandoned = [b for b in after_rerun if b[0] != rerun.batch_id]

    nothing_left = ([b[1] for b in after_kill] == ["loading"] and killed_rows == 0 and state_after_kill == before)
    recovered = (rerun.status == "loaded" and rerun.rows_loaded == file_rows == loaded_rows
                 and [(b[1], "abandoned" in (b[2] or "")) for b in abandoned] == [("failed", True)])
    record("crash", "file load SIGKILLed mid-COPY", handled=nothing_left and recovered,
           outcome=f"killed with the COPY streaming (child exit {child.returncode}): batch left {after_kill[0][1]!r}, "
                   f"{killed_rows} raw rows, staging/marts {'unchanged' if state_after_kill == before else 'CHANGED'};"
                   f" rerun {rerun.status} {rerun.rows_loaded}/{file_rows} rows, raw {loaded_rows}, killed batch "
                   f"{abandoned[0][1] if abandoned else '?'}")

    assert child.returncode == -signal.SIGKILL
    assert [b[1] for b in after_kill] == ["loading"]  # registered and committed, never finished
    assert killed_rows == 0
    assert state_after_kill == before
    assert rerun.status == "loaded" and rerun.rows_loaded == file_rows
    assert loaded_rows == file_rows  # nothing duplicated
    [(_, status, message)] = abandoned
    assert status == "failed" and "abandoned" in message


def test_a_connection_terminated_mid_copy_fails_clearly_and_the_rerun_loads_once(
    warehouse: tuple[str, Path], big_file: tuple[Path, int], tmp_path: Path
) -> None:
    url, local = warehouse
    source, file_rows = big_file
    drop = tmp_path / "drop"
    path = file_variant(source, drop / "werkplein", "terminated", 2)
    before = published_state(url)

    child = start_cli(["files", "werkplein", str(path), "--no-validate"], child_env(url, drop, local))
    pid = wait_until(lambda: copy_streaming(url, "werkplein_uitkering", 5000), "rows streaming into raw", proc=child)
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("select pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    out, err = child.communicate(timeout=60)
    wait_backend_gone(url, pid)

    after_kill = batches_of(url, path.name)
    killed_rows = raw_rows(url, "werkplein_uitkering", [b[0] for b in after_kill])
    state_after_kill = published_state(url)
    last_line = err.strip().splitlines()[-1] if err.strip() else ""
    clear = child.returncode != 0 and last_line.startswith("error:") and "Traceback" not in err

    with connect(url) as conn:
        [rerun] = load_path(conn, file_settings(url, drop, local), "werkplein", path)
    after_rerun = batches_of(url, path.name)
    loaded_rows = raw_rows(url, "werkplein_uitkering", [b[0] for b in after_rerun])
    earlier = [b for b in after_rerun if b[0] != rerun.batch_id]

    nothing_left = (len(after_kill) == 1 and after_kill[0][1] in ("loading", "failed") and killed_rows == 0
                    and state_after_kill == before)
    recovered = (rerun.status == "loaded" and rerun.rows_loaded == file_rows == loaded_rows
                 and [b[1] for b in earlier] == ["failed"])
    record("crash", "connection terminated mid-COPY (pg_terminate_backend)",
           handled=nothing_left and recovered and clear,
           outcome=f"CLI exit {child.returncode}, said {last_line[:120]!r}; batch left {after_kill[0][1]!r}, "
                   f"{killed_rows} raw rows, staging/marts {'unchanged' if state_after_kill == before else 'CHANGED'};"
                   f" rerun {rerun.status} {rerun.rows_loaded}/{file_rows} rows, raw {loaded_rows}")

    assert clear, f"exit {child.returncode}, stderr ends: {err[-1500:]}"
    assert "connection" in last_line.lower() or "terminat" in last_line.lower()
    assert len(after_kill) == 1 and after_kill[0][1] in ("loading", "failed")  # the dead connection could not say
    assert killed_rows == 0
    assert state_after_kill == before
    assert rerun.status == "loaded" and loaded_rows == rerun.rows_loaded == file_rows
    [(_, status, message)] = earlier
    assert status == "failed" and message


@pytest.fixture
def slow_cbs() -> Iterator[RecordingServer]:
    """The recorded CBS API over real HTTP, in pages of 10 rows, every page after the first 1.5 s late."""
    server = serve(RECORDINGS, page_size=10)

    def slow_page(url: str) -> RecordedResponse | None:
        if "/TypedDataSet" in url and "skip=" in url and getattr(server, "slow", True):
            time.sleep(1.5)
        return None  # never used up: the recording answers, late

    server.faults.append(slow_page)
    yield server
    server.slow = False
    server.shutdown()


def test_a_cbs_load_killed_while_pages_stream_leaves_nothing_and_the_rerun_loads_once(
    warehouse: tuple[str, Path], slow_cbs: RecordingServer, tmp_path: Path
) -> None:
    url, local = warehouse
    table = "85586NED"  # not loaded in this warehouse before
    before = published_state(url)
    env = child_env(url, tmp_path / "drop", local, CBS_ODATA_URL=slow_cbs.base_url, HTTP_TIMEOUT_SECONDS="20",
                    HTTP_BACKOFF_SECONDS="0")

    def streaming() -> int | None:
        # The observations' COPY is open and the client already asked for a later page: page 1's rows are in it.
        served_later_page = any("/TypedDataSet" in u and "skip=" in u for u in slow_cbs.recordings.requests)
        return copy_running(url, "cbs_observation") if served_later_page else None

    child = start_cli(["cbs", table, "--no-validate"], env)
    pid = wait_until(streaming, "the observations streaming", proc=child)
    kill_tree(child)
    wait_backend_gone(url, pid)
    after_kill = batches_of(url, table)
    killed_rows = {t: raw_rows(url, t, [b[0] for b in after_kill])
                   for t in ("cbs_observation", "cbs_table_info", "cbs_data_property", "cbs_dimension_code")}
    state_after_kill = published_state(url)

    slow_cbs.slow = False
    cfg = Settings.from_env({**env, "HTTP_TIMEOUT_SECONDS": "20"})
    with connect(url) as conn:
        rerun = load_table(conn, cfg, table)
    after_rerun = batches_of(url, table)
    with psycopg.connect(url) as conn:
        expected = conn.execute("select row_count from audit.load_batch where batch_id = %s",
                                (rerun.batch_id,)).fetchone()[0]
    loaded = sum(raw_rows(url, t, [b[0] for b in after_rerun]) for t in killed_rows)
    earlier = [b for b in after_rerun if b[0] != rerun.batch_id]

    nothing_left = ([b[1] for b in after_kill] == ["loading"] and not any(killed_rows.values())
                    and state_after_kill == before)
    recovered = (rerun.status == "loaded" and loaded == expected == rerun.row_count > 0
                 and [(b[1], "abandoned" in (b[2] or "")) for b in earlier] == [("failed", True)])
    record("crash", "CBS load SIGKILLed while pages stream", handled=nothing_left and recovered,
           outcome=f"killed between pages (child exit {child.returncode}): batch left {after_kill[0][1]!r}, "
                   f"{sum(killed_rows.values())} raw rows, staging/marts "
                   f"{'unchanged' if state_after_kill == before else 'CHANGED'}; rerun {rerun.status} "
                   f"{rerun.row_count} rows, raw {loaded}, killed batch {earlier[0][1] if earlier else '?'}")

    assert child.returncode == -signal.SIGKILL
    assert [b[1] for b in after_kill] == ["loading"]
    assert killed_rows == dict.fromkeys(killed_rows, 0)
    assert state_after_kill == before
    assert rerun.status == "loaded" and loaded == expected == rerun.row_count > 0
    [(_, status, message)] = earlier
    assert status == "failed" and "abandoned" in message


# --- a run killed during validation (issue 20) ---------------------------------------------------------------------


def test_a_file_run_killed_during_validation_is_published_once_by_the_next_run(
    pg_server_url: str, tmp_path: Path
) -> None:
    """Killed after its batch was loaded and while it was being validated: the batch stays 'loaded' (nothing
    published), the file is 'unchanged' to the next run (the same bytes were loaded), and that run validates the
    left-over batch: the month is published exactly once, its rows in raw once. (A warehouse of its own: what it
    publishes would change the marts the transform test compares.)"""
    with throwaway_warehouse(pg_server_url, "pm_valkill") as url:
        _kill_during_validation(url, tmp_path, tmp_path / "local")


def _kill_during_validation(url: str, tmp_path: Path, local: Path) -> None:
    summary = generate_werkplein(tmp_path / "gen", scale=0.05, months=1, end="2024-03", seed=7, gemeentecode="0141")
    drop = tmp_path / "drop"
    path = file_variant(tmp_path / "gen" / "werkplein_uitkeringen_0141_202403.csv", drop / "werkplein", "valkill", 1)
    file_rows = summary["rows"]["uitkeringen"]
    env = child_env(url, drop, local)

    def loaded() -> bool:
        return [b[1] for b in batches_of(url, path.name)] == ["loaded"]

    child = start_cli(["files", "werkplein", str(path)], env)  # load, then validate, in one process
    wait_until(loaded, "the batch loaded and its validation begun", proc=child, interval=0.02)
    kill_tree(child)
    after_kill = batches_of(url, path.name)
    recorded_results = _validation_results(url, after_kill[0][0])

    rerun = subprocess.run([sys.executable, "-m", "ingestion", "files", "werkplein", str(path)], cwd=REPO_ROOT,
                           env=env, capture_output=True, text=True, timeout=600)
    [line] = [json.loads(text) for text in rerun.stdout.splitlines()]
    after_rerun = batches_of(url, path.name)
    published = [b[0] for b in after_rerun if b[1] == "published"]
    rows = raw_rows(url, "werkplein_uitkering", [b[0] for b in after_rerun])

    handled = (child.returncode == -signal.SIGKILL and [b[1] for b in after_kill] == ["loaded"]
               and rerun.returncode == 0 and line["status"] == "published"
               and published == [after_kill[0][0]] == [line["batch_id"]] and rows == file_rows)
    record("crash", "file run SIGKILLed during validation", handled=handled,
           outcome=f"killed with the batch {after_kill[0][1]!r} ({recorded_results} validation results recorded); "
                   f"next run: {line['status']} batch {line['batch_id']} ({line.get('reason')}); batches "
                   f"{[b[1] for b in after_rerun]}; raw {rows}/{file_rows} rows", rows_in=file_rows,
           rows_loaded=rows, rows_quarantined=line.get("rows_quarantined"))

    assert child.returncode == -signal.SIGKILL
    assert [b[1] for b in after_kill] == ["loaded"]  # not published: the marts cannot see it
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert line["status"] == "published" and line["batch_id"] == after_kill[0][0]
    assert "earlier run" in line["reason"]
    assert [b[1] for b in after_rerun] == ["published", "unchanged"]
    assert rows == file_rows  # loaded once, published once


def test_a_cbs_batch_left_loaded_is_validated_by_the_next_load(pg_server_url: str, tmp_path: Path) -> None:
    """A CBS load whose run stopped before validation: the next load finds the same content (unchanged) and the
    validation step publishes the left-over batch instead of passing over it."""
    from ingestion import pipeline

    with throwaway_warehouse(pg_server_url, "pm_valkill") as url:
        cfg = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                                 "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"),
                                 "DATA_DOCS_DIR": str(tmp_path / "data_docs")})
        left = pipeline.load_cbs_table("86003NED", cfg=cfg)  # the run stops here: never validated
        again = pipeline.load_cbs_table("86003NED", cfg=cfg)
        result = pipeline.validate_loaded_batch(again, cfg)
        statuses = [b[1] for b in batches_of(url, "86003NED")]
        handled = (left["status"] == "loaded" and again["status"] == "unchanged" and result["status"] == "published"
                   and result["batch_id"] == left["batch_id"] and statuses == ["published", "unchanged"])
        record("crash", "CBS batch left 'loaded' by a run that stopped before validation", handled=handled,
               outcome=f"next load {again['status']} (same as {again['duplicate_of']}); validation step "
                       f"{result['status']} batch {result['batch_id']}; batches {statuses}")
        assert left["status"] == "loaded" and again["status"] == "unchanged"
        assert again["duplicate_of"] == left["batch_id"]
        assert result["status"] == "published" and result["batch_id"] == left["batch_id"] and result["recovered"]
        assert statuses == ["published", "unchanged"]
        # A third load: nothing left to validate, nothing published twice.
        third = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=cfg), cfg)
        assert third["status"] == "unchanged" and "recovered" not in third


def test_two_files_of_the_same_bytes_in_one_run_are_not_taken_for_a_left_over_batch(
    pg_server_url: str, tmp_path: Path
) -> None:
    """The second of two identical files is 'unchanged' beside the first's batch of this very run: not a batch an
    earlier run left unvalidated, so it stays 'unchanged' while the first is published."""
    from ingestion import pipeline

    generate_werkplein(tmp_path / "gen", scale=0.05, months=1, end="2024-03", seed=7, gemeentecode="0141")
    drop = tmp_path / "drop"
    first = file_variant(tmp_path / "gen" / "werkplein_uitkeringen_0141_202403.csv", drop / "werkplein", "a", 0)
    (drop / "werkplein" / first.name.replace("_a.csv", "_b.csv")).write_bytes(first.read_bytes())
    with throwaway_warehouse(pg_server_url, "pm_twice") as url:
        cfg = file_settings(url, drop, tmp_path / "local")
        results = pipeline.validate_files(pipeline.load_files("werkplein", cfg=cfg), cfg)
    assert [(r["status"], "recovered" in r) for r in results] == [("published", False), ("unchanged", False)]


def _validation_results(url: str, batch_id: int) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("select count(*) from audit.validation_result where batch_id = %s",
                            (batch_id,)).fetchone()[0]


# --- the transform killed ----------------------------------------------------------------------------------------


def test_a_transform_killed_mid_build_leaves_the_marts_and_the_next_one_publishes(
    warehouse: tuple[str, Path], tmp_path: Path
) -> None:
    url, local = warehouse
    before = published_state(url)

    def building_marts() -> bool:
        # dbt is writing mart tables into the shadow schema (it builds them after staging and intermediate).
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'marts_shadow' and c.relkind = 'r'"
            ).fetchone()[0] >= 2

    env = child_env(url, tmp_path / "drop", local, SOURCE_MODE="recorded")
    child = start_cli(["transform"], env)
    wait_until(building_marts, "dbt building into marts_shadow", proc=child, interval=0.1)
    kill_tree(child)  # the CLI and its dbt child, as Airflow kills a task
    time.sleep(0.5)
    with psycopg.connect(url, autocommit=True) as conn:
        # The killed dbt's sessions end once the server notices; wait for them before looking.
        wait_until(lambda: conn.execute(
            "select count(*) = 0 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchone()[0], "the killed sessions to end", timeout=60)
    after_kill = published_state(url)

    cfg = Settings.from_env(env)
    run = build_and_publish(url, cfg)
    after = published_state(url)
    with psycopg.connect(url) as conn:
        shadow_left = conn.execute("select count(*) from pg_namespace where nspname = 'marts_shadow'").fetchone()[0]
    same_figures = {k: v for k, v in after["marts"].items() if k != "data_quality"} == {
        k: v for k, v in before["marts"].items() if k != "data_quality"}

    untouched = after_kill == before
    recovered = run.returncode == 0 and after["publications"] == before["publications"] + 1 and same_figures \
        and not shadow_left
    record("crash", "transform SIGKILLed mid-build", handled=untouched and recovered,
           outcome=f"killed with dbt writing marts_shadow: marts {'unchanged' if untouched else 'CHANGED'}, "
                   f"no publication; the next transform {'published' if recovered else 'did NOT publish'} "
                   f"({after['publications'] - before['publications']} new), the same figures, shadow schema gone")

    assert child.returncode == -signal.SIGKILL
    assert after_kill == before  # marts, staging and the publication record untouched
    assert run.returncode == 0 and after["publications"] == before["publications"] + 1
    assert same_figures and not shadow_left
