"""The nightly pipeline's steps, each callable on its own: by the Airflow DAG's tasks and by the CLI alike.

Every step takes ids and returns plain dicts (XCom-friendly); data moves only through the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ingestion.config import Settings, settings
from ingestion.warehouse import connect, migrate

log = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def run_date(context: Mapping[str, Any]) -> date:
    """The night an Airflow run stands for, in Amsterdam: its logical date, or for an Asset-triggered run (which
    has none) the moment it was due. Loads record it, so a rerun of the same night is recognisable."""
    when = context.get("logical_date") or context["dag_run"].run_after
    return when.astimezone(AMSTERDAM).date()


def check_refresh(context: Mapping[str, Any], *, night_start: str, cfg: Settings | None = None) -> str:
    """The refresh deadline's check: were the marts published since ``night_start`` (HH:MM, Amsterdam) of the
    night this run stands for? Raises RefreshLate (the task fails, the alert goes out) when not."""
    from ingestion.transform import check_published_since

    cfg = cfg or settings()
    hour, minute = (int(part) for part in night_start.split(":"))
    when = context.get("logical_date") or context["dag_run"].run_after
    since = when.astimezone(AMSTERDAM).replace(hour=hour, minute=minute, second=0, microsecond=0)
    published = check_published_since(cfg.require_warehouse_url(), since)
    return f"marts published at {published.astimezone(AMSTERDAM):%Y-%m-%d %H:%M} (night began {since:%H:%M})"


def prepare_warehouse(cfg: Settings | None = None) -> list[str]:
    cfg = cfg or settings()
    return migrate(cfg.require_warehouse_url(), bi_login=cfg.bi_login)


def cbs_table_ids(cfg: Settings | None = None) -> list[str]:
    from ingestion.sources.cbs.table_config import configured_tables

    return configured_tables(cfg or settings())


def cbs_preflight(cfg: Settings | None = None) -> list[str]:
    """Every configured CBS table checked with metadata requests (exists, not stopped, every key of its declared
    kind, every code present) and the formulas against the kinds; the table ids when all is well, else
    ``PreflightFailed`` listing each problem with its fix, before any table loads."""
    from ingestion.sources.cbs.preflight import require_preflight

    cfg = cfg or settings()
    checks = require_preflight(cfg)
    log.info("CBS pre-flight: %d tables checked, no problem", len(checks))
    return cbs_table_ids(cfg)


def load_cbs_table(
    table_id: str,
    *,
    since: str | None = None,
    full: bool = False,
    logical_date: date | None = None,
    cfg: Settings | None = None,
) -> dict[str, Any]:
    from ingestion.sources.cbs.tables import load_table

    cfg = cfg or settings()
    with connect(cfg.require_warehouse_url()) as conn:
        result = load_table(conn, cfg, table_id, since=since, full=full, logical_date=logical_date)
    return result.as_dict()


def validate_loaded_batch(batch: dict[str, Any], cfg: Settings | None = None) -> dict[str, Any]:
    """Validate a freshly loaded batch; an unchanged batch has nothing new and passes through, unless the batch it
    repeats was never validated (its run stopped): that one is validated now.

    Raises ValidationFailed when the batch fails, so the run stops before the marts are touched.
    """
    from ingestion.validation import Validator

    cfg = cfg or settings()
    url = cfg.require_warehouse_url()
    pending = _pending_batch(url, batch)
    if pending is None:
        return batch
    # The Data Docs of the settings given, not of the environment (a test's or a second warehouse's own folder).
    validator = Validator(cfg.data_docs_dir)
    try:
        status, failures, _ = _validate_once(validator, url, pending)
    finally:
        validator.build_docs()
    if status != "published":
        raise ValidationFailed(pending, batch.get("source_ref", ""), failures)
    recovered = {"batch_id": pending, "recovered": True, "message": RECOVERED.format(batch_id=pending)} \
        if pending != batch["batch_id"] else {}
    return {**batch, **recovered, "status": "published"}


RECOVERED = ("batch {batch_id} of the same content was loaded by an earlier run that stopped before validating it:"
             " validated by this run")


def _pending_batch(url: str, outcome: Mapping[str, Any], this_run: set[int] | frozenset[int] = frozenset()
                   ) -> int | None:
    """The batch an outcome leaves to validate: its own when 'loaded'; for an 'unchanged' one, the batch with the
    same content if an earlier run loaded it and stopped before validating it (killed, or the machine went down),
    not one that this run loaded (``this_run``: two files of the same bytes in one pass)."""
    from ingestion.loader import never_validated

    if outcome.get("status") == "loaded":
        return int(outcome["batch_id"])
    if outcome.get("status") != "unchanged" or outcome.get("duplicate_of") in (None, *this_run):
        return None
    with connect(url) as conn:
        if not never_validated(conn, int(outcome["duplicate_of"])):
            return None
    log.warning("batch %s was loaded by an earlier run and never validated: validating it now", outcome["duplicate_of"])
    return int(outcome["duplicate_of"])


def _validate_once(validator: Any, url: str, batch_id: int) -> tuple[str, list[str], bool]:
    """('published' or 'failed', the failures, validated by this call) of a batch; when another run validated it
    first (two runs offered the same unvalidated batch), its verdict as recorded."""
    try:
        verdict = validator.validate(url, batch_id)
    except ValueError:
        with connect(url) as conn:
            row = conn.execute("select status, message from audit.load_batch where batch_id = %s",
                               (batch_id,)).fetchone()
        if row is None or row[0] not in ("published", "failed"):
            raise
        return row[0], [] if row[0] == "published" else [row[1] or "failed validation in another run"], False
    return ("published" if verdict.success else "failed"), verdict.failures, True


def file_source_names() -> list[str]:
    from ingestion.sources.registry import file_sources

    return list(file_sources())


def load_files(
    source: str,
    path: str | None = None,
    *,
    logical_date: date | None = None,
    cfg: Settings | None = None,
) -> list[dict[str, Any]]:
    """Load a file, or every file in the source's drop folder; one dict per file (status, rows, reason).

    In demo mode (SOURCE_MODE=recorded) an empty drop folder is first filled with the bundled demo files.
    """
    from pathlib import Path

    from ingestion.files.drop import load_path

    cfg = cfg or settings()
    if path is None and cfg.source_mode == "recorded":
        from ingestion.dev.demo import seed_demo_files  # the demo only: a live night never imports ingestion.dev

        seed_demo_files(cfg, source)
    with connect(cfg.require_warehouse_url()) as conn:
        outcomes = load_path(conn, cfg, source, Path(path) if path else None, logical_date=logical_date)
    return [o.as_dict() for o in outcomes]


def validate_loaded_files(outcomes: list[dict[str, Any]], cfg: Settings | None = None) -> list[dict[str, Any]]:
    """Validate every file batch that loaded; a file that fails is moved to quarantine, and then this raises.

    All files are validated first, so one bad file does not hide another; the good ones are published.
    """
    results = validate_files(outcomes, cfg)
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        raise ValidationFailed(
            failed[0]["batch_id"], ", ".join(r["file"] for r in failed), [f"{r['file']}: {r['reason']}" for r in failed]
        )
    return results


def validate_files(outcomes: list[dict[str, Any]], cfg: Settings | None = None) -> list[dict[str, Any]]:
    """The outcomes with every loaded file validated: 'published', or 'failed' (moved to quarantine) with the
    reason. One GX context for all of them."""
    from ingestion.files.drop import quarantine_failed_batch
    from ingestion.validation import Validator

    cfg = cfg or settings()
    url = cfg.require_warehouse_url()
    this_run = {o["batch_id"] for o in outcomes if o.get("status") == "loaded"}
    pending = {i: batch_id for i, outcome in enumerate(outcomes)
               if (batch_id := _pending_batch(url, outcome, this_run))}
    if not pending:
        return list(outcomes)  # nothing new: no GX context to start, no Data Docs to render (a quiet night)
    results = []
    validator = Validator(cfg.data_docs_dir)  # one GX context, Data Docs rendered once for all files
    try:
        for i, outcome in enumerate(outcomes):
            if i not in pending:
                results.append(outcome)
                continue
            batch_id = pending[i]
            # An unchanged file whose batch an earlier run left unvalidated: this run's outcome is that batch's.
            recovered = {"batch_id": batch_id, "recovered": True, "reason": RECOVERED.format(batch_id=batch_id)} \
                if batch_id != outcome["batch_id"] else {}
            status, failures, validated_here = _validate_once(validator, url, batch_id)
            if status == "published":
                results.append({**outcome, **recovered, "status": "published"})
                continue
            reason = "validation failed: " + "; ".join(failures)
            moved = None
            if validated_here:  # the run that failed it moves the file (once) and records why
                with connect(url) as conn:
                    moved = quarantine_failed_batch(conn, batch_id, reason)
            results.append({**outcome, **recovered, "status": "failed", "reason": reason, "quarantine_path": moved})
    finally:
        validator.build_docs()
    return results


def new_files(source: str, cfg: Settings | None = None) -> list[str]:
    """Names of the files in the source's drop folder that were never loaded (the drop-folder sensor's poke)."""
    from ingestion.files.drop import file_name
    from ingestion.files.drop import new_files as unloaded

    cfg = cfg or settings()
    with connect(cfg.require_warehouse_url()) as conn:
        return [file_name(f) for f in unloaded(conn, cfg, source)]


def published_since(source: str, since: datetime, cfg: Settings | None = None) -> dict[str, list[int]]:
    """Batch ids of the source published (validation passed) since ``since``, per raw entity: what a source DAG
    run announces to the transform."""
    cfg = cfg or settings()
    with connect(cfg.require_warehouse_url()) as conn:
        rows = conn.execute(
            "select entity, array_agg(batch_id order by batch_id) from audit.load_batch"
            " where source = %s and status = 'published' and validated_at >= %s group by entity order by entity",
            (source, since),
        ).fetchall()
    return {entity: list(batch_ids) for entity, batch_ids in rows}


class ValidationFailed(RuntimeError):
    def __init__(self, batch_id: int, source_ref: str, failures: list[str]) -> None:
        self.batch_id, self.failures = batch_id, failures
        super().__init__(
            f"batch {batch_id} ({source_ref}) failed validation and is not published: " + "; ".join(failures)
        )


def transform(cfg: Settings | None = None) -> dict[str, Any]:
    from ingestion.transform import build_and_publish

    cfg = cfg or settings()
    run = build_and_publish(cfg.require_warehouse_url(), cfg)
    return {"results": run.results, "warnings": run.warnings}
