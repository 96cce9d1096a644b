"""Werkplein ingest and its validation, at scale 1, 10, 100 and 1 M rows (the generator's scale: 1 = Almelo's
caseload; 1 M rows is scale 375).

Per scale one month of generated exports; the measured file is the uitkeringen export (the largest, with BSNs).
Four ways to land the same bytes, each in a child process of its own (bench.isolated):

- the project's loader (``ingestion.files.drop``): decode, parse, type every cell, pseudonymise BSNs, reduce birth
  dates and postcodes, row numbers and batch lineage, quarantine, ``COPY`` into ``raw.werkplein_uitkering``;
- bare ``COPY ... (format csv)`` of the file's bytes into a table of text columns: the physical limit of getting
  these bytes into PostgreSQL (no typing, no privacy, nothing checked);
- ``COPY`` of the loader's own typed rows (as CSV, read back from the raw table) into a table like the raw one: the
  limit for typed rows with the raw table's key, the server's share of the loader's work;
- ``pandas.read_csv`` + ``DataFrame.to_sql``: what a data engineer writes by default (and it lands clear BSNs).

Then the batch's validation (its GX suite, pushed down as SQL) against its own load time, and the whole
``files`` command (load + validation) against bare COPY.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.isolated import measure, rows_row

SCALES = (1, 10, 100, 375)  # 375: 1 M rows
QUICK_SCALES = (0.2, 1)
MONTH = "2024-11"  # November's export is UTF-8 CSV with ';' (generate.dialect_for_month): what COPY can read
LOADER_TARGET = 0.40  # of bare COPY's rows/s, on the largest file
FILES_TARGET = 0.25  # the whole files command (load + validation), of bare COPY's rows/s
VALIDATION_TARGET = 0.50  # of the batch's load time


def generate(workdir: Path, scale: float) -> Path:
    """One month of exports at ``scale``; returns the uitkeringen file."""
    from ingestion.dev.generate import generate_werkplein

    folder = workdir / f"werkplein_scale_{scale:g}"
    if not any(folder.glob("werkplein_uitkeringen_*.csv")):
        generate_werkplein(folder, scale=scale, months=1, end=MONTH, seed=141, gemeentecode="0141")
    return next(folder.glob("werkplein_uitkeringen_*.csv"))


def _settings(url: str, local_dir: str) -> Any:
    from ingestion.config import Settings

    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "PROGRAMMAMONITOR_LOCAL_DIR": local_dir})


# --- measured in a child process each ---------------------------------------------------------------------------


def load_with_loader(url: str, path: str, local_dir: str) -> dict[str, Any]:
    from ingestion.files.drop import load_path
    from ingestion.warehouse import connect

    cfg = _settings(url, local_dir)
    with connect(url) as conn:
        started = time.perf_counter()
        (outcome,) = load_path(conn, cfg, "werkplein", Path(path))
        conn.commit()
        seconds = time.perf_counter() - started
    if outcome.status != "loaded":
        raise RuntimeError(f"{path}: {outcome.status} ({outcome.reason})")
    return {"rows": outcome.rows_loaded, "seconds": seconds, "batch_id": outcome.batch_id}


def validate(url: str, batch_id: int, local_dir: str) -> dict[str, Any]:
    import os

    from ingestion.validation import Validator, validate_batch

    os.environ.setdefault("DATA_DOCS_DIR", str(Path(local_dir) / "data_docs"))
    validator = Validator(Path(local_dir) / "data_docs")  # the docs site is rendered once per task, not timed here
    started = time.perf_counter()
    outcome = validate_batch(url, batch_id, validator=validator)
    seconds = time.perf_counter() - started
    if not outcome.success:
        raise RuntimeError(f"batch {batch_id} failed validation: {outcome.failures}")
    return {"rows": outcome.evaluated, "seconds": seconds}


def _timed_copy(conn: Any, table: str, statement: str, source: Any) -> dict[str, Any]:
    """COPY ``source`` (a binary file) into the new ``table`` with ``statement``; timed, counted, dropped."""
    started = time.perf_counter()
    with conn.cursor() as cur, cur.copy(statement) as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    conn.commit()
    seconds = time.perf_counter() - started
    rows = conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - the bench's own table
    conn.execute(f"drop table {table}")
    conn.commit()
    return {"rows": rows, "seconds": seconds}


def bare_copy(url: str, path: str) -> dict[str, Any]:
    from ingestion.warehouse import connect

    file = Path(path)
    with file.open(encoding="utf-8-sig") as f:
        header = f.readline().rstrip("\r\n").split(";")
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with connect(url) as conn, file.open("rb") as source:
        conn.execute(f"create table public.bench_untyped ({columns})")  # noqa: S608 - column count only
        return _timed_copy(conn, "public.bench_untyped", "copy public.bench_untyped from stdin"
                           " (format csv, header true, delimiter ';', encoding 'UTF8')", source)


def typed_copy(url: str, batch_id: int) -> dict[str, Any]:
    """COPY of the loader's typed rows of ``batch_id`` into a table like raw.werkplein_uitkering (its key, no
    trigger): what the server spends on typed rows, whatever produces them."""
    import tempfile

    from ingestion.warehouse import connect

    with connect(url) as conn, tempfile.TemporaryFile() as rows:
        with conn.cursor() as cur, cur.copy("copy (select * from raw.werkplein_uitkering where batch_id = %s)"
                                            " to stdout (format csv)", (batch_id,)) as copy:
            for chunk in copy:
                rows.write(chunk)
        conn.execute("create table public.bench_typed (like raw.werkplein_uitkering including all)")
        conn.commit()
        rows.seek(0)
        return _timed_copy(conn, "public.bench_typed", "copy public.bench_typed from stdin (format csv)", rows)


def pandas_to_sql(url: str, path: str) -> dict[str, Any]:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    started = time.perf_counter()
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    frame.to_sql("bench_pandas", engine, schema="public", if_exists="replace", index=False)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("drop table public.bench_pandas")
    engine.dispose()
    return {"rows": len(frame), "seconds": seconds}


# --- the figures ------------------------------------------------------------------------------------------------


def _row(case: str, variant: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return rows_row("werkplein_ingest", case, variant, result, **extra)


def measure_all(server_url: str, workdir: Path, *, quick: bool = False, progress: Any = print) -> list[dict]:
    from ingestion.dev.scratch import throwaway_warehouse

    results: list[dict] = []
    scales = QUICK_SCALES if quick else SCALES
    for scale in scales:
        path = generate(workdir, scale)
        case = f"scale {scale:g} ({path.stat().st_size / 2**20:.1f} MiB)"
        local_dir = str(workdir / "local")
        is_target = scale == scales[-1]  # the targets hold on the largest file (1 M rows in the full run)
        with throwaway_warehouse(server_url, "bench_werkplein") as url:
            progress(f"werkplein scale {scale:g}: loader")
            loaded = measure("bench.werkplein:load_with_loader", url=url, path=str(path), local_dir=local_dir)
            progress(f"werkplein scale {scale:g}: validation")
            checked = measure("bench.werkplein:validate", url=url, batch_id=loaded["batch_id"], local_dir=local_dir)
            progress(f"werkplein scale {scale:g}: bare COPY, typed COPY" + (", pandas" if scale <= 100 else ""))
            copied = measure("bench.werkplein:bare_copy", url=url, path=str(path))
            typed = measure("bench.werkplein:typed_copy", url=url, batch_id=loaded["batch_id"])
            # pandas holds the whole file: at 1 M rows it would take GiBs and minutes for a figure we already have
            pandas = measure("bench.werkplein:pandas_to_sql", url=url, path=str(path)) if scale <= 100 else None
        copy_speed = copied["rows"] / copied["seconds"]
        loader_speed = loaded["rows"] / loaded["seconds"]
        share = loader_speed / copy_speed
        files_seconds = loaded["seconds"] + checked["seconds"]
        files_share = (loaded["rows"] / files_seconds) / copy_speed
        results += [
            _row(case, "bare COPY, untyped (limit)", copied),
            _row(case, "COPY of the typed rows (server)", typed, baseline="bare COPY, untyped (limit)",
                 ratio=round((typed["rows"] / typed["seconds"]) / copy_speed, 3),
                 note="the loader's rows into a table with the raw table's key: the server's part alone"),
            _row(
                case,
                "loader (typed, pseudonymised)",
                loaded,
                baseline="bare COPY, untyped (limit)",
                ratio=round(share, 3),
                target=f">= {LOADER_TARGET:.0%} of COPY" if is_target else None,
                meets_target=share >= LOADER_TARGET if is_target else None,
            ),
            {
                **_row(case, "files command (load + validation)",
                       {"rows": loaded["rows"], "seconds": files_seconds,
                        "peak_rss_mb": max(loaded["peak_rss_mb"], checked["peak_rss_mb"])}),
                "baseline": "bare COPY, untyped (limit)",
                "ratio": round(files_share, 3),
                "target": f">= {FILES_TARGET:.0%} of COPY" if is_target else None,
                "meets_target": files_share >= FILES_TARGET if is_target else None,
            },
            *([_row(
                case,
                "pandas read_csv + to_sql",
                pandas,
                baseline="loader (typed, pseudonymised)",
                ratio=round((pandas["rows"] / pandas["seconds"]) / loader_speed, 3),
                note="lands clear BSNs and untyped codes",
            )] if pandas else []),
            {
                **_row(case, "validation (GX suite, SQL)", {**checked, "rows": loaded["rows"]}),
                "group": "werkplein_validation",
                "baseline": "loader (typed, pseudonymised)",
                "ratio": round(checked["seconds"] / loaded["seconds"], 3),
                "target": f"<= {VALIDATION_TARGET:.0%} of load",
                "meets_target": checked["seconds"] <= VALIDATION_TARGET * loaded["seconds"],
                "note": f"{checked['rows']} expectations",
            },
        ]
    results.append(_growth(results, scales))
    return results


def _growth(results: list[dict], scales: tuple[float, ...]) -> dict[str, Any]:
    """How the loader's time grows with rows between the smallest and the largest scale: 1.0 is linear."""
    import math

    loader = [r for r in results if r["variant"].startswith("loader")]
    first, last = loader[0], loader[-1]
    exponent = math.log(last["seconds"] / first["seconds"]) / math.log(last["rows"] / first["rows"])
    return {
        "group": "werkplein_ingest",
        "case": f"scale {scales[0]:g} -> {scales[-1]:g}",
        "variant": "loader growth (time ~ rows^k)",
        "rows": last["rows"],
        "seconds": last["seconds"],
        "rows_per_s": last["rows_per_s"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in loader),
        "baseline": f"scale {scales[0]:g}",
        "ratio": round(exponent, 2),
        "target": "k <= 1.1 (linear)",
        "meets_target": exponent <= 1.1,
        "note": f"peak memory {first['peak_rss_mb']:.0f} -> {last['peak_rss_mb']:.0f} MiB",
    }
