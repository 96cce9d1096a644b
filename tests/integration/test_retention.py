"""Raw retention: old failed, rejected and superseded batches go; whatever a mart value or staging still reads stays;
the marts rebuilt afterwards are the same; a second run finds nothing; a dry run changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.operator.retention import apply_retention
from ingestion.transform import build_and_publish
from tests.support.marts import marts_snapshot
from tests.support.recordings import break_recording

SAMPLE = PACKAGE_DIR / "dev" / "samples" / "handmatig" / "handmatig_programmas_20240601.csv"


def settings_for(url: str, tmp: Path, **extra: str) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded",
                              "CBS_RECORDINGS_DIR": str(tmp / "recordings"), "DROP_DIR": str(tmp / "drop"),
                              "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp / "local"),
                              "DATA_DOCS_DIR": str(tmp / "data_docs"), **extra})


def batches(url: str) -> dict[int, tuple[str, str, str, object]]:
    with psycopg.connect(url) as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "select batch_id, source, source_ref, status, purged_at from audit.load_batch order by batch_id")}


def raw_rows(url: str, batch_id: int) -> int:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'raw' and column_name = 'batch_id'")]
        return sum(conn.execute(f"select count(*) from raw.{t} where batch_id = %s", (batch_id,)).fetchone()[0]  # noqa: S608
                   for t in tables) + conn.execute(
            "select count(*) from audit.quarantine where batch_id = %s", (batch_id,)).fetchone()[0]


@pytest.fixture(scope="module")
def aged_warehouse(pg_server_url: str, tmp_path_factory):
    """CBS 86003NED loaded three times (A; B a new release, only the provisional periods; C a full reload that
    supersedes both), a handmatig onderwerp delivered twice (H1 replaced by H2) and a rejected file; the marts
    built; then every batch made two years old."""
    tmp = tmp_path_factory.mktemp("retention")
    shutil.copytree(PACKAGE_DIR / "dev" / "recordings" / "cbs", tmp / "recordings")
    with throwaway_warehouse(pg_server_url, "pm_retention") as url:
        cfg = settings_for(url, tmp)
        ids = {}
        ids["A"] = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=cfg), cfg)["batch_id"]
        break_recording(tmp / "recordings")  # a new release: Modified moves
        ids["B"] = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=cfg), cfg)["batch_id"]
        ids["C"] = pipeline.validate_loaded_batch(
            pipeline.load_cbs_table("86003NED", full=True, cfg=cfg), cfg)["batch_id"]
        drop = tmp / "drop" / "handmatig"
        drop.mkdir(parents=True)
        first = drop / SAMPLE.name
        shutil.copy(SAMPLE, first)
        ids["H1"] = pipeline.validate_files(pipeline.load_files("handmatig", str(first), cfg=cfg), cfg)[0]["batch_id"]
        corrected = drop / "handmatig_programmas_20240901.csv"
        corrected.write_text(SAMPLE.read_text(encoding="utf-8").replace(";4,8;", ";4,9;"), encoding="utf-8")
        ids["H2"] = pipeline.validate_files(pipeline.load_files("handmatig", str(corrected), cfg=cfg), cfg)[0][
            "batch_id"]
        broken = drop / "handmatig_kapot_20240601.csv"
        broken.write_text("dit;is;geen;indicatorbestand\n1;2;3;4\n", encoding="utf-8")
        rejected = pipeline.load_files("handmatig", str(broken), cfg=cfg)[0]
        assert rejected["status"] == "rejected", rejected
        ids["R"] = rejected["batch_id"]
        states = batches(url)
        assert [states[ids[k]][2] for k in ("A", "B", "C", "H1", "H2", "R")] == [
            "published"] * 5 + ["rejected"], states
        build_and_publish(url, cfg)
        with psycopg.connect(url) as conn:
            conn.execute("update audit.load_batch set started_at = started_at - interval '2 years'")
            conn.execute("update audit.quarantine set quarantined_at = quarantined_at - interval '2 years'")
        yield url, cfg, ids, tmp


def test_retention_off_by_default_keeps_everything(aged_warehouse) -> None:
    url, cfg, _, _ = aged_warehouse
    report = apply_retention(url, cfg)
    assert report.cutoff is None and report.batches == [] and "off" in report.lines()[0]


def test_dry_run_lists_and_changes_nothing(aged_warehouse, tmp_path: Path) -> None:
    url, _, ids, tmp = aged_warehouse
    before = {k: raw_rows(url, i) for k, i in ids.items()}
    done = subprocess.run(
        [sys.executable, "-m", "ingestion", "retention", "--dry-run"], capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "RAW_RETENTION_MONTHS": "12",
             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path), "DATA_DOCS_DIR": str(tmp / "data_docs")})
    assert done.returncode == 0, done.stderr
    listed = {int(line.split()[1]) for line in done.stdout.splitlines() if line.strip().startswith("batch")}
    assert listed == {ids["A"], ids["B"], ids["H1"], ids["R"]}, done.stdout
    assert "would purge 4" in done.stdout
    assert {k: raw_rows(url, i) for k, i in ids.items()} == before
    # RAW_RETENTION_KEEP=published: only the batches that never published go.
    keep_published = settings_for(url, tmp, RAW_RETENTION_MONTHS="12", RAW_RETENTION_KEEP="published")
    assert {b.batch_id for b in apply_retention(url, keep_published, dry_run=True).batches} == {ids["R"]}


def test_purge_keeps_what_is_read_and_the_marts_stay_the_same(aged_warehouse) -> None:
    url, cfg, ids, tmp = aged_warehouse
    marts_before = marts_snapshot(url)
    quarantined = list((tmp / "drop" / "handmatig" / "quarantine").iterdir())
    assert quarantined, "the rejected file should lie in quarantine/"
    kept_rows = {k: raw_rows(url, ids[k]) for k in ("C", "H2")}
    with psycopg.connect(url) as conn:
        pointed = {r[0] for r in conn.execute("select distinct batch_id from marts.fct_indicator_value")}
    assert ids["C"] in pointed and ids["H2"] in pointed  # old, but mart values point to them

    # Data Docs: the validation results of the first loads made old, the last one's left as it is.
    results = sorted((p for p in (tmp / "data_docs" / "results").rglob("*.json") if p.is_file()),
                     key=lambda p: p.stat().st_mtime)
    assert len(results) >= 2 and (tmp / "data_docs" / "site" / "index.html").exists()
    old_results, recent = results[:-1], results[-1]
    aged = time.time() - 2 * 365 * 86400
    for path in old_results:
        os.utime(path, (aged, aged))

    policy = settings_for(url, tmp, RAW_RETENTION_MONTHS="12")
    report = apply_retention(url, policy)
    assert sorted(report.data_docs_files) == sorted(map(str, old_results))
    assert recent.exists() and not any(p.exists() for p in old_results)
    assert (tmp / "data_docs" / "site" / "index.html").exists()
    assert {b.batch_id for b in report.batches} == {ids["A"], ids["B"], ids["H1"], ids["R"]}
    states = batches(url)
    for key in ("A", "B", "H1", "R"):
        assert raw_rows(url, ids[key]) == 0 and states[ids[key]][3] is not None, key
    assert states[ids["A"]][2] == "published" and states[ids["R"]][2] == "rejected"  # what they were stays
    assert {k: raw_rows(url, ids[k]) for k in ("C", "H2")} == kept_rows
    assert states[ids["C"]][3] is None and states[ids["H2"]][3] is None
    assert not any(p.exists() for p in quarantined)  # the rejected file's copy in quarantine/ went with it
    with psycopg.connect(url) as conn:
        logged = dict(conn.execute("select batch_id, reason from audit.retention_purge").fetchall())
        removed = conn.execute("select rows_removed from audit.retention_purge where batch_id = %s",
                               (ids["A"],)).fetchone()[0]
    assert logged == {ids["A"]: "superseded (published)", ids["B"]: "superseded (published)",
                      ids["H1"]: "superseded (published)", ids["R"]: "rejected"}
    assert removed["raw.cbs_observation"] > 0

    # Idempotent: nothing more to do.
    assert apply_retention(url, policy).batches == []
    # The marts rebuilt from what is left are the marts from before.
    build_and_publish(url, cfg)
    assert marts_snapshot(url) == marts_before
