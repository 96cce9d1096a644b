"""`make bench`: every benchmark, each figure beside its baseline, printed as a table and written to
bench/results.json (with the machine it ran on).

    python -m bench [--quick] [--only werkplein,xlsx,cbs,refresh,dags] [--out bench/results.json]

The warehouse is WAREHOUSE_URL's server (a scratch database per benchmark, dropped afterwards; the user needs
CREATEDB) or, without it, the embedded PostgreSQL under .local/pg. ``--quick`` runs small sizes (the smoke test).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.isolated import PROJECT_ROOT

BENCHMARKS = {
    "werkplein": "bench.werkplein",
    "xlsx": "bench.xlsx_reader",
    "cbs": "bench.cbs_national",
    "refresh": "bench.refresh",
    "dags": "bench.dag_import",
}
DEFAULT_OUT = PROJECT_ROOT / "bench" / "results.json"
COLUMNS = (
    ("variant", 34),
    ("rows", 11),
    ("seconds", 9),
    ("rows/s", 10),
    ("peak MiB", 10),
    ("vs baseline", 34),
    ("target", 28),
)


def server_url() -> str:
    """The server to make scratch databases on: WAREHOUSE_URL's, else the embedded PostgreSQL."""
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        return url
    from ingestion.dev.embedded_pg import ensure_running

    return ensure_running()


def run(only: list[str], quick: bool, out: Path, progress: Any) -> dict[str, Any]:
    import importlib

    from bench.machine import describe

    url = server_url()
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": describe(url),
        "results": [],
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="programmamonitor-bench-") as tmp:
        for name in only:
            module = importlib.import_module(BENCHMARKS[name])
            report["results"] += module.measure_all(url, Path(tmp), quick=quick, progress=progress)
    report["seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def render(report: dict[str, Any]) -> str:
    """The results as text tables, one per group (docs/benchmarks.md is this output)."""
    machine = report["machine"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; {machine['os']};"
        f" Python {machine['python']}; PostgreSQL {machine['postgresql']} (shared_buffers"
        f" {machine['shared_buffers']}). Run {report['started_at']}, {report['seconds']} s"
        + (" (quick sizes)" if report["quick"] else "")
        + "."
    ]
    groups: dict[str, list[dict]] = {}
    for row in report["results"]:
        groups.setdefault(row["group"], []).append(row)
    for group, rows in groups.items():
        lines += ["", f"## {group}"]
        case = None
        for row in rows:
            if row["case"] != case:
                case = row["case"]
                lines += [f"  {case}", "    " + "".join(f"{h:<{w}}" for h, w in COLUMNS).rstrip()]
            lines.append("    " + "".join(f"{_cell(row, h):<{w}}" for h, w in COLUMNS).rstrip())
            if row.get("note"):
                lines.append(f"      {row['note']}")
    missed = [r for r in report["results"] if r.get("meets_target") is False]
    lines += [
        "",
        f"Targets: {sum(1 for r in report['results'] if r.get('meets_target'))} met, {len(missed)} missed"
        + (": " + "; ".join(f"{r['group']} {r['case']} {r['variant']}" for r in missed) if missed else "."),
    ]
    return "\n".join(lines)


def _cell(row: dict[str, Any], header: str) -> str:
    value = {"rows/s": row.get("rows_per_s"), "peak MiB": row.get("peak_rss_mb")}.get(header, row.get(header))
    if header == "vs baseline":
        if row.get("ratio") is None:
            return "(baseline)" if row.get("baseline") is None else ""
        return f"{row['ratio']:g}x {row['baseline']}"[:33]
    if header == "target":
        if not row.get("target"):
            return ""
        return f"{row['target']} {'ok' if row['meets_target'] else 'MISSED'}"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value if value is not None else "")[:33]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the benchmarks run, in minutes")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma-separated subset of {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="where the JSON goes (default bench/results.json)"
    )
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}")

    def progress(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    report = run(only, args.quick, args.out, progress)
    print(render(report))
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
