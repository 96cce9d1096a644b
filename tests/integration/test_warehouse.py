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


def test_every_raw_row_needs_a_registered_batch_checked_per_statement(fresh_warehouse_url: str) -> None:
    """Migration 009: the raw tables have no per-row foreign key any more; the same rule is held once per statement.
    A row of an unregistered batch is refused, as is deleting or truncating away a batch that still has raw rows
    (batch ids are generated always: never renumbered); a batch that has none can go."""
    with psycopg.connect(fresh_warehouse_url, autocommit=True) as conn:
        foreign_keys = conn.execute(
            "select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace"
            " where n.nspname = 'raw' and c.contype = 'f'").fetchone()[0]
        raw_tables = {r[0] for r in conn.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'raw' and column_name = 'batch_id'")}
        checked = {r[0] for r in conn.execute(
            "select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid"
            " where t.tgname = 'rows_have_a_batch_on_insert'")}
        assert foreign_keys == 0 and raw_tables and checked == raw_tables
        batch = conn.execute(
            "insert into audit.load_batch (source, entity, source_ref, source_mode)"
            " values ('handmatig', 'handmatig_waarde', 'x.csv', 'live') returning batch_id").fetchone()[0]
        insert = ("insert into raw.handmatig_waarde (batch_id, row_number, indicator_code, gemeentecode, periode,"
                  " period_code, waarde, eenheid, bron)"
                  " values (%s, 2, 'X', 'GM0141', '2024', '2024JJ00', 1, 'aantal', 'test')")
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="batch_id 999999 is not in audit.load_batch"):
            conn.execute(insert, (999999,))
        conn.execute(insert, (batch,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="still has rows in raw.handmatig_waarde"):
            conn.execute("delete from audit.load_batch where batch_id = %s", (batch,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("update raw.handmatig_waarde set batch_id = 999999 where batch_id = %s", (batch,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="a batch still has rows in raw"):
            conn.execute("truncate audit.load_batch cascade")
        conn.execute("delete from raw.handmatig_waarde where batch_id = %s", (batch,))
        conn.execute("delete from audit.load_batch where batch_id = %s", (batch,))


def test_a_batch_being_loaded_cannot_be_deleted_under_the_load(fresh_warehouse_url: str) -> None:
    """The per-statement check locks the batch as the foreign key did: a delete waits for the loading transaction
    and then refuses, instead of leaving its rows without a batch."""
    import threading

    with psycopg.connect(fresh_warehouse_url) as loading, psycopg.connect(fresh_warehouse_url) as deleting:
        batch = loading.execute(
            "insert into audit.load_batch (source, entity, source_ref, source_mode)"
            " values ('handmatig', 'handmatig_waarde', 'y.csv', 'live') returning batch_id").fetchone()[0]
        loading.commit()
        loading.execute("insert into raw.handmatig_waarde (batch_id, row_number, indicator_code, gemeentecode,"
                        " periode, period_code, waarde, eenheid, bron)"
                        " values (%s, 2, 'X', 'GM0141', '2024', '2024JJ00', 1, 'aantal', 'test')", (batch,))
        outcome: list[BaseException | None] = []

        def delete() -> None:
            try:
                deleting.execute("delete from audit.load_batch where batch_id = %s", (batch,))
                deleting.commit()
                outcome.append(None)
            except psycopg.Error as exc:
                deleting.rollback()
                outcome.append(exc)

        thread = threading.Thread(target=delete)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the load's lock
        loading.commit()
        thread.join(timeout=10)
        assert isinstance(outcome[0], psycopg.errors.ForeignKeyViolation)
        count = loading.execute("select count(*) from raw.handmatig_waarde where batch_id = %s", (batch,)).fetchone()
        assert count[0] == 1
