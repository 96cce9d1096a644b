"""Command line: the same steps the Airflow DAG runs, one at a time.

    python -m ingestion migrate
    python -m ingestion cbs <TABLE_ID> [--since PERIOD] [--full] [--no-validate]
    python -m ingestion cbs --all
    python -m ingestion files <uwv|kennispunt|werkplein|handmatig> [PATH] [--no-validate]
    python -m ingestion validate <BATCH_ID>
    python -m ingestion transform
    python -m ingestion summary
    python -m ingestion report [--out DIR]   # the programme report (REPORTS_DIR) from the marts, as bi_reader
    python -m ingestion manifest      # dbt parse: the manifest the transform DAG renders its dbt tasks from
    python -m ingestion explain <INDICATOR_CODE> <GEMEENTECODE> <PERIOD>   # where a value of the marts came from
    python -m ingestion doctor        # can tonight's run work? each check with its cause and fix; exit 1 if not
    python -m ingestion retention [--dry-run]   # raw retention (RAW_RETENTION_MONTHS): purge old unused batches

Loads print one JSON line per batch or file (batch id, status, rows, reason) on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

import psycopg

from ingestion import pipeline
from ingestion.config import ConfigurationError, settings
from ingestion.loader import LoadError
from ingestion.warehouse import not_migrated


def _print(record: dict[str, Any]) -> None:
    print(json.dumps(record, default=str, ensure_ascii=False), flush=True)


def cmd_cbs(args: argparse.Namespace) -> int:
    cfg = settings()
    table_ids = pipeline.cbs_table_ids(cfg) if args.all else [args.table_id]
    failed = 0
    for table_id in table_ids:
        try:
            batch = pipeline.load_cbs_table(table_id, since=args.since, full=args.full, cfg=cfg)
            if not args.no_validate:
                batch = pipeline.validate_loaded_batch(batch, cfg)
        except pipeline.ValidationFailed as exc:
            batch = {"batch_id": exc.batch_id, "source_ref": table_id, "status": "failed", "message": str(exc)}
        except LoadError as exc:
            batch = {"source_ref": table_id, "status": "failed", "message": str(exc)}
        failed += batch["status"] == "failed"
        _print(batch)
    return 1 if failed else 0


def cmd_files(args: argparse.Namespace) -> int:
    cfg = settings()
    outcomes = pipeline.load_files(args.source, args.path, cfg=cfg)
    if not args.no_validate:
        outcomes = pipeline.validate_files(outcomes, cfg)
    failed = 0
    for outcome in outcomes:
        failed += outcome["status"] in ("failed", "rejected")
        _print({"file": outcome["file"], "status": outcome["status"], "batch_id": outcome.get("batch_id"),
                "rows_loaded": outcome.get("rows_loaded", 0), "rows_quarantined": outcome.get("rows_quarantined", 0),
                "reason": outcome.get("reason")})
    return 1 if failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ingestion.validation import validate_batch

    outcome = validate_batch(settings().require_warehouse_url(), args.batch_id)
    _print({"batch_id": outcome.batch_id, "suite": outcome.suite, "success": outcome.success,
            "failures": outcome.failures})
    return 0 if outcome.success else 1


def cmd_migrate(args: argparse.Namespace) -> int:
    _print({"applied": pipeline.prepare_warehouse()})
    return 0


def cmd_transform(args: argparse.Namespace) -> int:
    _print(pipeline.transform())
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ingestion.operator.summary import render

    cfg = settings()
    print(render(cfg.require_warehouse_url(), cfg))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ingestion.report import build_report

    index = build_report(settings(), Path(args.out) if args.out else None)
    print(f"Programme report: file://{index}")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from ingestion.transform import write_manifest

    _print({"manifest": str(write_manifest(settings()))})
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from ingestion.operator.explain import explain

    print(explain(settings().require_warehouse_url(), args.indicator_code, args.gemeentecode, args.period))
    return 0


# --- operability (issue 12): doctor and raw retention ------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from ingestion.operator.doctor import render, run_checks

    if not args.verbose:
        import airflow.configuration  # noqa: F401 - configures logging when imported: quiet it afterwards

        logging.getLogger().setLevel(logging.WARNING)  # one line per check; the libraries' chatter only with -v
    results = run_checks()
    print(render(results), flush=True)
    return 1 if any(check.blocking for check in results) else 0


def cmd_retention(args: argparse.Namespace) -> int:
    from ingestion.operator.retention import apply_retention

    cfg = settings()
    report = apply_retention(cfg.require_warehouse_url(), cfg, dry_run=args.dry_run)
    for line in report.lines():
        print(line, flush=True)
    return 0


def add_operability_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("doctor", help="check the set-up: each problem with its cause and fix; exit 1 if a night would fail"
                   ).set_defaults(func=cmd_doctor)
    retention = sub.add_parser("retention", help="purge raw batches older than RAW_RETENTION_MONTHS that nothing reads")
    retention.add_argument("--dry-run", action="store_true", help="list what would be purged; change nothing")
    retention.set_defaults(func=cmd_retention)


# ------------------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    cbs = sub.add_parser("cbs", help="load CBS table(s) into raw and validate the batch")
    cbs.add_argument("table_id", nargs="?", help="CBS table id, e.g. 86003NED (configured in cbs_tables.yml)")
    cbs.add_argument("--all", action="store_true", help="every configured table")
    cbs.add_argument("--since", metavar="PERIOD", help="only periods from this CBS period code on, e.g. 2024KW01")
    cbs.add_argument("--full", action="store_true", help="reload every period, not only new and provisional ones")
    cbs.add_argument("--no-validate", action="store_true",
                     help="stop at 'loaded'; the next run (or `validate BATCH_ID`) validates it")
    cbs.set_defaults(func=cmd_cbs)

    files = sub.add_parser("files", help="load dropped files of a source: one file, a folder, or its drop folder")
    files.add_argument("source", choices=pipeline.file_source_names())
    files.add_argument("path", nargs="?", help="a file or folder (default: DROP_DIR/<source>, demo files in demo mode)")
    files.add_argument("--no-validate", action="store_true",
                       help="stop at 'loaded'; the next run (or `validate BATCH_ID`) validates it")
    files.set_defaults(func=cmd_files)

    validate = sub.add_parser("validate", help="run the batch's expectation suite; publish or fail it")
    validate.add_argument("batch_id", type=int)
    validate.set_defaults(func=cmd_validate)

    sub.add_parser("migrate", help="create or update the warehouse schemas").set_defaults(func=cmd_migrate)
    sub.add_parser("transform", help="dbt build into the shadow schema, then publish").set_defaults(
        func=cmd_transform
    )
    sub.add_parser("summary", help="what is in the marts and where to look").set_defaults(func=cmd_summary)
    report = sub.add_parser("report", help="the programme report (HTML + CSV) from the marts, read as bi_reader")
    report.add_argument("--out", metavar="DIR", help="folder to write (default: REPORTS_DIR)")
    report.set_defaults(func=cmd_report)
    manifest = sub.add_parser("manifest", help="dbt parse: the manifest the transform DAG renders its dbt tasks from")
    manifest.set_defaults(func=cmd_manifest)
    explain = sub.add_parser("explain", help="the lineage of one value of the marts: batch, request or file, raw rows")
    explain.add_argument("indicator_code", help="catalogue indicator code, e.g. ep_bijstandsdossiers")
    explain.add_argument("gemeentecode", help="GM0141 (also 0141), NL01, a wijk WK014111, ...")
    explain.add_argument("period", help="CBS period code (2023JJ00, 2024MM02, 2024KW01), or 2023, 2024-02, 2024Q1")
    explain.set_defaults(func=cmd_explain)
    add_operability_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "cbs" and not args.all and not args.table_id:
        parser.error("cbs needs a TABLE_ID or --all")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args)
    except (ConfigurationError, LoadError, RuntimeError, OSError, ValueError) as exc:
        # A clear one-line reason, not a stack trace; --verbose shows the trace.
        logging.getLogger("ingestion").debug("traceback", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except psycopg.Error as exc:
        # E.g. the connection was lost mid-load: the load's transaction is rolled back; a batch left 'loading' is
        # marked abandoned by the next load of the same source.
        logging.getLogger("ingestion").debug("traceback", exc_info=True)
        # A statement that did not run on a connection of warehouse.connect (which says so itself) may still have
        # failed for want of a migration: then that, and the fix, is the message.
        try:
            url = settings().warehouse_url or ""
        except (ConfigurationError, ValueError):
            url = ""
        unmigrated = not_migrated(url, exc) if url else None
        if unmigrated is not None:
            print(f"error: {unmigrated}", file=sys.stderr)
            return 2
        print(f"error: warehouse ({type(exc).__name__}): {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
