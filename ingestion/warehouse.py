"""The warehouse connection, its schema migrations, and the dbt profile derived from the same URL."""

from __future__ import annotations

import getpass
import logging
import os
import re
from importlib import resources
from types import TracebackType
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import errors, sql

log = logging.getLogger(__name__)

# Serialises migrations when several tasks start at once (any constant, shared by every process).
MIGRATION_LOCK_KEY = 7_141_000_001
# Numbered migrations (001_landing.sql) run once each; ACCESS_SQL (roles and grants) runs on every migrate.
MIGRATION_NAME = re.compile(r"^\d{3}_[a-z0-9_]+\.sql$")
ACCESS_SQL = "access.sql"
# The group role of the BI accounts (ingestion/sql/access.sql): SELECT on the marts, nothing else.
BI_ROLE = "bi_reader"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# What the fix for an unmigrated warehouse is, in every message that reports one.
MIGRATE_COMMAND = "python -m ingestion migrate"
# What a statement fails with when the warehouse lacks what the migrations create: a table or schema (audit.*,
# raw.*), a column or function of a later migration, the bi_reader role (SET ROLE: invalid parameter value).
MISSING_OBJECT_ERRORS = (errors.UndefinedTable, errors.InvalidSchemaName, errors.UndefinedColumn,
                         errors.UndefinedFunction, errors.UndefinedObject, errors.InvalidParameterValue)


class NotMigratedError(RuntimeError):
    """The warehouse lacks what the migrations create: never migrated, or not since the code gained a migration."""


class WarehouseConnection(psycopg.Connection):
    """A connection to the warehouse that, when a ``with`` block on it fails for lack of a table, schema or role,
    tells whether the warehouse was migrated: if not, :class:`NotMigratedError` naming the fix replaces the
    database's error (which stays its ``__cause__``). Every command and DAG task connects through :func:`connect`,
    so this is the one place that turns "relation audit.load_batch does not exist" into what to do about it."""

    warehouse_url: str = ""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        super().__exit__(exc_type, exc_val, exc_tb)  # rolls back and closes first: the check has its own connection
        problem = not_migrated(self.warehouse_url, exc_val) if exc_val is not None and self.warehouse_url else None
        if problem is not None:
            raise problem from exc_val


def connect(url: str, *, autocommit: bool = False, application_name: str = "programmamonitor") -> psycopg.Connection:
    conn = WarehouseConnection.connect(url, autocommit=autocommit, application_name=application_name)
    conn.warehouse_url = url
    return conn


def pending_migrations(conn: psycopg.Connection) -> list[str]:
    """The numbered migrations (ingestion/sql) this warehouse has not applied: all of them when it never was."""
    applied: set[str] = set()
    if conn.execute("select to_regclass('audit.schema_migration')").fetchone()[0]:
        applied = {row[0] for row in conn.execute("select name from audit.schema_migration")}
    return [name for name, _ in migration_files() if name not in applied]


def not_migrated(url: str, exc: BaseException) -> NotMigratedError | None:
    """For a database error that a missing table, schema or role explains (``exc``): a :class:`NotMigratedError`
    naming ``python -m ingestion migrate`` when the warehouse at ``url`` has migrations to apply; else None (the
    warehouse is migrated, so the error has another cause, or the warehouse cannot be asked)."""
    if not isinstance(exc, MISSING_OBJECT_ERRORS):
        return None
    try:
        with psycopg.connect(url, connect_timeout=10, application_name="programmamonitor-migration-check") as conn:
            pending = pending_migrations(conn)
    except psycopg.Error:
        return None
    if not pending:
        return None
    total = len(migration_files())
    found = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    state = ("was never migrated" if len(pending) == total
             else f"is behind the code: {len(pending)} of {total} migrations not applied ({', '.join(pending)})")
    return NotMigratedError(
        f"the warehouse {redact(url)} {state} ({found}): run `{MIGRATE_COMMAND}` first"
        " (`make run` and every source DAG migrate before they load)"
    )


