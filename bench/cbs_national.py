"""CBS ingest of a national-scale table: rows/s and peak memory of the project's loader, beside two baselines.

The case is a monthly CBS table the size of a national one: 342 gemeenten x 10 years x 3 topics (about 41 000
TypedDataSet rows, 123 000 observations in long form), recorded in the exact OData v3 shape and served over real
HTTP by :func:`ingestion.dev.recorded.serve` with CBS's own server-side page size (10 000 rows, ``odata.nextLink``).
The server runs in a process of its own, so neither its memory nor its Python interpreter is in the figures; each
variant runs in a fresh child (:func:`bench.isolated.measure`), so its peak RSS is its own.

Variants, each reported in observations (long rows) per second and peak RSS:

* ``loader (streamed COPY)`` - :func:`ingestion.sources.cbs.tables.load_table`, exactly as the pipeline calls it.
* ``fetch + JSON only (limit)`` - the same paged requests, each page JSON-decoded and thrown away: what the client
  side cannot beat with this server, so the loader's rows/s is given as a fraction of it.
* ``pandas in memory + to_sql`` - what is usually written instead: every page in one list, a DataFrame, melt,
  ``to_sql``. Its peak RSS is what "not streamed" costs; its rows/s is compared with the loader's.

Streaming is checked, not assumed: the loader's peak must be below the in-memory variant's and, in the full run,
must not follow the row count: the loader loads the quick-size table (about 40x fewer rows) and the full one, both
in pages of 250 rows (the quick table is under one 10 000-row page, so at CBS's page size the pair would compare
page buffers, not table sizes), and the full table's peak must stay within +25 % of the quick one's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

import ingestion.dev.recordings.cbs.synthesize as synthesize
from bench.isolated import PROJECT_ROOT, measure

GROUP = "cbs_national"
TABLE_ID = "99999BEN"  # CBS ids are 5 digits + NED/ENG/ned: this cannot clash with a real table
CBS_PAGE_SIZE = 10_000  # rows per page of the CBS ODataFeed
SMALL_PAGE_SIZE = 250  # the quick table is under one CBS page: quick mode and the memory-growth check page by this
LOADER, LIMIT, NAIVE = "loader (streamed COPY)", "fetch + JSON only (limit)", "pandas in memory + to_sql"
FLAT_MEMORY_TOLERANCE = 1.25  # loader peak on the full table vs on the ~40x smaller one
NAIVE_TABLE = "bench_cbs_naive_observation"
LAST_YEAR = 2024
TOPIC_NAMES = ["Werkloosheid", "BijstandTotDeAOWLeeftijd", "ArbeidsongeschiktheidTotaal", "AlgemeneOuderdomswet"]
QUICK_SIZE = {"gemeenten": 40, "years": 2}


# --- the recording --------------------------------------------------------------------------------------------


def topic_keys(topics: int) -> list[str]:
    """CBS-style topic keys (name + position suffix)."""
    names = TOPIC_NAMES + [f"Kenmerk{n}" for n in range(len(TOPIC_NAMES) + 1, topics + 1)]
    return [f"{names[n]}_{n + 1}" for n in range(topics)]


@contextmanager
def _synthesize_under(root: Path) -> Iterator[None]:
    """synthesize.py writes under its module constant ROOT; point it at ``root`` for the duration only, so the
    bundled recordings are neither touched nor duplicated in logic."""
    saved = synthesize.ROOT
    synthesize.ROOT = root / "v3"
    try:
        yield
    finally:
        synthesize.ROOT = saved


def write_national_table(
    root: Path, *, gemeenten: int = 342, years: int = 10, topics: int = 3, table_id: str = TABLE_ID
) -> dict[str, Any]:
    """A synthetic monthly v3 recording (RegioS x Perioden x numeric topics) under ``root/v3/<table_id>`` and a
    ``root/cbs_tables.yml`` configuring it (regions [GM], month grain). Deterministic; returns its facts."""
    root = Path(root)
    keys = topic_keys(topics)
    period_codes = synthesize.months(LAST_YEAR - years + 1, LAST_YEAR, (LAST_YEAR, 10))
    gm_codes = [f"GM{n:04d}" for n in range(1, gemeenten + 1)]
    padded = synthesize.padded([*gm_codes, "NL01"])  # NL01 -> 'NL01  ', as CBS pads to the longest key
    with _synthesize_under(root):
        synthesize.table_infos(
            table_id,
            f"Benchmark: {gemeenten} gemeenten per maand (synthetisch)",
            "Permaand",
            f"{period_codes[0][1]} - {period_codes[-1][1]}",
            "2025-02-20T02:00:00",
        )
        synthesize.data_properties(
            table_id,
            [("RegioS", "GeoDimension", "Regio's"), ("Perioden", "TimeDimension", "Perioden")],
            [(key, key.rsplit("_", 1)[0], "aantal", "Long") for key in keys],
        )
        synthesize.periods(table_id, period_codes)
        regions = [("NL01", "Nederland"), *((code, f"Gemeente {code[2:]}") for code in gm_codes)]
        synthesize.write(table_id, "RegioS", [{"Key": padded[c], "Title": t, "Description": ""} for c, t in regions])
        rows: list[dict[str, Any]] = []
        for r, (code, _title) in enumerate(regions):
            inhabitants = 17_950_000 if code == "NL01" else 5_000 + (r * 7_919) % 150_000
            for i, (period, _, _) in enumerate(period_codes):
                newest = i == len(period_codes) - 1  # CBS publishes the newest month as a skeleton: all null
                row: dict[str, Any] = {"ID": len(rows), "RegioS": padded[code], "Perioden": period}
                for t, key in enumerate(keys):
                    row[key] = None if newest else synthesize.r10(inhabitants * (0.01 + 0.02 * t) * (1 + 0.001 * i))
                rows.append(row)
        synthesize.write(table_id, "TypedDataSet", rows)
    config = {
        "region_sets": {},
        "series": {
            "bench_national": {
                "title": "Benchmark: national monthly table",
                "api": "v3",
                "regions": ["GM"],
                "period_grain": "month",
                "value_range": [0, None],
                "editions": {table_id: {"measures": {key: {"measure": f"bench_measure_{n + 1}", "kind": "count"}
                                                     for n, key in enumerate(keys)}}},
            }
        },
    }
    tables_file = root / "cbs_tables.yml"
    tables_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    typed_rows = gemeenten * len(period_codes)  # what the loader's filter (startswith GM) keeps
    return {
        "table_id": table_id,
        "gemeenten": gemeenten,
        "months": len(period_codes),
        "topics": topics,
        "topic_keys": keys,
        "typed_rows": typed_rows,
        "recorded_rows": len(rows),  # incl. NL01, filtered out server-side
        "expected_observations": typed_rows * topics,
        "root": str(root),
        "tables_file": str(tables_file),
        "recording_dir": str(root / "v3" / table_id),
    }


# --- the measured functions (each runs in a child process of its own) -------------------------------------------


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _rss_now_mb() -> float:
    """Current resident memory, to tell the interpreter + imports apart from what the work added."""
    return _status_mb("VmRSS")


def _table_id(root: str) -> str:
    catalogue = yaml.safe_load(Path(root, "cbs_tables.yml").read_text(encoding="utf-8"))
    (series,) = catalogue["series"].values()
    (table_id,) = series["editions"]
    return str(table_id)


def _typed_dataset_request(root: str, base_url: str) -> tuple[str, dict[str, str], list[str]]:
    """The TypedDataSet URL and query the loader sends (same $filter and $select), built by the loader's code."""
    import requests

    from ingestion.config import Settings
    from ingestion.sources.cbs.odata import CbsClient, Layout, build_filter
    from ingestion.sources.cbs.table_config import TableConfig

    settings = Settings.from_env({"SOURCE_MODE": "live", "CBS_TABLES_FILE": str(Path(root, "cbs_tables.yml"))})
    cfg = TableConfig.from_settings(settings, _table_id(root))
    layout = Layout("RegioS", "Perioden", [], set(cfg.measures))
    params = {"$format": "json", "$select": ",".join(["ID", "RegioS", "Perioden", *cfg.measures])}
    row_filter = build_filter(layout, cfg.regions)
    if row_filter:
        params["$filter"] = row_filter
    url = CbsClient(base_url.rstrip("/"), requests.Session()).table_url(cfg.table_id) + "/TypedDataSet"
    return url, params, list(cfg.measures)


