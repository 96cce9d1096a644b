"""dbt build into a shadow schema, and the swap that publishes it: BI never sees a half-built or untested mart.

``build_shadow`` runs ``dbt build`` (seeds, models, data tests) with the marts layer directed to
``marts_shadow``. Only when dbt reports success does ``publish_marts`` rename ``marts`` to ``marts_previous``
and ``marts_shadow`` to ``marts`` in one transaction. A failing build or test, or a killed process, leaves
``marts`` exactly as it was.

Every build starts from an emptied shadow schema stamped with a build id (its comment), and publishes only a shadow
schema bearing its own id: a second transform that emptied the shadow schema mid-build (a manual
``python -m ingestion transform`` during the DAG's) makes the first one fail at publish instead of publishing a mix.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql

from ingestion.config import Settings
from ingestion.warehouse import BI_ROLE, connect, dbt_env

log = logging.getLogger(__name__)

LIVE_SCHEMA = "marts"
SHADOW_SCHEMA = "marts_shadow"
PREVIOUS_SCHEMA = "marts_previous"
# One publish at a time per warehouse (a transaction lock).
TRANSFORM_LOCK_KEY = 7_141_000_002
# Held for a whole in-process build (CLI, nightly refresh); the DAG's prepare_shadow waits for it.
BUILD_LOCK_KEY = TRANSFORM_LOCK_KEY + 1
# The model that reads the audit and the clock: rebuilt every night, also when nothing else changed.
DATA_QUALITY_MODEL = "data_quality"
# dbt's unit tests check the SQL against fixed inputs, not the night's data: they run in development and CI
# (`make test`: tests/integration/test_dbt_unit_tests.py), not in every nightly build - dbt's own advice, and ~7 s
# a build.
NIGHTLY_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]
# What the marts and the report are made of, besides the published batches (paths in the dbt project).
DBT_INPUTS = ("dbt_project.yml", "models", "seeds", "macros", "tests", "snapshots", "analyses")


class TransformError(RuntimeError):
    """dbt failed; the message names the failing models/tests. The published marts are unchanged."""


@dataclass
class DbtRun:
    returncode: int
    results: dict[str, int] = field(default_factory=dict)  # status -> count
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(url: str | None, settings: Settings, args: list[str], target_dir: Path | None = None) -> DbtRun:
    """dbt with the warehouse of ``url`` (None: no connection needed, e.g. ``parse``)."""
    target_dir = target_dir or settings.local_dir / "dbt" / "target"
    env = {
        **os.environ,
        **(dbt_env(url) if url else {}),
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(settings.local_dir / "dbt" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }
    project = str(settings.dbt_project_dir)
    command = [dbt_executable(), *args, "--project-dir", project, "--profiles-dir", project]
    log.info("running %s", " ".join(command[:2]))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        log.info("dbt: %s", line.rstrip())
    returncode = process.wait()
    return _read_results(returncode, target_dir / "run_results.json")


def _read_results(returncode: int, path: Path) -> DbtRun:
    run = DbtRun(returncode)
    if not path.exists():
        return run
    for result in json.loads(path.read_text(encoding="utf-8")).get("results", []):
        status = str(result.get("status"))
        run.results[status] = run.results.get(status, 0) + 1
        node = result.get("unique_id", "?")
        message = (result.get("message") or "").strip()
        if status in ("error", "fail"):
            run.failures.append(f"{node}: {message}" if message else node)
        elif status == "warn":
            run.warnings.append(f"{node}: {message}" if message else node)
    return run


def dbt_vars(settings: Settings, marts_schema: str = SHADOW_SCHEMA) -> dict[str, object]:
    """The dbt vars of a pipeline build (the CLI's and the transform DAG's alike)."""
    return {"marts_schema": marts_schema, "small_number_threshold": settings.small_number_threshold}


@contextmanager
def build_lock(url: str) -> Iterator[None]:
    """A session lock for one build: a second transform waits instead of building into the same shadow schema."""
    with connect(url, autocommit=True) as lock_conn:
        lock_conn.execute("select pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        yield


def _reset_shadow(url: str) -> str:
    """An empty shadow schema (whatever a killed or failed build left goes), stamped with a new build id."""
    build = uuid.uuid4().hex
    with connect(url, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {SHADOW_SCHEMA} cascade")
        conn.execute(f"create schema {SHADOW_SCHEMA}")
        conn.execute(sql.SQL("comment on schema {} is {}").format(
            sql.Identifier(SHADOW_SCHEMA), sql.Literal(f"build {build}")))
    return build


def prepare_shadow(url: str) -> str:
    """The transform DAG's start: waits for an in-process transform to finish, then an empty shadow schema; returns
    the build id that ``publish_marts`` checks (the DAG's tasks run in processes of their own, so no session lock
    spans its build)."""
    with build_lock(url):
        return _reset_shadow(url)


def build_shadow(url: str, settings: Settings) -> DbtRun:
    """``dbt build`` with the marts in the shadow schema; raises TransformError unless everything passed."""
    run = run_dbt(url, settings, ["build", *NIGHTLY_BUILD_EXCLUDES, "--vars", json.dumps(dbt_vars(settings))])
    if run.returncode != 0:
        detail = "; ".join(run.failures[:10]) or f"dbt exited with code {run.returncode}"
        raise TransformError(f"dbt build failed, published marts left unchanged: {detail}")
    if run.warnings:
        log.warning("dbt build passed with %d warning(s): %s", len(run.warnings), "; ".join(run.warnings))
    return run


def publish_marts(url: str, inputs: str | None = None, build: str | None = None) -> None:
    """Swap the shadow schema into ``marts`` in one transaction (readers see the old or the new, never a mix).

    Grants belong to the schema and its tables, not to the name ``marts``: bi_reader is granted the new marts
    inside the same transaction, and loses the previous ones (BI reads `marts` only). ``inputs`` is the
    fingerprint (:func:`marts_inputs`) taken when the build started, recorded with the publication; ``build`` the id
    :func:`prepare_shadow` returned (checked: the shadow schema must still be this build's).
    """
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (TRANSFORM_LOCK_KEY,))
        exists = {r[0] for r in conn.execute("select nspname from pg_namespace where nspname like 'marts%%'")}
        _check_publishable(conn, exists, build)
        conn.execute(f"grant usage on schema {SHADOW_SCHEMA} to {BI_ROLE}")
        conn.execute(f"grant select on all tables in schema {SHADOW_SCHEMA} to {BI_ROLE}")
        conn.execute(f"drop schema if exists {PREVIOUS_SCHEMA} cascade")
        if LIVE_SCHEMA in exists:
            conn.execute(f"alter schema {LIVE_SCHEMA} rename to {PREVIOUS_SCHEMA}")
            conn.execute(f"revoke all on schema {PREVIOUS_SCHEMA} from {BI_ROLE}")
        conn.execute(f"alter schema {SHADOW_SCHEMA} rename to {LIVE_SCHEMA}")
        _record_publication(conn, "all", inputs)
    log.info("published: %s swapped into %s", SHADOW_SCHEMA, LIVE_SCHEMA)


def publish_data_quality(url: str, inputs: str | None = None, build: str | None = None) -> None:
    """Swap ``marts_shadow.data_quality`` in for ``marts.data_quality`` in one transaction; the rest of the marts
    stays as published (a night with nothing new)."""
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (TRANSFORM_LOCK_KEY,))
        exists = {r[0] for r in conn.execute("select nspname from pg_namespace where nspname like 'marts%%'")}
        _check_publishable(conn, exists, build)
        if LIVE_SCHEMA not in exists:
            raise TransformError(f"no published marts to refresh {DATA_QUALITY_MODEL} in: run a full build first")
        conn.execute(f"drop table if exists {LIVE_SCHEMA}.{DATA_QUALITY_MODEL}")
        conn.execute(f"alter table {SHADOW_SCHEMA}.{DATA_QUALITY_MODEL} set schema {LIVE_SCHEMA}")
        conn.execute(f"grant select on {LIVE_SCHEMA}.{DATA_QUALITY_MODEL} to {BI_ROLE}")
        conn.execute(f"drop schema {SHADOW_SCHEMA} cascade")
        _record_publication(conn, DATA_QUALITY_MODEL, inputs)
    log.info("published: %s.%s refreshed (nothing else new)", LIVE_SCHEMA, DATA_QUALITY_MODEL)


def _check_publishable(conn: psycopg.Connection, exists: set[str], build: str | None) -> None:
    if SHADOW_SCHEMA not in exists:
        raise TransformError(f"nothing to publish: schema {SHADOW_SCHEMA} does not exist (run the build first)")
    stamp = conn.execute("select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = %s",
                         (SHADOW_SCHEMA,)).fetchone()[0]
    if build is not None and stamp != f"build {build}":
        raise TransformError(
            f"{SHADOW_SCHEMA} was emptied and rebuilt by another transform during this build (a manual `python -m"
            f" ingestion transform`?): nothing published, the marts are unchanged; run the transform again")
    if not conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone():
        raise TransformError(f"role {BI_ROLE} does not exist: run `python -m ingestion migrate` first")


def _record_publication(conn: psycopg.Connection, scope: str, inputs: str | None) -> None:
    conn.execute(
        "insert into audit.marts_publication (relations, scope, inputs)"
        " select count(*), %s, %s from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'v')",
        (scope, inputs, LIVE_SCHEMA),
    )


def _input_files(settings: Settings) -> Iterator[tuple[str, Path]]:
    from ingestion import report

    roots = [("dbt", settings.dbt_project_dir / name) for name in DBT_INPUTS]
    roots.append(("report", Path(report.__file__).resolve().parent))
    for label, root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" not in path.parts:
                yield f"{label}:{path.relative_to(root.parent).as_posix()}", path


def marts_inputs(conn: psycopg.Connection, settings: Settings) -> str:
    """Fingerprint of what the published marts and the report are made of: the published batches (staging reads
    nothing else of raw), the dbt project, its vars and the report code. Equal fingerprints give equal marts,
    but for data_quality, which also reads the audit and the clock."""
    digest = hashlib.sha256()
    for name, path in _input_files(settings):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(dbt_vars(settings, LIVE_SCHEMA), sort_keys=True).encode())
    count, batches = conn.execute(
        "select count(*), coalesce(md5(string_agg(batch_id::text, ',' order by batch_id)), '')"
        " from audit.load_batch where status = 'published'"
    ).fetchone()
    digest.update(f"published:{count}:{batches}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class RefreshPlan:
    """What tonight's transform has to do: ``full`` (build and publish everything) or only data_quality."""

    full: bool
    inputs: str
    reason: str


def plan_refresh(url: str, settings: Settings, *, force_full: bool = False) -> RefreshPlan:
    """Full when asked, when no marts are published, or when the inputs differ from the last full publish."""
    with connect(url) as conn:
        inputs = marts_inputs(conn, settings)
        last = conn.execute(
            "select inputs, published_at from audit.marts_publication where scope = 'all'"
            " order by publication_id desc limit 1"
        ).fetchone()
        live = conn.execute("select 1 from pg_namespace where nspname = %s", (LIVE_SCHEMA,)).fetchone()
    if force_full:
        plan = RefreshPlan(True, inputs, "a full rebuild was asked for")
    elif not live or last is None:
        plan = RefreshPlan(True, inputs, "no marts published yet")
    elif last[0] != inputs:
        plan = RefreshPlan(True, inputs, f"new published batches or project changes since {last[1]:%Y-%m-%d %H:%M}")
    else:
        plan = RefreshPlan(False, inputs, f"nothing new since the publish of {last[1]:%Y-%m-%d %H:%M %Z}")
    log.info("transform plan: %s (%s)", "full build" if plan.full else f"only {DATA_QUALITY_MODEL}", plan.reason)
    return plan


def build_data_quality(url: str, settings: Settings) -> DbtRun:
    """``dbt build`` of data_quality alone (and its data tests) into the shadow schema; the staging views and seeds
    it reads are the published ones."""
    args = ["build", "--select", DATA_QUALITY_MODEL, *NIGHTLY_BUILD_EXCLUDES, "--vars", json.dumps(dbt_vars(settings))]
    run = run_dbt(url, settings, args)
    if run.returncode != 0:
        detail = "; ".join(run.failures[:10]) or f"dbt exited with code {run.returncode}"
        raise TransformError(f"dbt build of {DATA_QUALITY_MODEL} failed, published marts left unchanged: {detail}")
    return run


def refresh_data_quality(url: str, settings: Settings, inputs: str | None = None) -> DbtRun:
    """A night with nothing new: data_quality rebuilt and swapped in, the rest of the marts as published."""
    with build_lock(url):
        return _data_quality_pass(url, settings, inputs)


def _data_quality_pass(url: str, settings: Settings, inputs: str | None) -> DbtRun:
    build = _reset_shadow(url)
    run = build_data_quality(url, settings)
    publish_data_quality(url, inputs, build)
    return run


def _full_pass(url: str, settings: Settings, inputs: str | None) -> DbtRun:
    build = _reset_shadow(url)
    run = build_shadow(url, settings)
    publish_marts(url, inputs, build)
    return run


class RefreshLate(RuntimeError):
    """The marts were not published since the night began: BI is reading yesterday's figures."""


def check_published_since(url: str, since: datetime) -> datetime:
    """The time of the first marts publication at or after ``since``; RefreshLate when there is none."""
    with connect(url) as conn:
        row = conn.execute(
            "select min(published_at), (select max(published_at) from audit.marts_publication)"
            " from audit.marts_publication where published_at >= %s",
            (since,),
        ).fetchone()
    if row[0] is None:
        last = f"the last was at {row[1]:%Y-%m-%d %H:%M %Z}" if row[1] else "there never was one"
        raise RefreshLate(
            f"the marts were not published since {since:%Y-%m-%d %H:%M %Z} ({last}): BI still reads the"
            " previous night's figures; see the source and transform DAG runs of tonight"
        )
    return row[0]


def build_and_publish(url: str, settings: Settings) -> DbtRun:
    """The full build, then the publish (``python -m ingestion transform``; no check for changes)."""
    with build_lock(url):
        with connect(url) as conn:
            inputs = marts_inputs(conn, settings)
        return _full_pass(url, settings, inputs)


def refresh(url: str, settings: Settings, *, force_full: bool = False) -> tuple[RefreshPlan, DbtRun]:
    """The nightly transform: the full build and publish when anything it reads changed, else data_quality only."""
    with build_lock(url):
        plan = plan_refresh(url, settings, force_full=force_full)
        run = (_full_pass if plan.full else _data_quality_pass)(url, settings, plan.inputs)
    return plan, run


def docs_dir(settings: Settings) -> Path:
    return settings.local_dir / "dbt_docs"


def generate_docs(url: str, settings: Settings) -> Path:
    """``dbt docs generate`` of the published marts into ``<local dir>/dbt_docs`` (index.html with the manifest
    and catalog beside it; `dbt docs serve --target-path` or any static web server shows it)."""
    target = docs_dir(settings)
    run = run_dbt(
        url, settings, ["docs", "generate", "--vars", json.dumps(dbt_vars(settings, LIVE_SCHEMA))], target_dir=target
    )
    if run.returncode != 0:
        raise TransformError(f"dbt docs generate exited with code {run.returncode}")
    return target / "index.html"


def write_manifest(settings: Settings) -> Path:
    """``dbt parse`` into the project's own ``target/``: the manifest the transform DAG renders its tasks from
    (one per seed, model and model's tests). Needs no warehouse. Run again after changing the dbt project."""
    target = settings.dbt_project_dir / "target"
    run = run_dbt(None, settings, ["parse"], target_dir=target)
    if run.returncode != 0:
        raise TransformError(f"dbt parse exited with code {run.returncode}")
    return target / "manifest.json"
