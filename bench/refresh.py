"""The nightly refresh, end to end, through the functions the DAG tasks call (ingestion.pipeline and
ingestion.transform): every CBS table (recorded), the UWV, Kennispunt and handmatig samples and generated Werkplein
months; validation; the transform (dbt build into the shadow schema, publish); the report.

- **full**: a new warehouse, everything loaded, validated, built and published;
- **no change**: the same night again: every source finds nothing new, the transform sees the inputs of the last
  publish and rebuilds data_quality only (target: <= 10 % of full);
- **incremental**: one new Werkplein month delivered: its three files load and validate, the marts are rebuilt.

And dbt's own time per model layer (seeds, staging, intermediate, marts, tests) at Werkplein scale 1 and 100,
from dbt's run_results.json of the full build.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from bench.isolated import measure
from ingestion.files.drop import GENERATED_MARKER

WERKPLEIN_MONTHS = 24
LAST_MONTH = "2024-10"  # the full night's last month; the incremental night brings 2024-11
NO_CHANGE_TARGET = 0.10
DBT_SCALES = (1, 100)
DBT_SCALE_MONTHS = 6  # months of Werkplein history in the dbt-per-layer warehouses
LAYER_OF_KIND = {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}


def _settings(url: str, local_dir: str) -> Any:
    from ingestion.config import Settings

    return Settings.from_env(
        {
            "WAREHOUSE_URL": url,
            "SOURCE_MODE": "recorded",
            "PROGRAMMAMONITOR_LOCAL_DIR": local_dir,
            "DATA_DOCS_DIR": str(Path(local_dir) / "data_docs"),
        }
    )


def stage_werkplein(workdir: Path, drop: Path, *, scale: float, months: int, upto: str | None = None) -> list[str]:
    """Generate ``months`` + 1 months of Werkplein exports once (the extra one is the incremental night's) and
    copy those up to ``upto`` (default: all but the last) into the drop folder; returns the copied names."""
    from ingestion.dev.generate import generate_werkplein

    source = workdir / f"werkplein_{scale:g}x{months + 1}"
    if not (source / GENERATED_MARKER).exists():
        generate_werkplein(
            source, scale=scale, months=months + 1, end=_next_month(LAST_MONTH), seed=141, gemeentecode="0141"
        )
    files = sorted(p for p in source.glob("werkplein_*") if p.suffix in (".csv", ".xlsx"))
    wanted = [p for p in files if _month_of(p) <= (upto or LAST_MONTH).replace("-", "")]
    drop.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / GENERATED_MARKER, drop / GENERATED_MARKER)  # labelled 'generated' all the way to the marts
    copied = []
    for path in wanted:
        if not (drop / path.name).exists():
            shutil.copy2(path, drop / path.name)
            copied.append(path.name)
    return copied


def _month_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1]


def _next_month(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


# --- measured in a child process each ---------------------------------------------------------------------------


def night(url: str, local_dir: str) -> dict[str, Any]:
    """One night as the DAGs run it; per phase seconds, what was published, and what the transform did."""
    from ingestion import pipeline
    from ingestion.report import build_report
    from ingestion.transform import refresh
    from ingestion.warehouse import connect

    cfg = _settings(url, local_dir)
    phases: dict[str, float] = {}
    started = time.perf_counter()
    with connect(url) as conn:
        first_batch = conn.execute("select coalesce(max(batch_id), 0) from audit.load_batch").fetchone()[0]
    pipeline.prepare_warehouse(cfg)
    mark = time.perf_counter()
    for table_id in pipeline.cbs_table_ids(cfg):
        pipeline.validate_loaded_batch(pipeline.load_cbs_table(table_id, cfg=cfg), cfg)
    phases["cbs"], mark = time.perf_counter() - mark, time.perf_counter()
    for source in pipeline.file_source_names():
        pipeline.validate_loaded_files(pipeline.load_files(source, cfg=cfg), cfg)
    phases["files"], mark = time.perf_counter() - mark, time.perf_counter()
    plan, _ = refresh(url, cfg)
    phases["transform"], mark = time.perf_counter() - mark, time.perf_counter()
    if plan.full:  # as in the DAG: the report is rewritten only after a full publish
        build_report(cfg)
        phases["report"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    with connect(url) as conn:
        published, rows = conn.execute(
            "select count(*), coalesce(sum(row_count), 0) from audit.load_batch"
            " where batch_id > %s and status = 'published'",
            (first_batch,),
        ).fetchone()
    return {
        "rows": int(rows),
        "batches_published": published,
        "seconds": seconds,
        "plan": plan.reason,
        "full": plan.full,
        "phases": {k: round(v, 2) for k, v in phases.items()},
    }


def dbt_layers(local_dir: str) -> dict[str, float]:
    """dbt's execution time per layer (the models' folder; seeds and data tests apart), from the last build's
    run_results.json and manifest. (Unit tests are not part of the nightly build: they run in `make test`.)"""
    target = Path(local_dir) / "dbt" / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    layers: dict[str, float] = {}
    for result in results:
        node = result["unique_id"]
        kind = node.split(".", 1)[0]
        if kind == "model":
            layer = nodes[node]["original_file_path"].removeprefix("models/").split("/", 1)[0]
        elif kind in LAYER_OF_KIND:
            layer = LAYER_OF_KIND[kind]
        else:
            continue  # exposures and the like: documentation, nothing runs
        layers[layer] = layers.get(layer, 0.0) + float(result.get("execution_time") or 0.0)
    return {k: round(v, 2) for k, v in layers.items()}


# --- the figures ------------------------------------------------------------------------------------------------


def _row(group: str, case: str, variant: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.get("phases", {}).items())
    if result.get("plan"):
        phases += f"; transform: {'full build' if result['full'] else 'data_quality only'} ({result['plan']})"
    return {
        "group": group,
        "case": case,
        "variant": variant,
        "rows": result.get("rows"),
        "seconds": round(result["seconds"], 2),
        "rows_per_s": round(result["rows"] / result["seconds"]) if result.get("rows") else None,
        "peak_rss_mb": result.get("peak_rss_mb"),
        "baseline": None,
        "ratio": None,
        "target": None,
        "meets_target": None,
        "note": phases,
        **extra,
    }


def measure_all(server_url: str, workdir: Path, *, quick: bool = False, progress: Any = print) -> list[dict]:
    from ingestion.dev.scratch import throwaway_warehouse

    months = 3 if quick else WERKPLEIN_MONTHS
    results: list[dict] = []
    local = workdir / "refresh_local"
    shutil.rmtree(local, ignore_errors=True)
    with throwaway_warehouse(server_url, "bench_refresh") as url:
        stage_werkplein(workdir, local / "drop" / "werkplein", scale=1, months=months)
        case = f"Werkplein scale 1 x {months} months + every CBS table and sample"
        progress("refresh: full night")
        full = measure("bench.refresh:night", url=url, local_dir=str(local))
        layers_1 = dbt_layers(str(local))
        progress("refresh: the same night again (nothing new)")
        unchanged = measure("bench.refresh:night", url=url, local_dir=str(local))
        progress("refresh: one new Werkplein month")
        stage_werkplein(workdir, local / "drop" / "werkplein", scale=1, months=months, upto=_next_month(LAST_MONTH))
        incremental = measure("bench.refresh:night", url=url, local_dir=str(local))
    share = unchanged["seconds"] / full["seconds"]
    results += [
        _row("refresh", case, "full night", full),
        _row(
            "refresh",
            case,
            "no-change night",
            unchanged,
            baseline="full night",
            ratio=round(share, 3),
            target=f"<= {NO_CHANGE_TARGET:.0%} of full",
            meets_target=share <= NO_CHANGE_TARGET,
        ),
        _row(
            "refresh",
            case,
            "incremental night (1 new month)",
            incremental,
            baseline="full night",
            ratio=round(incremental["seconds"] / full["seconds"], 3),
        ),
    ]
    results += _dbt_rows(server_url, workdir, layers_1, full, quick=quick, progress=progress)
    return results


def _dbt_rows(
    server_url: str, workdir: Path, layers_1: dict[str, float], full: dict[str, Any], *, quick: bool, progress: Any
) -> list[dict]:
    """dbt per layer at scale 1 (from the full night) and at the large scale (a warehouse of its own)."""
    from ingestion.dev.scratch import throwaway_warehouse

    large = 2 if quick else DBT_SCALES[-1]
    months = 2 if quick else DBT_SCALE_MONTHS
    local = workdir / "refresh_large_local"
    shutil.rmtree(local, ignore_errors=True)
    with throwaway_warehouse(server_url, "bench_dbt") as url:
        stage_werkplein(workdir, local / "drop" / "werkplein", scale=large, months=months)
        progress(f"dbt per layer: Werkplein scale {large:g} x {months} months (load, validate, build)")
        built = measure("bench.refresh:night", url=url, local_dir=str(local))
        layers_large = dbt_layers(str(local))
    rows = []
    for layer in sorted(set(layers_1) | set(layers_large)):
        small, big = layers_1.get(layer, 0.0), layers_large.get(layer, 0.0)
        rows.append(
            {
                "group": "dbt_layers",
                "case": layer,
                "variant": f"scale {large:g} ({months} months)",
                "rows": None,
                "seconds": big,
                "rows_per_s": None,
                "peak_rss_mb": None,
                "baseline": "scale 1 (full night)",
                "ratio": round(big / small, 2) if small else None,
                "target": None,
                "meets_target": None,
                "note": f"scale 1: {small:.2f} s",
            }
        )
    rows.append(
        _row(
            "dbt_layers",
            "whole night at the large scale",
            f"scale {large:g} ({months} months)",
            built,
            baseline="full night",
            ratio=round(built["seconds"] / full["seconds"], 2),
        )
    )
    return rows