def load_streamed(url: str, root: str, base_url: str) -> dict[str, Any]:
    """The project's loader, as the pipeline runs it, into the scratch warehouse ``url``."""
    from ingestion.config import Settings
    from ingestion.http import make_session
    from ingestion.sources.cbs.tables import load_table
    from ingestion.warehouse import connect

    settings = Settings.from_env(
        {
            "SOURCE_MODE": "live",
            "CBS_ODATA_URL": base_url,
            "CBS_TABLES_FILE": str(Path(root, "cbs_tables.yml")),
            "PROGRAMMAMONITOR_LOCAL_DIR": str(Path(root, "local")),
            "WAREHOUSE_URL": url,
        }
    )
    table_id = _table_id(root)
    session = make_session(settings)
    pages = 0

    def count_pages(response: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal pages
        pages += "/TypedDataSet" in response.url

    session.hooks["response"].append(count_pages)
    rss_start = _rss_now_mb()
    with connect(url) as conn:
        started = time.perf_counter()
        result = load_table(conn, settings, table_id, full=True, session=session)
        seconds = time.perf_counter() - started
        landed = conn.execute("select count(*) from raw.cbs_observation where batch_id = %s", (result.batch_id,))
        rows = int(landed.fetchone()[0])  # type: ignore[index]
        requests_made = conn.execute(
            "select (request_params ->> 'requests')::int from audit.load_batch where batch_id = %s",
            (result.batch_id,),
        ).fetchone()[0]  # type: ignore[index]
    return {
        "rows": rows,
        "seconds": seconds,
        "status": result.status,
        "requests": requests_made,
        "pages": pages,
        "rss_start_mb": rss_start,
    }


def fetch_only(root: str, base_url: str) -> dict[str, Any]:
    """The client-side limit: the loader's TypedDataSet requests, nextLink paging, JSON decode, nothing kept."""
    import requests

    url, params, measures = _typed_dataset_request(root, base_url)
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    typed_rows = pages = 0
    rss_start = _rss_now_mb()
    started = time.perf_counter()
    next_url: str | None = url
    query: dict[str, str] | None = params
    while next_url:
        response = session.get(next_url, params=query, timeout=60)
        response.raise_for_status()
        document = response.json()
        typed_rows += len(document["value"])
        pages += 1
        next_url, query = document.get("odata.nextLink"), None
        del document, response  # discard the page before the next arrives
    seconds = time.perf_counter() - started
    return {
        "rows": typed_rows * len(measures),  # observations, the loader's unit
        "typed_rows": typed_rows,
        "seconds": seconds,
        "pages": pages,
        "rss_start_mb": rss_start,
    }


def naive_in_memory(url: str, root: str, base_url: str) -> dict[str, Any]:
    """What is usually written: all pages in one list, a DataFrame, melt to long form, to_sql."""
    import pandas as pd
    import requests
    from sqlalchemy import create_engine

    page_url, params, measures = _typed_dataset_request(root, base_url)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    rss_start = _rss_now_mb()
    started = time.perf_counter()
    records: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = page_url
    query: dict[str, str] | None = params
    while next_url:
        response = requests.get(next_url, params=query, headers={"Accept": "application/json"}, timeout=60)
        response.raise_for_status()
        document = response.json()
        records.extend(document["value"])
        pages += 1
        next_url, query = document.get("odata.nextLink"), None
    wide = pd.DataFrame(records)
    wide["RegioS"] = wide["RegioS"].str.strip()
    long = wide.melt(id_vars=["ID", "RegioS", "Perioden"], value_vars=measures, var_name="topic_key")
    written = long.to_sql(NAIVE_TABLE, engine, if_exists="replace", index=False)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "rows": len(long),
        "written": written,
        "seconds": seconds,
        "pages": pages,
        "rss_start_mb": rss_start,
    }


