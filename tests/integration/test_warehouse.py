"""Warehouse URL handling and migrations."""

from __future__ import annotations

import getpass

import psycopg
import pytest

from ingestion.warehouse import dbt_env, migrate, migration_files, redact


def test_dbt_env_from_a_full_url() -> None:
    env = dbt_env("postgresql://etl:s%40cret@db.example:6543/warehouse")
    assert env == {"DBT_PG_HOST": "db.example", "DBT_PG_PORT": "6543", "DBT_PG_USER": "etl",
                   "DBT_PG_PASSWORD": "s@cret", "DBT_PG_DBNAME": "warehouse"}


def test_dbt_env_fills_gaps_like_libpq(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PGUSER", "PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE"):
        monkeypatch.delenv(name, raising=False)
    env = dbt_env("postgresql://127.0.0.1:5432/programmamonitor")
    assert env["DBT_PG_USER"] == getpass.getuser() and env["DBT_PG_PASSWORD"] == ""
    monkeypatch.setenv("PGUSER", "reporter")
    assert dbt_env("postgresql://127.0.0.1/x")["DBT_PG_USER"] == "reporter"


def test_redact_hides_the_password() -> None:
    assert redact("postgresql://etl:secret@h:5432/db") == "postgresql://etl:***@h:5432/db"
    assert redact("postgresql://etl@h/db") == "postgresql://etl@h/db"


def test_migrations_are_applied_once(fresh_warehouse_url: str) -> None:
    assert migrate(fresh_warehouse_url) == []  # the fixture applied them already
    with psycopg.connect(fresh_warehouse_url) as conn:
        names = [r[0] for r in conn.execute("select name from audit.schema_migration")]
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
    assert names == [name for name, _ in migration_files()] and {"raw", "audit"} <= schemas


def test_the_relations_of_renamed_dbt_models_are_dropped(fresh_warehouse_url: str) -> None:
    """A warehouse built before intermediate/ was grouped by subject holds int_indicator_values__cbs (a table) and
    int_indicator_feeds (a view reading it): dbt would leave them behind with stale rows; migration 008 drops them,
    and leaves the renamed models alone."""
    with psycopg.connect(fresh_warehouse_url, autocommit=True) as conn:
        conn.execute("create table intermediate.int_indicator_values__cbs (indicator_code text)")
        conn.execute("create view intermediate.int_indicator_feeds as"
                     " select * from intermediate.int_indicator_values__cbs")
        conn.execute("create table intermediate.int_cbs__indicator_values (indicator_code text)")
        conn.execute("delete from audit.schema_migration where name like '008%'")
    assert migrate(fresh_warehouse_url) == ["008_renamed_dbt_models.sql"]
    with psycopg.connect(fresh_warehouse_url) as conn:
        left = {r[0] for r in conn.execute(
            "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where nspname = 'intermediate' and relkind in ('r', 'v')")}
    assert left == {"int_cbs__indicator_values"}
