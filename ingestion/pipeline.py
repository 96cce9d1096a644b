"""The nightly pipeline's steps, each callable on its own: by the Airflow DAG's tasks and by the CLI alike.

Every step takes ids and returns plain dicts (XCom-friendly); data moves only through the warehouse.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from ingestion.config import Settings, settings
from ingestion.warehouse import connect, migrate

log = logging.getLogger(__name__)


def prepare_warehouse(cfg: Settings | None = None) -> list[str]:
    cfg = cfg or settings()
    return migrate(cfg.require_warehouse_url())


def cbs_table_ids(cfg: Settings | None = None) -> list[str]:
    from ingestion.sources.cbs import configured_tables

    return configured_tables(cfg or settings())


def load_cbs_table(
    table_id: str,
    *,
    since: str | None = None,
    full: bool = False,
    logical_date: date | None = None,
    cfg: Settings | None = None,
) -> dict[str, Any]:
    from ingestion.sources.cbs import load_table

    cfg = cfg or settings()
    with connect(cfg.require_warehouse_url()) as conn:
        result = load_table(conn, cfg, table_id, since=since, full=full, logical_date=logical_date)
    return result.as_dict()


def validate_loaded_batch(batch: dict[str, Any], cfg: Settings | None = None) -> dict[str, Any]:
    """Validate a freshly loaded batch; an unchanged batch has nothing new and passes through.

    Raises ValidationFailed when the batch fails, so the run stops before the marts are touched.
    """
    from ingestion.validation import validate_batch

    if batch["status"] != "loaded":
        return batch
    cfg = cfg or settings()
    outcome = validate_batch(cfg.require_warehouse_url(), batch["batch_id"])
    if not outcome.success:
        raise ValidationFailed(batch["batch_id"], batch.get("source_ref", ""), outcome.failures)
    return {**batch, "status": "published"}


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