# --- the recording server, in a process of its own ----------------------------------------------------------------


@contextmanager
def serving(root: Path, page_size: int, log_file: Path) -> Iterator[str]:
    """``python -m bench.cbs_national serve`` in a child process; yields its base URL, stops it afterwards."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "bench.cbs_national", "serve", str(root), str(page_size)]
    with log_file.open("w") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=PROJECT_ROOT, env=env
        )
        try:
            base_url = (process.stdout.readline() if process.stdout else "").strip()
            if not base_url.startswith("http"):
                raise RuntimeError(f"recording server did not start: {log_file.read_text()[-2000:]}")
            yield base_url
        finally:
            if process.stdin:
                process.stdin.close()  # the server exits when its stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.terminate()
                process.wait(timeout=10)


def _serve_main(root: str, page_size: str) -> int:
    from ingestion.dev.recorded import serve

    server = serve(Path(root), int(page_size))
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies): no orphaned server
    server.shutdown()
    return 0


# --- the whole benchmark ------------------------------------------------------------------------------------------


def _measure(function: str, **kwargs: Any) -> dict[str, Any]:
    return measure(f"bench.cbs_national:{function}", **kwargs)  # not __name__: may be __main__


def _row(variant: str, case: str, result: dict[str, Any], **fields: Any) -> dict[str, Any]:
    seconds = float(result["seconds"])
    row: dict[str, Any] = {
        "group": GROUP,
        "case": case,
        "variant": variant,
        "rows": int(result["rows"]),
        "seconds": round(seconds, 3),
        "rows_per_s": round(result["rows"] / seconds, 1) if seconds > 0 else 0.0,
        "peak_rss_mb": float(result["peak_rss_mb"]),
        "baseline": None,
        "ratio": None,
        "target": None,
        "meets_target": None,
        "note": "",
    }
    row.update(fields)
    return row


def _flatness(server_url: str, workdir: Path, full_root: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The loader on the quick-size table and on the full one, both served in SMALL_PAGE_SIZE pages: only the row
    count differs (~40x), so a peak that follows it is not streamed. Not at 10 000: the quick table is under one
    such page, and the comparison would measure the page buffer instead. Own warehouse: a second load of the same
    table would be 'unchanged' and land nothing."""
    from ingestion.dev.scratch import throwaway_warehouse

    small_facts = write_national_table(workdir / "reference", **QUICK_SIZE, table_id="99998BEN")
    with throwaway_warehouse(server_url, "bench_cbs") as url:
        with serving(Path(small_facts["root"]), SMALL_PAGE_SIZE, workdir / "server-small.log") as base_url:
            small = _measure("load_streamed", url=url, root=small_facts["root"], base_url=base_url)
        with serving(Path(full_root), SMALL_PAGE_SIZE, workdir / "server-full-small-pages.log") as base_url:
            big = _measure("load_streamed", url=url, root=full_root, base_url=base_url)
    return small, big


