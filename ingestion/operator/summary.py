"""The short report `make run` ends with: what is in the marts, the status counts, where to look."""

from __future__ import annotations

from typing import Any

from ingestion.config import Settings
from ingestion.transform import LIVE_SCHEMA
from ingestion.warehouse import connect, redact

STATUSES = ("behaald", "op koers", "achter", "niet te beoordelen")
LOOK_QUERIES = (
    "select indicator_code, actual_period_code, actual_value, status, status_reason"
    " from marts.programme_indicator_status where gemeentecode = 'GM0141' and actual_value is not null",
    "select batch_id, source, source_ref, status, row_count, message from audit.load_batch"
    " order by batch_id desc limit 10",
    "select file_name, row_number, column_name, value, reason from audit.quarantine"
    " order by quarantine_id desc limit 20",
)


def collect(url: str) -> dict[str, Any]:
    with connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s order by table_name",
                (LIVE_SCHEMA,),
            )
        ]
        rows = {
            t: conn.execute(f'select count(*) from {LIVE_SCHEMA}."{t}"').fetchone()[0]  # noqa: S608 - catalog names
            for t in tables
        }
        statuses: dict[str, int] = {}
        if "programme_indicator_status" in tables:
            statuses = dict(
                conn.execute(
                    "select status, count(*) from marts.programme_indicator_status"
                    " where is_contract_gemeente group by status"
                ).fetchall()
            )
        batches = conn.execute(
            "select distinct on (source, source_ref) source, source_ref, batch_id, status, row_count, source_mode,"
            " coalesce(message, '') from audit.load_batch where file_sha256 is null"
            " order by source, source_ref, batch_id desc"
        ).fetchall()
        # File sources deliver hundreds of files: one line per source and status of each file's latest attempt.
        files = conn.execute(
            "with latest as (select distinct on (source, source_ref) * from audit.load_batch"
            " where file_sha256 is not null order by source, source_ref, batch_id desc)"
            " select l.source, l.status, count(*), coalesce(sum(l.row_count), 0), min(l.source_mode),"
            " (select count(*) from audit.quarantine q join latest x using (batch_id)"
            "   where x.source = l.source and x.status = l.status)"
            " from latest l group by l.source, l.status order by 1, 2"
        ).fetchall()
    return {"tables": rows, "statuses": statuses, "batches": batches, "files": files}


def render(url: str, cfg: Settings) -> str:
    facts = collect(url)
    lines = ["", "Programmamonitor — pipeline run finished", ""]
    if cfg.source_mode == "recorded":
        lines.append(
            "Source data: the bundled recorded CBS responses (synthetic figures in the exact CBS API shape, "
            "no network used) and demo files (samples and generated Werkplein exports, labelled 'generated'). "
            "Set SOURCE_MODE=live for the real services."
        )
    else:
        lines.append(f"Source data: live services (CBS at {cfg.cbs_odata_url}, {cfg.cbs_odata_v4_url} and "
                     f"{cfg.cbs_dataderden_url}).")
    lines += ["", f"Marts (schema {LIVE_SCHEMA}):"]
    for table, count in facts["tables"].items():
        lines.append(f"  {LIVE_SCHEMA}.{table:<34} {count:>8} rows")
    if not facts["tables"]:
        lines.append("  (none published yet)")
    lines += ["", "Almelo's indicators per status:"]
    for status in STATUSES:
        lines.append(f"  {status:<20} {facts['statuses'].get(status, 0):>4}")
    lines += ["", "Latest batch per source:"]
    for source, ref, batch_id, status, rows, mode, message in facts["batches"]:
        detail = f" — {message}" if message and status != "published" else ""
        lines.append(f"  {source:<10} {ref:<12} batch {batch_id:<5} {status:<10} {rows or 0:>7} rows ({mode}){detail}")
    if facts["files"]:
        lines += ["", "Dropped files (latest attempt per file; details: python -m ingestion files, audit.quarantine):"]
    for source, status, files, rows, mode, quarantined in facts["files"]:
        lines.append(f"  {source:<10} {files:>4} file(s) {status:<10} {rows:>8} rows, {quarantined:>4} quarantine"
                     f" record(s) ({mode})")
    index = cfg.data_docs_dir / "site" / "index.html"
    if index.is_file():
        lines += ["", f"Data Docs (every validation, newest first): file://{index.resolve()}"]
    report = cfg.reports_dir / "index.html"
    if report.is_file():
        lines += [f"Programme report (one page per programme; open in a browser, print to PDF): file://{report.resolve()}"]
    shown = redact(url)
    lines += [
        "",
        f"Warehouse: {shown}",
        "Look at it:",
        *(f'  psql "{shown}" -c "{query}"' for query in LOOK_QUERIES),
        "",
    ]
    return "\n".join(lines)
