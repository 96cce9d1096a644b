"""``python -m ingestion doctor``: is this set-up able to run tonight's pipeline, and if not, what to do about it.

Each check is a small function returning a :class:`Check`: ``ok``, ``warn`` (works, but look at it) or ``fail``
(tonight's run would break), with the cause and a concrete fix. ``doctor`` exits 1 when any check fails; warnings
never block. Nothing secret is ever printed: the warehouse URL is shown without its password and the
pseudonymisation key only by its length.

The checks only read, except where reading cannot tell: a drop folder is proven writable by creating and removing
a probe file in it (``os.access`` answers yes to root whatever the truth is), and ``dbt parse`` writes its manifest
into a temporary folder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ingestion.config import ConfigurationError, Settings

OK, WARN, FAIL = "ok", "warn", "fail"
# How long a check may wait for a server that does not answer: a doctor that hangs is no help at night.
CONNECT_TIMEOUT_SECONDS = 5
HTTP_TIMEOUT_SECONDS = 10
# The distribution whose pins (pyproject.toml's dependencies) the installed packages are compared with.
DISTRIBUTION = "programmamonitor"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    message: str  # what was found (the cause, when not ok)
    fix: str = ""  # what to do about it (not ok only)

    @property
    def blocking(self) -> bool:
        return self.status == FAIL

    def line(self) -> str:
        text = f"{self.status.upper():<4}  {self.name:<16} {self.message}"
        return f"{text}  ->  fix: {self.fix}" if self.fix and self.status != OK else text


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --- the checks --------------------------------------------------------------------------------------------------


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] != (3, 11):
        return Check("python", FAIL, f"Python {version}; the pins are made for 3.11",
                     "recreate the virtualenv with Python 3.11 (`make clean install`, or the Docker image)")
    return Check("python", OK, f"Python {version} ({sys.executable})")


def check_packages() -> Check:
    """The installed packages against the exact pins of the project's own dependencies."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return Check("packages", FAIL, f"the {DISTRIBUTION} package is not installed in this Python",
                     "run `make install` (or `pip install -c requirements.lock -e .`) in this virtualenv")
    pins = {}
    for requirement in requirements:
        if "extra ==" in requirement:
            continue  # dev and test extras are not needed to run a night
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+?)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)", requirement)
        if match:
            pins[match.group(1)] = match.group(2)
    missing, different = [], []
    for name, wanted in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        if installed != wanted:
            different.append(f"{name} {installed} (pinned {wanted})")
    if missing:
        return Check("packages", FAIL, f"not installed: {', '.join(missing)}",
                     "run `make install` (exact pins from requirements.lock)")
    if different:
        return Check("packages", WARN, f"versions differ from the pins: {'; '.join(different)}",
                     "reinstall with the pins: `make clean install`, or rebuild the Docker image")
    return Check("packages", OK, f"{len(pins)} pinned packages as pinned (airflow {metadata.version('apache-airflow')},"
                                 f" dbt-core {metadata.version('dbt-core')}, "
                                 f"great-expectations {metadata.version('great-expectations')})")