def measure_all(server_url: str, workdir: Path, *, quick: bool = False, progress: Any = print) -> list[dict[str, Any]]:
    """Write the table, serve it, and measure the three variants against one throwaway warehouse (full mode: plus
    the loader's memory growth with table size, see _flatness)."""
    from ingestion.dev.scratch import throwaway_warehouse

    workdir = Path(workdir)
    size = QUICK_SIZE if quick else {"gemeenten": 342, "years": 10}
    # Quick: the table is under one CBS page; smaller pages keep the paging path (nextLink) in the test.
    page_size = SMALL_PAGE_SIZE if quick else CBS_PAGE_SIZE
    facts = write_national_table(workdir / "national", **size)
    root = facts["root"]
    case = f"{facts['gemeenten']} gemeenten x {facts['months']} months x {facts['topics']} topics"
    progress(f"cbs national: {case}")
    with (
        throwaway_warehouse(server_url, "bench_cbs") as url,
        serving(Path(root), page_size, workdir / "server.log") as base_url,
    ):
        loader = _measure("load_streamed", url=url, root=root, base_url=base_url)
        limit = _measure("fetch_only", root=root, base_url=base_url)
        naive = _measure("naive_in_memory", url=url, root=root, base_url=base_url)
    for variant, result in ((LOADER, loader), (NAIVE, naive)):
        if result["rows"] != facts["expected_observations"]:
            raise RuntimeError(f"{variant}: {result['rows']} observations, expected {facts['expected_observations']}")

    loader_row = _row(LOADER, case, loader, baseline=LIMIT, target="memory flat: streamed")
    limit_row = _row(LIMIT, case, limit)
    naive_row = _row(NAIVE, case, naive, baseline=LOADER)
    loader_row["ratio"] = round(loader_row["rows_per_s"] / limit_row["rows_per_s"], 3)
    naive_row["ratio"] = round(naive_row["rows_per_s"] / loader_row["rows_per_s"], 3)
    peak, naive_peak = loader_row["peak_rss_mb"], naive_row["peak_rss_mb"]
    note = (
        f"{loader['pages']} pages of {page_size} ({loader['requests']} requests incl. metadata); "
        f"peak {peak:.0f} MiB vs {naive_peak:.0f} MiB in memory "
        f"(after imports {loader['rss_start_mb']:.0f} vs {naive['rss_start_mb']:.0f} MiB)"
    )
    if quick:
        note += "; growth with table size not checked in quick mode"
        loader_row["meets_target"] = peak < naive_peak
    else:
        small, big = _flatness(server_url, workdir, root)
        growth = big["rows"] / small["rows"]
        flat = big["peak_rss_mb"] <= small["peak_rss_mb"] * FLAT_MEMORY_TOLERANCE
        note += (
            f"; in pages of {SMALL_PAGE_SIZE}: {big['rows']} rows peak {big['peak_rss_mb']:.0f} MiB vs "
            f"{small['rows']} rows ({growth:.0f}x fewer) {small['peak_rss_mb']:.0f} MiB, "
            f"{100 * (big['peak_rss_mb'] / small['peak_rss_mb'] - 1):+.0f} % "
            f"(bound +{100 * (FLAT_MEMORY_TOLERANCE - 1):.0f} %)"
        )
        loader_row["meets_target"] = peak < naive_peak and flat
    loader_row["note"] = note
    limit_row["note"] = (
        f"{limit['pages']} pages requested with the loader's $filter/$select, JSON-decoded, discarded; no database "
        f"(peak {limit_row['peak_rss_mb']:.0f} MiB)"
    )
    naive_row["note"] = (
        f"all {naive['pages']} pages in one list, DataFrame, melt, to_sql (if_exists=replace); "
        f"peak {naive_peak:.0f} MiB ({naive_peak - naive['rss_start_mb']:.0f} MiB above its imports)"
    )
    return [loader_row, limit_row, naive_row]


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "serve":
        return _serve_main(argv[1], argv[2])
    print("usage: python -m bench.cbs_national serve <root> <page_size>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
