"""`make bench` at quick sizes: every benchmark runs, prints each figure beside its baseline, writes the JSON.
(The figures themselves are not asserted: speed is measured by the benchmark, not by timed tests.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import refresh
from bench.isolated import PROJECT_ROOT


def test_quick_bench_prints_every_figure_with_its_baseline(pg_server_url: str, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "werkplein,dags", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_URL": pg_server_url},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["machine"]["cores"] and report["machine"]["postgresql"]
    results = report["results"]
    variants = {r["variant"] for r in results if r["group"] == "werkplein_ingest"}
    assert {"bare COPY, untyped (limit)", "loader (typed, pseudonymised)", "pandas read_csv + to_sql"} <= variants
    # Every figure that is not itself a baseline names the baseline it is compared with, measured in this run.
    for row in results:
        if row["variant"] != "bare COPY, untyped (limit)":
            assert row["baseline"] and row["ratio"] is not None, row
        assert row["seconds"] >= 0 and (row["peak_rss_mb"] or 0) > 0, row
    loads = [r for r in results if r["variant"].startswith("loader (")]
    assert [r["rows"] for r in loads] == sorted(r["rows"] for r in loads) and loads[0]["rows"] > 0
    dag_files = {r["case"] for r in results if r["group"] == "dag_import"}
    assert dag_files == {p.name for p in (PROJECT_ROOT / "dags").glob("*.py")}
    assert "## werkplein_ingest" in done.stdout and "## dag_import" in done.stdout and "Targets:" in done.stdout


def test_refresh_bench_full_no_change_and_incremental_nights(pg_server_url: str, tmp_path: Path) -> None:
    rows = refresh.measure_all(pg_server_url, tmp_path, quick=True, progress=lambda _: None)
    nights = {r["variant"]: r for r in rows if r["group"] == "refresh"}
    assert "full build" in nights["full night"]["note"]
    assert "data_quality only (nothing new since" in nights["no-change night"]["note"]
    assert "full build (new published batches" in nights["incremental night (1 new month)"]["note"]
    assert nights["no-change night"]["seconds"] < nights["full night"]["seconds"]
    assert nights["incremental night (1 new month)"]["rows"] > 0  # the new month's rows were published
    layers = {r["case"] for r in rows if r["group"] == "dbt_layers"}
    assert {"seeds", "staging", "intermediate", "marts", "data tests"} <= layers
    assert "unit tests" not in layers  # the nightly build leaves dbt's unit tests to development and CI


def test_xlsx_reader_bench_reads_the_same_rows_before_and_now(tmp_path: Path) -> None:
    from bench import xlsx_reader

    rows = xlsx_reader.measure_all("", tmp_path, quick=True, progress=lambda _: None)
    assert {r["group"] for r in rows} == {"xlsx_reader"} and len(rows) == 4  # plain and percent-styled, 2 readers
    for before, now in zip(rows[::2], rows[1::2], strict=True):
        assert before["variant"] == "openpyxl read-only (before)" and before["baseline"] is None
        assert now["baseline"] == before["variant"] and now["ratio"] is not None
        assert now["rows"] == before["rows"] > 0
