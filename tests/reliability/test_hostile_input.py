"""Hostile names and ids: SQL is built only with bound parameters or quoted identifiers, nothing is run through a
shell, and nothing is read or written outside the drop folder and its quarantine.

* CBS table ids with SQL, quotes, unicode or 20 000 characters, given to the CLI and the pipeline: refused with a
  clear message (not configured); configured ones reach the API and the audit only as data.
* File names with quotes, ``;``, ``$(...)``, backticks, newlines or ``..\\`` dropped into a drop folder: loaded under
  exactly that name, or rejected and moved into the quarantine folder; symbolic links (which could point anywhere)
  are refused unread; a quarantine folder that is a link does not carry files out of the drop folder. A name that
  is not valid UTF-8 (another code page's bytes) is rejected, recorded and moved under its escaped form (``\\xe9``),
  and the rest of the folder loads.
* The pseudonymisation key appears in no log line, CLI output, error message, audit record or settings repr.

Access (``bi_reader`` reads the marts and nothing else) is tested in tests/integration/test_access.py, which records
its cases in the ledger too. Every case here is recorded in the reliability ledger (tests/support/ledger.py) before its
assertions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.dev.recorded import RecordingServer, serve
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.files.drop import load_path
from ingestion.loader import LoadError
from ingestion.sources.cbs.tables import load_table
from ingestion.warehouse import connect
from tests.support.ledger import record
from tests.support.settings import LIVE

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
KEY = "hostile-test-pseudonym-key-0123456789"
SQL_ID = "x'; drop table raw.cbs_observation; --"
HOSTILE_IDS = {
    "sql": SQL_ID,
    "double quote": '"',
    "unicode": "８６００３ＮＥＤ\u202e😀",
    "very long": "86003NED" * 2500,
}


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingestion", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env})


def tables(url: str) -> dict[str, int]:
    """Every raw and audit table with its row count: what a hostile input must leave standing."""
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('raw', 'audit') and table_type = 'BASE TABLE' order by 1")]
        return {n: conn.execute(f"select count(*) from {n}").fetchone()[0] for n in names}  # noqa: S608


def repo_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True).stdout


def files_under(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (links: their target text) under ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = "link:" + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def werkplein_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    folder = tmp_path_factory.mktemp("hostile_werkplein")
    summary = generate_werkplein(folder, scale=0.05, months=1, end="2024-01", seed=17, gemeentecode="0141")
    return folder / "werkplein_uitkeringen_0141_202401.csv", summary["rows"]["uitkeringen"]


@pytest.fixture(scope="module")
def warehouse(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A warehouse with a CBS table loaded, so a dropped table or a changed row would show."""
    local = tmp_path_factory.mktemp("hostile_local")
    with throwaway_warehouse(pg_server_url, "pm_hostile") as url:
        cfg = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                                 "PROGRAMMAMONITOR_LOCAL_DIR": str(local)})
        with connect(url) as conn:
            assert load_table(conn, cfg, "86003NED").status == "loaded"
        yield url