def check_warehouse(cfg: Settings) -> Check:
    """Reachable; every migration applied; the schemas and the BI role in place; marts published (else a warning)."""
    import psycopg

    from ingestion.warehouse import BI_ROLE, MIGRATE_COMMAND, pending_migrations, redact

    if not cfg.warehouse_url:
        return Check("warehouse", FAIL, "no warehouse configured (WAREHOUSE_URL is not set)",
                     "set WAREHOUSE_URL=postgresql://user:password@host:5432/programmamonitor (see .env.example); "
                     "`make run` sets it to the embedded PostgreSQL")
    shown = redact(cfg.warehouse_url)
    try:
        conn = psycopg.connect(cfg.warehouse_url, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                               application_name="programmamonitor-doctor")
    except psycopg.Error as exc:
        # libpq's message names host and port, never the password.
        return Check("warehouse", FAIL, f"cannot connect to {shown}: {_one_line(exc)}",
                     "start the warehouse PostgreSQL (`docker compose up -d warehouse-db`, or `make run` for the "
                     "embedded one) or correct WAREHOUSE_URL; test with `psql \"$WAREHOUSE_URL\" -c 'select 1'`")
    with conn:
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
        pending = pending_migrations(conn)
        has_role = conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone() is not None
        # The programme report reads the marts as bi_reader (SET ROLE): the pipeline's login must be a member.
        reads_as_bi = has_role and conn.execute("select pg_has_role(current_user, %s, 'member')",
                                                (BI_ROLE,)).fetchone()[0]
        version = conn.execute("show server_version").fetchone()[0]
    missing = [s for s in ("raw", "audit", "staging", "intermediate", "reference") if s not in schemas]
    if pending or missing or not has_role:
        problems = []
        if pending:
            problems.append(f"{len(pending)} migration(s) not applied ({', '.join(pending)})")
        if missing:
            problems.append(f"schema(s) missing: {', '.join(missing)}")
        if not has_role:
            problems.append(f"role {BI_ROLE} missing")
        return Check("warehouse", FAIL, f"{shown}: {'; '.join(problems)}",
                     f"run `{MIGRATE_COMMAND}` with the pipeline's login (every source DAG does it first)")
    if not reads_as_bi:
        return Check("warehouse", WARN, f"{shown}: the pipeline's login is no member of {BI_ROLE}, so the programme "
                                        "report cannot read the marts",
                     f"as a superuser or a role with ADMIN on {BI_ROLE}: grant {BI_ROLE} to <the pipeline's login>")
    if "marts" not in schemas:
        return Check("warehouse", WARN, f"{shown} (PostgreSQL {version}) is migrated, but no marts were published yet",
                     "run a night: `make run`, or trigger the source DAGs and programmamonitor_transform")
    return Check("warehouse", OK, f"{shown} (PostgreSQL {version}): migrated, role {BI_ROLE}, marts published")


