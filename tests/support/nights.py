"""Warehouse states built once per test run and shared: the demo night (every source loaded, validated and
published, the marts built; and the same night before its build) instead of a night per test module.

A state is built by the first worker that asks for it, under a file lock in the run's shared folder
(``run_dir``); the others wait and read where it is. Modules that only read use the database itself; a module that
writes takes its own copy (``copy_of``: ``CREATE DATABASE … TEMPLATE``, a fraction of a second). The controller
drops every database of the run at its end (``drop_run_databases``, called from conftest).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from psycopg import sql

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.warehouse import connect, migrate, with_database

# Set by the controller before the workers start (they inherit it): names this run's shared databases.
RUN_ENV = "PROGRAMMAMONITOR_TEST_RUN"
SHARED_PREFIX = "pm_run"


def run_id() -> str:
    return os.environ.setdefault(RUN_ENV, uuid.uuid4().hex[:10])


def build_once(run_dir: Path, name: str, build: Callable[[], Any]) -> Any:
    """``build()``'s result (JSON), computed by one worker of the run; the others wait for it and read it."""
    from filelock import FileLock

    done = run_dir / f"{name}.json"
    with FileLock(str(run_dir / f"{name}.lock")):
        if not done.exists():
            done.write_text(json.dumps(build()))
        return json.loads(done.read_text())


def shared_database(server_url: str, name: str, template_url: str | None = None) -> str:
    """A new migrated database of this run (dropped with the run, not by the caller), or a copy of the one at
    ``template_url`` (nobody may be connected to it): its URL."""
    dbname = f"{SHARED_PREFIX}_{run_id()}_{name}"
    create = sql.SQL("create database {}").format(sql.Identifier(dbname))
    if template_url:
        create += sql.SQL(" template {}").format(sql.Identifier(template_url.rsplit("/", 1)[1]))
    with connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
        conn.execute(create)
    url = with_database(server_url, dbname)
    migrate(url)
    return url


def copy_of(server_url: str, template_url: str, prefix: str) -> AbstractContextManager[str]:
    """A copy of the database at ``template_url`` (nobody may be connected to it), migrated; dropped afterwards."""
    return throwaway_warehouse(server_url, prefix, template=template_url.rsplit("/", 1)[1])


def drop_run_databases(server_url: str) -> None:
    """Every shared database of this run (the controller calls this once all workers are done)."""
    pattern = f"{SHARED_PREFIX}_{run_id()}_%"
    with connect(server_url, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("select datname from pg_database where datname like %s", (pattern,))]
        for name in names:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


# --- the demo night --------------------------------------------------------------------------------------------------

# Small enough that monthly shares, yearly herinstroom counts and decomposition cells fall below the threshold and are
# suppressed, large enough that others are published.
DEMO_WERKPLEIN = {"scale": 0.3, "months": 24, "end": "2024-12", "seed": 11, "gemeentecode": "0141"}
SMALL_NUMBER_THRESHOLD = 10


@dataclass(frozen=True)
class Night:
    url: str
    local_dir: str  # the night's own: dbt target, Data Docs; read, never written, by the tests
    werkplein_dir: str  # the generated exports the night loaded (BSNs and all)
    loaded_url: str = ""  # the same night before its build: loaded, validated, published, no marts (take a copy)

    def settings(self, **overrides: str) -> Settings:
        """Settings for this night's warehouse; give a test's own REPORTS_DIR (and the like) to write anything."""
        return Settings.from_env({
            "WAREHOUSE_URL": self.url,
            "SOURCE_MODE": "recorded",
            "PROGRAMMAMONITOR_LOCAL_DIR": self.local_dir,
            "DATA_DOCS_DIR": str(Path(self.local_dir) / "data_docs"),
            "SMALL_NUMBER_THRESHOLD": str(SMALL_NUMBER_THRESHOLD),
            **overrides,
        })


def build_demo_night(server_url: str, folder: Path) -> Night:
    """Every CBS table (recorded responses), the UWV, Kennispunt and handmatig samples and two years of generated
    Werkplein exports: loaded, validated, published and built into the marts, as one night of `make run`."""
    werkplein = folder / "werkplein"
    generate_werkplein(werkplein, **DEMO_WERKPLEIN)
    night = Night(shared_database(server_url, "demo_night"), str(folder / "local"), str(werkplein))
    cfg = night.settings(REPORTS_DIR=str(folder / "reports"))
    for table_id in pipeline.cbs_table_ids(cfg):
        batch = pipeline.validate_loaded_batch(pipeline.load_cbs_table(table_id, cfg=cfg), cfg)
        assert batch["status"] == "published", (table_id, batch)
    folders = {
        "uwv": PACKAGE_DIR / "dev" / "samples" / "uwv",
        "kennispunt": PACKAGE_DIR / "dev" / "samples" / "kennispunt",
        "handmatig": PACKAGE_DIR / "dev" / "samples" / "handmatig",
        "werkplein": werkplein,
    }
    for source, path in folders.items():
        outcomes = pipeline.validate_loaded_files(pipeline.load_files(source, str(path), cfg=cfg), cfg)
        assert {o["status"] for o in outcomes} == {"published"}, (source, outcomes)
    night = replace(night, loaded_url=shared_database(server_url, "demo_loaded", template_url=night.url))
    pipeline.transform(cfg)
    return night


def demo_night(server_url: str, run_dir: Path) -> Night:
    return Night(**build_once(run_dir, "demo_night", lambda: asdict(build_demo_night(server_url, run_dir / "demo"))))


def build_bijstand_night(server_url: str, folder: Path) -> Night:
    """One CBS table (86003NED: bijstand per wijk and gemeente, recorded) loaded, validated, published and built into
    the marts: the smallest night with Almelo values in them."""
    night = Night(shared_database(server_url, "bijstand_night"), str(folder / "local"), str(folder / "werkplein"))
    cfg = night.settings()
    batch = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=cfg), cfg)
    assert batch["status"] == "published", batch
    pipeline.transform(cfg)
    return night


def bijstand_night(server_url: str, run_dir: Path) -> Night:
    return Night(**build_once(run_dir, "bijstand_night",
                              lambda: asdict(build_bijstand_night(server_url, run_dir / "bijstand"))))