# --- CBS table ids -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table_id", list(HOSTILE_IDS.values()), ids=list(HOSTILE_IDS))
def test_a_hostile_cbs_table_id_is_refused_by_the_cli_and_the_pipeline(
    warehouse: str, tmp_path: Path, table_id: str
) -> None:
    before = tables(warehouse)
    env = {"WAREHOUSE_URL": warehouse, "SOURCE_MODE": "recorded", "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path)}
    done = cli(["cbs", table_id], env)
    lines = done.stdout.strip().splitlines()
    said = json.loads(lines[-1]) if lines else {}
    cfg = Settings.from_env(env)
    try:
        pipeline.load_cbs_table(table_id, cfg=cfg)
        refused = None
    except LoadError as exc:
        refused = str(exc)
    after = tables(warehouse)
    name = next(k for k, v in HOSTILE_IDS.items() if v == table_id)

    clear = (done.returncode == 1 and said.get("status") == "failed" and said.get("source_ref") == table_id
             and "is not configured" in said.get("message", "") and "Traceback" not in done.stderr)
    handled = clear and refused is not None and "is not configured" in refused and after == before
    record("hostile", f"CBS table id: {name}", handled=handled,
           outcome=f"CLI exit {done.returncode}, {said.get('status')!r}: "
                   f"{(said.get('message') or done.stderr)[:60]!r}...; pipeline raised "
                   f"{'a clear LoadError' if refused else 'NOTHING'}; "
                   f"tables {'intact' if after == before else 'CHANGED'}")

    assert clear, (done.returncode, done.stdout[-500:], done.stderr[-1500:])
    assert refused is not None and "is not configured" in refused
    assert after == before  # no table dropped, no batch registered, no row changed


def test_a_nul_in_a_cbs_table_id_is_refused_by_the_pipeline(warehouse: str, tmp_path: Path) -> None:
    """The command line cannot carry a NUL; the pipeline (called by the DAG) can."""
    before = tables(warehouse)
    cfg = Settings.from_env({"WAREHOUSE_URL": warehouse, "SOURCE_MODE": "recorded"})
    with pytest.raises(LoadError) as refused:
        pipeline.load_cbs_table("86003NED\x00; drop table raw.cbs_observation", cfg=cfg)
    after = tables(warehouse)
    record("hostile", "CBS table id: NUL byte (pipeline)", handled="is not configured" in str(refused.value)
           and after == before, outcome=f"LoadError: {str(refused.value)[:70]!r}...; tables "
                                        f"{'intact' if after == before else 'CHANGED'}")
    assert "is not configured" in str(refused.value)
    assert after == before


@pytest.fixture
def cbs_server() -> Iterator[RecordingServer]:
    server = serve(RECORDINGS, page_size=100)
    yield server
    server.shutdown()


@pytest.mark.parametrize("table_id", [SQL_ID, '"', "８６００３ＮＥＤ\u202e😀"], ids=["sql", "double quote", "unicode"])
def test_a_configured_hostile_table_id_reaches_the_api_and_the_audit_only_as_data(
    warehouse: str, tmp_path: Path, cbs_server: RecordingServer, table_id: str
) -> None:
    """Were such an id in cbs_tables.yml, it would travel as a URL path segment and a bound parameter: the API
    answers 404, the batch is recorded as failed under exactly that id, and no table changes."""
    catalogue = yaml.safe_load((PACKAGE_DIR / "config" / "cbs_tables.yml").read_text(encoding="utf-8"))
    measures = {"A_1": {"measure": "a", "kind": "count"}}
    catalogue["series"] = {"hostile": {"api": "v3", "regions": ["GM0141"], "period_grain": "year",
                                       "editions": {table_id: {"measures": measures}}}}
    tables_file = tmp_path / "cbs_tables.yml"
    tables_file.write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    cfg = Settings.from_env({"WAREHOUSE_URL": warehouse, **LIVE, "CBS_ODATA_URL": cbs_server.base_url,
                             "CBS_TABLES_FILE": str(tables_file), "HTTP_RETRIES": "0", "HTTP_BACKOFF_SECONDS": "0"})
    before = {k: v for k, v in tables(warehouse).items() if k != "audit.load_batch"}
    with pytest.raises(LoadError) as failed:
        pipeline.load_cbs_table(table_id, cfg=cfg)
    with psycopg.connect(warehouse) as conn:
        batch = conn.execute("select source_ref, status, message from audit.load_batch where source_ref = %s",
                             (table_id,)).fetchall()
    after = {k: v for k, v in tables(warehouse).items() if k != "audit.load_batch"}

    handled = "not found" in str(failed.value) and [b[:2] for b in batch] == [(table_id, "failed")] and after == before
    record("hostile", f"configured CBS table id: {table_id[:12]!r}", handled=handled,
           outcome=f"API 404 -> batch recorded {[b[1] for b in batch]} under the exact id; "
                   f"tables {'intact' if after == before else 'CHANGED'}")
    assert "not found" in str(failed.value)
    assert [b[:2] for b in batch] == [(table_id, "failed")]
    assert after == before


# --- file names ----------------------------------------------------------------------------------------------------

STEM = "werkplein_uitkeringen_0141_202401"
LOADED_NAMES = {
    "sql in the name": f"{STEM}_'; truncate raw_werkplein_uitkering cascade; --.csv",
    "double quotes": f'{STEM}_"dubbel".csv',
    "command substitution": f"{STEM}_$(touch PWNED).csv",
    "backticks": f"{STEM}_`touch PWNED2`.csv",
    "newline": f"{STEM}_regel\nbreuk.csv",
}
REJECTED_NAMES = {
    "backslash traversal": f"a\\..\\..\\{STEM}.csv",
    "shell in a foreign name": "x; rm -rf ~ $(touch PWNED3).csv",
}
HIDDEN_NAME = f"..\\..\\{STEM}.csv"


def test_hostile_file_names_load_as_data_or_are_quarantined_and_nothing_runs(
    warehouse: str, werkplein_month: tuple[Path, int], tmp_path: Path
) -> None:
    source, rows = werkplein_month
    drop = tmp_path / "drop"
    folder = drop / "werkplein"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(f"PSEUDONYM_KEY={KEY};BI_LOGIN_PASSWORD=hunter2\r\n1;2\r\n")
    shutil.copy(source, outside / f"{STEM}.csv")  # a good export, but not in the drop folder
    # Other bytes each (blank lines, which the reader skips): no file is a re-delivery of another.
    for extra, name in enumerate([*LOADED_NAMES.values(), *REJECTED_NAMES.values(), HIDDEN_NAME], start=1):
        (folder / name).write_bytes(source.read_bytes() + b"\r\n" * extra)
    links = {"link to a secret": f"{STEM}_env.csv", "link to an export outside": f"{STEM}_buiten.csv"}
    (folder / links["link to a secret"]).symlink_to(outside / "secret.env")
    (folder / links["link to an export outside"]).symlink_to(outside / f"{STEM}.csv")
    before_tables, before_outside, before_repo = tables(warehouse), files_under(outside), repo_status()

    done = cli(["files", "werkplein", "--no-validate"],
               {"WAREHOUSE_URL": warehouse, "PSEUDONYM_KEY": KEY, **LIVE, "DROP_DIR": str(drop)})
    outcomes = {o["file"]: o for o in map(json.loads, done.stdout.strip().splitlines())}
    after_tables = tables(warehouse)
    with psycopg.connect(warehouse) as conn:
        audit = dict(conn.execute("select source_ref, status from audit.load_batch where source = 'werkplein'"))
        stored = " ".join(r[0] or "" for r in conn.execute(
            "select message from audit.load_batch union all select reason from audit.quarantine"))
    pwned = [p for p in (REPO_ROOT, tmp_path, Path.cwd(), Path("/tmp")) for n in ("PWNED", "PWNED2", "PWNED3")
             if (p / n).exists()]
    quarantine = folder / "quarantine"
    # Loaded files stay in the drop folder, rejected ones go to its quarantine/; nothing may appear anywhere else.
    strays = [str(p) for p in tmp_path.rglob("*") if not p.is_relative_to(drop) and not p.is_relative_to(outside)]
    strays += [str(p) for p in drop.rglob("*") if p.parent not in (drop, folder, quarantine)]

    cases = {}
    for label, name in LOADED_NAMES.items():
        o = outcomes.get(name, {})
        cases[label] = (o.get("status") == "loaded" and o.get("rows_loaded") == rows and audit.get(name) == "loaded",
                        f"loaded under its exact name: {o.get('status')} {o.get('rows_loaded')}/{rows} rows")
    for label, name in {**REJECTED_NAMES, **links}.items():
        o = outcomes.get(name, {})
        moved = not (folder / name).exists() and not (folder / name).is_symlink()
        in_quarantine = [p for p in quarantine.iterdir() if p.name.endswith(name)] if quarantine.is_dir() else []
        cases[label] = (o.get("status") == "rejected" and moved and len(in_quarantine) == 1
                        and in_quarantine[0].parent == quarantine,
                        f"rejected ({(o.get('reason') or '')[len(name):][:70]!r}...), moved into quarantine/")
    hidden = outcomes.get(HIDDEN_NAME, {"status": "ignored"})
    cases["hidden backslash traversal"] = (hidden["status"] == "ignored" and (folder / HIDDEN_NAME).is_file()
                                           and HIDDEN_NAME not in audit,
                                           "ignored like every name starting with '.' (a hidden file); left in place")
    nothing_ran = not pwned and repo_status() == before_repo
    contained = files_under(outside) == before_outside and not strays
    secret_kept = "hunter2" not in stored + done.stdout + done.stderr and KEY not in stored + done.stdout + done.stderr
    tables_intact = set(after_tables) == set(before_tables) and after_tables["raw.werkplein_uitkering"] == \
        before_tables["raw.werkplein_uitkering"] + rows * len(LOADED_NAMES)
    for label, (ok, outcome) in cases.items():
        handled = ok and nothing_ran and contained and tables_intact and (secret_kept or "link" not in label)
        record("hostile", f"file name: {label}", handled=handled,
               outcome=f"{outcome}; {'nothing executed' if nothing_ran else 'SOMETHING RAN'}, "
                       f"{'nothing read or written outside' if contained and secret_kept else 'OUTSIDE TOUCHED'}")

    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert {label: ok for label, (ok, _) in cases.items()} == dict.fromkeys(cases, True), outcomes
    assert nothing_ran, pwned
    assert contained, (strays, files_under(outside))
    assert secret_kept, "a linked file's content reached the audit or the output"
    assert tables_intact


def test_a_quarantine_folder_that_is_a_link_does_not_carry_files_out(
    warehouse: str, werkplein_month: tuple[Path, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source, _ = werkplein_month
    folder = tmp_path / "drop" / "werkplein"
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "quarantine").symlink_to(elsewhere, target_is_directory=True)
    bad = folder / "not_a_werkplein_name.csv"
    bad.write_bytes(source.read_bytes() + b"\r\n" * 40)
    cfg = Settings.from_env({"WAREHOUSE_URL": warehouse, "PSEUDONYM_KEY": KEY, **LIVE,
                             "DROP_DIR": str(tmp_path / "drop")})
    with caplog.at_level(logging.WARNING), connect(warehouse) as conn:
        [outcome] = load_path(conn, cfg, "werkplein")
    written = files_under(elsewhere)

    handled = outcome.status == "rejected" and not written and bad.is_file()
    record("hostile", "quarantine folder is a link out of the drop folder", handled=handled,
           outcome=f"{outcome.status}; {'nothing moved through the link, the file stays' if handled else written}")
    assert outcome.status == "rejected" and outcome.quarantine_path is None
    assert not written
    assert bad.is_file()
    assert "quarantine" in caplog.text and "link" in caplog.text


# A name written by a system with another code page: Windows-1252's é is the byte \xe9, not UTF-8. Python hands it
# over with a lone surrogate in its place (os.fsdecode); the load stores and prints it escaped, as \xe9.
NOT_UTF8_NAME = b"werkplein_uitkeringen_0141_202401_\xe9.csv"
NOT_UTF8_SHOWN = "werkplein_uitkeringen_0141_202401_\\xe9.csv"


def test_a_file_name_that_is_not_utf8_is_rejected_and_the_rest_of_the_folder_loads(
    warehouse: str, werkplein_month: tuple[Path, int], tmp_path: Path
) -> None:
    source, rows = werkplein_month
    drop = tmp_path / "drop"
    folder = drop / "werkplein"
    folder.mkdir(parents=True)
    # Good files before and after the bad one in name order (other bytes each: no re-delivery of another).
    good = [f"{STEM}.csv", f"{STEM}_z.csv"]
    for extra, name in enumerate(good, start=1):
        (folder / name).write_bytes(source.read_bytes() + b"\r\n" * (70 + extra))
    bad = folder / os.fsdecode(NOT_UTF8_NAME)
    bad.write_bytes(source.read_bytes() + b"\r\n" * 70)
    env = {"WAREHOUSE_URL": warehouse, "PSEUDONYM_KEY": KEY, **LIVE, "DROP_DIR": str(drop)}
    cfg = Settings.from_env(env)
    waiting = pipeline.new_files("werkplein", cfg)  # what the drop-folder sensor sees (and sends through XCom)

    done = cli(["files", "werkplein", "--no-validate"], env)
    outcomes = {o["file"]: o for o in map(json.loads, done.stdout.strip().splitlines())}
    with psycopg.connect(warehouse) as conn:
        batch = conn.execute("select status, message from audit.load_batch where source_ref = %s",
                             (NOT_UTF8_SHOWN,)).fetchall()
        quarantined = conn.execute("select file_name, reason, quarantine_path from audit.quarantine q"
                                   " join audit.load_batch b using (batch_id) where b.source_ref = %s",
                                   (NOT_UTF8_SHOWN,)).fetchall()
    said = outcomes.get(NOT_UTF8_SHOWN, {})
    moved_to = Path(quarantined[0][2]) if quarantined and quarantined[0][2] else None
    left = pipeline.new_files("werkplein", cfg)

    others_loaded = all(outcomes.get(n, {}).get("status") == "loaded" and outcomes[n]["rows_loaded"] == rows
                        for n in good)
    rejected = (said.get("status") == "rejected" and "not valid UTF-8" in said.get("reason", "")
                and "rename" in said.get("reason", "") and [b[0] for b in batch] == ["rejected"])
    moved = (not bad.exists() and moved_to is not None and moved_to.is_file()
             and moved_to == folder / "quarantine" / f"{said.get('batch_id')}_{NOT_UTF8_SHOWN}"
             and [q[0] for q in quarantined] == [NOT_UTF8_SHOWN])
    clear = done.returncode == 1 and "Traceback" not in done.stderr and "codec" not in done.stderr
    handled = others_loaded and rejected and moved and clear
    record("hostile", "file name: not UTF-8 (another code page)", handled=handled,
           outcome=f"rejected, recorded as {NOT_UTF8_SHOWN} "
                   f"('{(said.get('reason') or '')[len(NOT_UTF8_SHOWN) + 2:][:40]}...'), moved into quarantine/; "
                   f"the {len(good)} other files "
                   f"{'loaded' if others_loaded else 'NOT LOADED'}")

    assert sorted(waiting) == sorted([*good, NOT_UTF8_SHOWN])
    assert clear, (done.returncode, done.stderr[-2000:])
    assert others_loaded, outcomes
    assert rejected, (said, batch)
    assert moved, (quarantined, sorted(p.name for p in folder.rglob("*")))
    assert left == []  # the good files are loaded, the bad one is gone: nothing new for the sensor


def test_a_handmatig_file_name_that_is_not_utf8_is_rejected_in_process(warehouse: str, tmp_path: Path) -> None:
    """The same through the Python API the DAG task calls: outcomes, not an encoding error that names no file."""
    sample = PACKAGE_DIR / "dev" / "samples" / "handmatig" / "handmatig_programmas_20240601.csv"
    folder = tmp_path / "drop" / "handmatig"
    folder.mkdir(parents=True)
    bad = folder / os.fsdecode(b"handmatig_programmas_20240602_\xe9t\xe9.csv")
    bad.write_bytes(sample.read_bytes() + b"\n" * 3)
    good = folder / "handmatig_programmas_20240603.csv"
    good.write_bytes(sample.read_bytes() + b"\n" * 4)
    cfg = Settings.from_env({"WAREHOUSE_URL": warehouse, **LIVE, "DROP_DIR": str(tmp_path / "drop")})
    outcomes = {o["file"]: o for o in pipeline.load_files("handmatig", cfg=cfg)}
    shown = "handmatig_programmas_20240602_\\xe9t\\xe9.csv"

    handled = (outcomes.get(good.name, {}).get("status") == "loaded"
               and outcomes.get(shown, {}).get("status") == "rejected" and not bad.exists()
               and "not valid UTF-8" in outcomes[shown]["reason"])
    record("hostile", "file name: not UTF-8 (handmatig, in process)", handled=handled,
           outcome="; ".join(f"{n}: {o['status']}" for n, o in sorted(outcomes.items())))
    assert outcomes[good.name]["status"] == "loaded"
    assert outcomes[shown]["status"] == "rejected" and "not valid UTF-8" in outcomes[shown]["reason"]
    assert Path(outcomes[shown]["quarantine_path"]).is_file() and not bad.exists()
    json.dumps(list(outcomes.values()), ensure_ascii=False).encode("utf-8")  # what XCom and the CLI print: encodable


# --- the pseudonymisation key --------------------------------------------------------------------------------------


def test_the_pseudonymisation_key_is_never_logged_printed_or_stored(
    warehouse: str, werkplein_month: tuple[Path, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source, _ = werkplein_month
    key = "RECOGNISABLE-PSEUDONYM-KEY-7f3a9c1e"
    text = source.read_bytes()
    lines = text.split(b"\r\n")
    lines[2] = b"x" + lines[2]  # a bad row (peildatum not a date): quarantined, logged as a warning

    def drop_files(drop: Path, tag: str, blank_lines: int) -> None:
        """A good file, one with a bad row, one without a header row (rejected); bytes not loaded before."""
        folder = drop / "werkplein"
        folder.mkdir(parents=True)
        tail = b"\r\n" * blank_lines
        (folder / f"{STEM}_{tag}.csv").write_bytes(text + tail)
        (folder / f"{STEM}_{tag}_bad_row.csv").write_bytes(b"\r\n".join(lines) + tail)
        (folder / f"{STEM}_{tag}_no_header.csv").write_bytes(b"\r\n".join(lines[1:]) + tail)

    drop, cli_drop = tmp_path / "drop", tmp_path / "cli_drop"
    drop_files(drop, "key", 50)
    drop_files(cli_drop, "key_cli", 60)
    cfg = Settings.from_env({"WAREHOUSE_URL": warehouse, "PSEUDONYM_KEY": key, **LIVE,
                             "DROP_DIR": str(drop), "DATA_DOCS_DIR": str(tmp_path / "docs")})
    caplog.set_level(logging.DEBUG)
    with connect(warehouse) as conn:
        in_process = load_path(conn, cfg, "werkplein")

    env = {"WAREHOUSE_URL": warehouse, "PSEUDONYM_KEY": key, **LIVE, "DROP_DIR": str(cli_drop),
           "DATA_DOCS_DIR": str(tmp_path / "docs"), "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")}
    done = cli(["-v", "files", "werkplein", "--no-validate"], env)
    short = cli(["-v", "files", "werkplein", "--no-validate"], {**env, "PSEUDONYM_KEY": key[:12]})  # too short: refused
    with psycopg.connect(warehouse) as conn:
        stored = conn.execute(
            "select coalesce(string_agg(concat_ws(' ', request_params::text, message, checksum), ' '), '')"
            " from audit.load_batch").fetchone()[0]
        stored += conn.execute("select coalesce(string_agg(concat_ws(' ', reason, value, record::text), ' '), '')"
                               " from audit.quarantine").fetchone()[0]
    places = {"log records (DEBUG)": caplog.text, "CLI stdout": done.stdout, "CLI stderr (-v)": done.stderr,
              "refusal of a short key": short.stdout + short.stderr, "audit tables": stored, "settings repr": repr(cfg)}
    leaked = [where for where, found in places.items() if key in found or key[:12] in found]
    statuses = sorted(o.status for o in in_process)

    handled = not leaked and statuses == ["loaded", "loaded", "rejected"] and done.returncode == 1 \
        and short.returncode == 2
    record("hostile", "pseudonymisation key in logs, output, errors, audit", handled=handled,
           outcome=f"loads {statuses} in process and by the CLI (-v), a short key refused: "
                   f"{'the key appears nowhere' if not leaked else 'LEAKED in ' + ', '.join(leaked)}")
    assert not leaked, leaked
    assert statuses == ["loaded", "loaded", "rejected"]
    assert done.returncode == 1  # the rejected file
    assert short.returncode == 2 and "PSEUDONYM_KEY is 12 characters" in short.stderr