def check_airflow_metadata() -> Check:
    """The Airflow metadata database: reachable, and migrated (its alembic_version table)."""
    try:
        from airflow.configuration import conf
        from sqlalchemy import create_engine, inspect
        from sqlalchemy.engine import make_url
    except Exception as exc:  # noqa: BLE001 - any import failure is the finding
        return Check("airflow-db", FAIL, f"cannot import Airflow: {_one_line(exc)}", "run `make install`")
    url = conf.get("database", "sql_alchemy_conn")
    shown = make_url(url).render_as_string(hide_password=True)
    args = {} if url.startswith("sqlite") else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        if path and not Path(path).exists():
            return Check("airflow-db", WARN, f"{shown} does not exist yet",
                         "run `airflow db migrate` (`make run` does it) with this AIRFLOW_HOME")
    engine = create_engine(url, connect_args=args)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy and driver errors alike
        return Check("airflow-db", FAIL, f"cannot connect to {shown}: {_one_line(exc)[:300]}",
                     "start Airflow's metadata PostgreSQL (`docker compose up -d airflow-metadata-db`) or correct "
                     "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    finally:
        engine.dispose()
    if "alembic_version" not in tables or "dag_run" not in tables:
        return Check("airflow-db", WARN, f"{shown} is reachable but not migrated",
                     "run `airflow db migrate` (`make run` and the compose service airflow-init do it)")
    return Check("airflow-db", OK, f"{shown}: migrated")


def probe_folder(folder: Path) -> str | None:
    """None when a file can be created, read back and removed in ``folder`` (created when missing, as the pipeline
    would); else why not. Tried for real: root passes os.access whatever the folder is."""
    probe = folder / f".doctor-probe-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        list(os.scandir(folder))
        probe.write_bytes(b"probe")
        if probe.read_bytes() != b"probe":
            return "a probe file read back differently"
        probe.unlink()
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return None


def check_drop_folders(cfg: Settings) -> Check:
    from ingestion.files.drop import drop_folder
    from ingestion.sources.registry import file_sources

    problems = []
    for source in file_sources():
        folder = drop_folder(cfg, source)
        for path in (folder, folder / "quarantine"):
            reason = probe_folder(path)
            if reason:
                problems.append(f"{path}: {reason}")
    if problems:
        return Check("drop-folders", FAIL, "not readable and writable: " + "; ".join(problems),
                     "make DROP_DIR a folder (not a file) the Airflow workers' user may write, with a sub-folder per "
                     "source; in Docker mount the volume on /data/drop (see docker-compose.yml)")
    return Check("drop-folders", OK, f"{cfg.drop_dir}/{{{','.join(file_sources())}}} and their quarantine/ writable")


def check_output_folders(cfg: Settings) -> Check:
    problems = []
    for label, folder in (("PROGRAMMAMONITOR_LOCAL_DIR", cfg.local_dir), ("DATA_DOCS_DIR", cfg.data_docs_dir),
                          ("REPORTS_DIR", cfg.reports_dir)):
        reason = probe_folder(folder)
        if reason:
            problems.append(f"{label} {folder}: {reason}")
    if problems:
        return Check("output-folders", FAIL, "not writable: " + "; ".join(problems),
                     "point the setting to a folder the workers' user may write")
    return Check("output-folders", OK, "dbt target and logs, Data Docs and report folders writable")


def check_pseudonym_key(cfg: Settings) -> Check:
    from ingestion.privacy.pseudonym import MIN_KEY_LENGTH

    key = cfg.pseudonym_key
    generate = "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
    if key and len(key) < MIN_KEY_LENGTH:
        return Check("pseudonym-key", FAIL, f"PSEUDONYM_KEY is set but has {len(key)} characters (< {MIN_KEY_LENGTH})",
                     f"set it to at least {MIN_KEY_LENGTH} random characters from the secrets store ({generate}); "
                     "if Werkplein data was already loaded with a key, keep that key (docs/runbook.md: rotation)")
    if key:
        return Check("pseudonym-key", OK, f"PSEUDONYM_KEY is set ({len(key)} characters; never shown)")
    if cfg.source_mode == "recorded":
        return Check("pseudonym-key", WARN, "PSEUDONYM_KEY is not set: the demo key is used (SOURCE_MODE=recorded)",
                     f"before loading real Werkplein files set PSEUDONYM_KEY ({generate}) in the secrets store")
    return Check("pseudonym-key", FAIL, "PSEUDONYM_KEY is not set: the Werkplein load refuses personal data without it",
                 f"set PSEUDONYM_KEY from the secrets store (the key used so far; a new one: {generate}) in the "
                 "workers' environment (.env beside docker-compose.yml)")


def check_pseudonym_history(cfg: Settings) -> Check:
    """The key in use is the one the published Werkplein history was pseudonymised with (its key id per batch)."""
    import psycopg

    from ingestion.privacy.pseudonym import PseudonymKeyMissing, key_id, resolve_key

    try:
        current = key_id(resolve_key(cfg.pseudonym_key, cfg.source_mode))
    except PseudonymKeyMissing:
        return Check("key-history", WARN, "no usable key to compare (see pseudonym-key)", "set PSEUDONYM_KEY first")
    if not cfg.warehouse_url:
        return Check("key-history", WARN, "no warehouse to compare with (see warehouse)", "set WAREHOUSE_URL first")
    try:
        with psycopg.connect(cfg.warehouse_url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            if not conn.execute("select to_regclass('audit.load_batch')").fetchone()[0]:
                return Check("key-history", OK, "no Werkplein history yet: any key starts it")
            used = conn.execute(
                "select request_params->>'pseudonym_key_id', count(*) from audit.load_batch"
                " where status = 'published' and request_params ? 'pseudonym_key_id' group by 1").fetchall()
    except psycopg.Error as exc:
        return Check("key-history", WARN, f"warehouse not readable: {_one_line(exc)}", "see the warehouse check")
    other = sum(n for kid, n in used if kid != current)
    if other:
        return Check("key-history", FAIL,
                     f"PSEUDONYM_KEY is not the key {other} published Werkplein batch(es) were pseudonymised with: "
                     "tonight's files would give every person a new pseudonym (false in- and uitstroom, herinstroom "
                     "history broken)",
                     "restore the previous key from the secrets store; a deliberate rotation is a reload of the "
                     "history with the new key (docs/runbook.md: rotating the pseudonymisation key)")
    same = sum(n for _, n in used)
    return Check("key-history", OK, f"the key of the published Werkplein history ({same} batch(es))" if same
                 else "no Werkplein history yet: any key starts it")


def check_cbs(cfg: Settings) -> Check:
    """Live: one metadata request to CBS with a short timeout. Recorded (demo): every configured table recorded."""
    from ingestion.sources.cbs.table_config import TableConfig, configured_tables

    try:
        tables = configured_tables(cfg)
    except Exception as exc:  # noqa: BLE001 - a broken YAML or a bad entry alike
        return Check("cbs", FAIL, f"CBS_TABLES_FILE {cfg.cbs_tables_file} cannot be read: {_one_line(exc)}",
                     "correct the file (its header explains every key) or point CBS_TABLES_FILE to a good one")
    if cfg.source_mode == "recorded":
        first_file = {"v3": "TableInfos.json", "v4": "Properties.json"}
        missing = []
        for table in tables:
            api = TableConfig.from_settings(cfg, table).api
            if not (cfg.cbs_recordings_dir / api / table / first_file.get(api, "")).is_file():
                missing.append(table)
        if missing:
            return Check("cbs", FAIL, f"demo mode, but no recording for {', '.join(missing)} under "
                                      f"{cfg.cbs_recordings_dir}",
                         "record the table's responses (docs/checklists/adding-a-cbs-table.md) or set SOURCE_MODE=live")
        return Check("cbs", OK, f"demo mode (SOURCE_MODE=recorded): {len(tables)} tables served from "
                                f"{cfg.cbs_recordings_dir}, no network")
    import requests

    first = TableConfig.from_settings(cfg, tables[0])
    url = (f"{cfg.cbs_odata_v4_url}/{tables[0]}/Properties" if first.api == "v4"
           else f"{cfg.cbs_odata_url}/ODataFeed/odata/{tables[0]}/TableInfos")
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        return Check("cbs", FAIL, f"CBS API not reachable ({url}): {_one_line(exc)[:300]}",
                     "check the workers' outbound HTTPS (proxy, firewall) to CBS_ODATA_URL / CBS_ODATA_V4_URL / "
                     "CBS_DATADERDEN_URL; "
                     "CBS outages pass: the next night loads what was missed")
    if response.status_code != 200:
        return Check("cbs", FAIL, f"CBS API answered {response.status_code} for {url}",
                     "check CBS_ODATA_URL / CBS_ODATA_V4_URL / CBS_DATADERDEN_URL and the table id in "
                     "CBS_TABLES_FILE")
    return Check("cbs", OK, f"CBS API reachable ({url}: 200)")


def check_cbs_tables(cfg: Settings) -> Check:
    """The CBS pre-flight (ingestion/sources/cbs/preflight.py): every configured table, key, kind and code against
    the tables' own metadata, from the live API or, in demo mode, the recordings. Metadata requests only."""
    from ingestion.sources.cbs.odata import CbsError
    from ingestion.sources.cbs.preflight import preflight

    try:
        checks = preflight(cfg)
    except (CbsError, OSError, ValueError) as exc:
        return Check("cbs-tables", FAIL, f"cbs_tables.yml cannot be checked: {_one_line(exc)[:300]}",
                     "correct ingestion/config/cbs_tables.yml (see docs/checklists/adding-a-cbs-table.md)")
    problems = [p for check in checks for p in check.problems]
    tables = sum(1 for check in checks if check.table_id != "indicator_formula.csv")
    if problems:
        listed = "\n" + "\n".join(f"        {p}" for p in problems)
        return Check("cbs-tables", FAIL, f"{len(problems)} problem(s) in cbs_tables.yml:{listed}",
                     "each line above ends with its own; the evidence per table is in ingestion/config/cbs_evidence/")
    return Check("cbs-tables", OK, f"{tables} tables: every configured key, kind and code is in CBS's metadata; "
                                   "the formulas fit the kinds they read")


def check_dbt_project(cfg: Settings) -> Check:
    """``dbt parse`` of DBT_PROJECT_DIR into a temporary target: the project compiles (refs, Jinja, yml)."""
    from ingestion.transform import run_dbt

    if not (cfg.dbt_project_dir / "dbt_project.yml").is_file():
        return Check("dbt-project", FAIL, f"no dbt_project.yml in DBT_PROJECT_DIR={cfg.dbt_project_dir}",
                     "point DBT_PROJECT_DIR to the dbt project (dbt_project/ in the checkout)")
    lines: list[str] = []
    handler = _Capture(lines)
    transform_log = logging.getLogger("ingestion.transform")
    level, propagate = transform_log.level, transform_log.propagate
    transform_log.addHandler(handler)
    transform_log.setLevel(logging.INFO)
    transform_log.propagate = False  # dbt's lines are the finding, not terminal output
    try:
        with tempfile.TemporaryDirectory(prefix="doctor-dbt-") as target:
            run = run_dbt(None, cfg, ["parse"], target_dir=Path(target))
    finally:
        transform_log.removeHandler(handler)
        transform_log.setLevel(level)
        transform_log.propagate = propagate
    if run.returncode != 0:
        errors = [line for line in lines if re.search(r"error|not found|Compilation|depends on", line, re.I)]
        detail = " ".join((errors or lines[-3:] or ["no output"])[-4:])
        return Check("dbt-project", FAIL, f"`dbt parse` of {cfg.dbt_project_dir} failed: {detail[:600]}",
                     "fix the model or yml dbt names (run `python -m ingestion manifest` to see the whole message); "
                     "until then the transform cannot build and the published marts stay as they are")
    return Check("dbt-project", OK, f"{cfg.dbt_project_dir} parses")


class _Capture(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.INFO)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("dbt: "):
            self.lines.append(message[5:].strip())


def check_expectation_suites(cfg: Settings) -> Check:
    """Every raw entity has a suite that GX accepts (expectation types and arguments)."""
    import json
    from datetime import date

    import great_expectations as gx

    from ingestion.sources.registry import file_sources
    from ingestion.validation import RunFacts, resolve_suite, suite_name

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # The file names' facts as the sources' example names give them, so the checks on them are checked too.
    examples = {k: v for s in file_sources().values() for k, v in s.name_facts(s.example_file_name).items()}

    entities = sorted({p.stem.removeprefix("raw_") for p in cfg.expectations_dir.glob("raw_*.json")})
    needed = ["cbs_observation", "cbs_table_info", "cbs_data_property", "cbs_dimension_code",
              "uwv_spanningsindicator", "kennispunt_waarde", "werkplein_uitkering", "werkplein_voorziening",
              "werkplein_activiteit", "handmatig_waarde"]
    problems = [f"{suite_name(e)}.json missing" for e in needed if e not in entities]
    for entity in entities:
        path = cfg.expectations_dir / f"{suite_name(entity)}.json"
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
            if suite.get("name") != suite_name(entity):
                raise ValueError(f"suite name is {suite.get('name')!r}")
            # As it runs tonight: run-time placeholders filled (no previous batch: relative bounds left out).
            gx.ExpectationSuite(**resolve_suite(suite, RunFacts(date.today(), entity, None, delivery=examples)))
        except Exception as exc:  # noqa: BLE001 - JSON, name and GX errors alike are the finding
            problems.append(f"{path.name}: {_one_line(exc)[:200]}")
    if problems:
        return Check("gx-suites", FAIL, f"in {cfg.expectations_dir}: " + "; ".join(problems),
                     "restore the suite from git or correct it (expectations/README.md); EXPECTATIONS_DIR says where")
    return Check("gx-suites", OK, f"{len(entities)} suites load ({cfg.expectations_dir})")


def check_disk(cfg: Settings) -> Check:
    """Free space where the drop folders, the dbt target and Data Docs grow; the warehouse's own disk is the DBA's
    (the raw schema's size is shown for the retention decision)."""
    needed = cfg.min_free_disk_gb
    lowest: tuple[float, Path] | None = None
    for folder in (cfg.drop_dir, cfg.local_dir, cfg.data_docs_dir):
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is None:
            continue
        free = shutil.disk_usage(existing).free / 2**30
        if lowest is None or free < lowest[0]:
            lowest = (free, folder)
    raw = _raw_size(cfg)
    if lowest is None:
        return Check("disk", WARN, "no data folder exists yet", "run `make run` or create DROP_DIR")
    free, folder = lowest
    if free < needed:
        return Check("disk", FAIL, f"{free:.1f} GiB free under {folder} (< MIN_FREE_DISK_GB={needed:g}){raw}",
                     "free space or grow the volume; `python -m ingestion retention --dry-run` shows what the "
                     "retention policy would remove; remove loaded Werkplein files from the drop folder")
    return Check("disk", OK, f"{free:.1f} GiB free (lowest, under {folder}; needs {needed:g}){raw}")


def _raw_size(cfg: Settings) -> str:
    if not cfg.warehouse_url:
        return ""
    try:
        import psycopg

        with psycopg.connect(cfg.warehouse_url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            size = conn.execute(
                "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c"
                " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'raw' and c.relkind = 'r'"
            ).fetchone()[0]
    except Exception:  # noqa: BLE001 - the warehouse check reports an unreachable warehouse
        return ""
    return f"; raw schema {size / 2**20:.0f} MiB"


# --- running them ------------------------------------------------------------------------------------------------


def run_checks(cfg: Settings | None = None, env: dict[str, str] | None = None) -> list[Check]:
    """Every check, in the order a night needs them. A check that raises is reported as failing, not as a crash."""
    try:
        cfg = cfg or Settings.from_env(env)
    except (ConfigurationError, ValueError) as exc:
        return [Check("settings", FAIL, _one_line(exc), "correct the setting (see .env.example)")]
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("python", check_python),
        ("packages", check_packages),
        ("settings", lambda: Check("settings", OK, f"SOURCE_MODE={cfg.source_mode}")),
        ("warehouse", lambda: check_warehouse(cfg)),
        ("airflow-db", check_airflow_metadata),
        ("drop-folders", lambda: check_drop_folders(cfg)),
        ("output-folders", lambda: check_output_folders(cfg)),
        ("pseudonym-key", lambda: check_pseudonym_key(cfg)),
        ("key-history", lambda: check_pseudonym_history(cfg)),
        ("cbs", lambda: check_cbs(cfg)),
        ("cbs-tables", lambda: check_cbs_tables(cfg)),
        ("dbt-project", lambda: check_dbt_project(cfg)),
        ("gx-suites", lambda: check_expectation_suites(cfg)),
        ("disk", lambda: check_disk(cfg)),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(check())
        except Exception as exc:  # noqa: BLE001 - a broken check is a finding, the others still run
            results.append(Check(name, FAIL, f"the check itself failed: {type(exc).__name__}: {_one_line(exc)[:300]}",
                                 "run `python -m ingestion -v doctor` for the traceback"))
            logging.getLogger(__name__).debug("check %s", name, exc_info=True)
    return results


def render(results: list[Check]) -> str:
    failed = sum(c.blocking for c in results)
    warned = sum(c.status == WARN for c in results)
    verdict = (f"{failed} blocking problem(s): tonight's run would fail" if failed
               else "ready for tonight's run" + (f" ({warned} warning(s))" if warned else ""))
    return "\n".join([*(c.line() for c in results), verdict])