def migration_files() -> list[tuple[str, str]]:
    sql_dir = resources.files("ingestion") / "sql"
    files = sorted(p for p in sql_dir.iterdir() if MIGRATION_NAME.match(p.name))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def access_sql() -> str:
    return (resources.files("ingestion") / "sql" / ACCESS_SQL).read_text(encoding="utf-8")


def migrate(url: str, bi_login: tuple[str, str] | None = None) -> list[str]:
    """Apply the numbered SQL files in ingestion/sql that this warehouse has not seen yet, then the access rules
    (roles, grants; every time); returns the names of the numbered files applied.

    ``bi_login`` = (name, password): a login role for the dashboards, member of bi_reader, created or updated.
    """
    applied: list[str] = []
    # A plain connection: a migration that fails says why itself, not "run migrate".
    with psycopg.connect(url, application_name="programmamonitor") as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        conn.execute("create schema if not exists audit")
        conn.execute(
            "create table if not exists audit.schema_migration ("
            " name text primary key, applied_at timestamptz not null default now())"
        )
        done = {row[0] for row in conn.execute("select name from audit.schema_migration")}
        for name, sql in migration_files():
            if name in done:
                continue
            log.info("applying migration %s", name)
            conn.execute(sql)
            conn.execute("insert into audit.schema_migration (name) values (%s)", (name,))
            applied.append(name)
        conn.execute(access_sql())
        if bi_login:
            ensure_bi_login(conn, *bi_login)
    return applied


def ensure_bi_login(conn: psycopg.Connection, name: str, password: str) -> None:
    """A login role ``name`` with ``password``, member of bi_reader and nothing more; created or its password set.

    The password goes to the server as a SCRAM verifier computed here, so it never appears in statement logs.
    A role that can do more than log in (superuser, create roles or databases: e.g. the pipeline's own) is refused.
    """
    if not ROLE_NAME.match(name):
        raise ValueError(f"BI login name {name!r}: use lower-case letters, digits and _ (a PostgreSQL identifier)")
    existing = conn.execute(
        "select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls or rolreplication,"
        " rolname = current_user from pg_roles where rolname = %s",
        (name,),
    ).fetchone()
    if existing and any(existing):
        raise ValueError(f"BI login {name!r} is a privileged role (or the pipeline's own): choose another name")
    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
    role = sql.Identifier(name)
    if not existing:
        conn.execute(sql.SQL("create role {} login").format(role))
    conn.execute(sql.SQL("alter role {} login password {}").format(role, sql.Literal(verifier)))
    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(BI_ROLE), role))
    log.info("BI login %s: member of %s", name, BI_ROLE)


def dbt_env(url: str) -> dict[str, str]:
    """Environment variables read by dbt_project/profiles.yml, from a libpq URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"warehouse URL must be postgresql://..., got scheme {parts.scheme!r}")
    # What the URL leaves out, libpq takes from PG* variables and the OS user; dbt must connect the same way.
    user = unquote(parts.username or "") or os.environ.get("PGUSER") or getpass.getuser()
    return {
        "DBT_PG_HOST": parts.hostname or os.environ.get("PGHOST", "127.0.0.1"),
        "DBT_PG_PORT": str(parts.port or os.environ.get("PGPORT", 5432)),
        "DBT_PG_USER": user,
        "DBT_PG_PASSWORD": unquote(parts.password or "") or os.environ.get("PGPASSWORD", ""),
        "DBT_PG_DBNAME": unquote(parts.path.lstrip("/")) or os.environ.get("PGDATABASE") or user,
    }


def redact(url: str) -> str:
    """The URL without its password, for logs and summaries."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def with_database(url: str, dbname: str) -> str:
    """``url`` with its database replaced by ``dbname``."""
    return urlsplit(url)._replace(path=f"/{dbname}").geturl()
