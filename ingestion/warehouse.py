"""The warehouse connection, its schema migrations, and the dbt profile derived from the same URL."""

from __future__ import annotations

import getpass
import logging
import os
from importlib import resources
from urllib.parse import unquote, urlsplit

import psycopg

log = logging.getLogger(__name__)

# Serialises migrations when several tasks start at once (any constant, shared by every process).
MIGRATION_LOCK_KEY = 7_141_000_001


def connect(url: str, *, autocommit: bool = False, application_name: str = "programmamonitor") -> psycopg.Connection:
    return psycopg.connect(url, autocommit=autocommit, application_name=application_name)


def migration_files() -> list[tuple[str, str]]:
    sql_dir = resources.files("ingestion") / "sql"
    files = sorted(p for p in sql_dir.iterdir() if p.name.endswith(".sql"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def migrate(url: str) -> list[str]:
    """Apply the numbered SQL files in ingestion/sql that this warehouse has not seen yet; returns their names."""
    applied: list[str] = []
    with connect(url) as conn:
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
    return applied


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
