"""Access: a member of bi_reader reads every mart and nothing else, and creates nothing, before and after a swap.

The role bi_reader is made by `migrate` (ingestion/sql/access.sql); the publish swap (ingestion/transform.py)
grants it the new marts in the same transaction. The test connects as a login role of its own, member of
bi_reader, made here and dropped afterwards (roles are cluster-wide).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from psycopg import errors, sql

from ingestion.transform import build_and_publish
from ingestion.warehouse import migrate
from tests.support.ledger import record
from tests.support.nights import Night, copy_of
from tests.support.settings import settings_for

# Everything BI must not read: raw (Werkplein personal data among it), audit (quarantine records), the dbt layers
# below the marts, the seeds, and the previous marts.
DENIED_SCHEMAS = ("raw", "audit", "staging", "intermediate", "reference", "marts_previous")


def as_login(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user)}:{quote(password)}@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


@pytest.fixture(scope="module")
def warehouse(pg_server_url: str, bijstand_night: Night) -> Iterator[tuple[str, str]]:
    """(owner URL, URL of a bi_reader member) of a warehouse with published marts: a copy of the run's bijstand
    night (tests/support/nights.py; a copy, since a test here publishes again)."""
    with copy_of(pg_server_url, bijstand_night.url, "pm_access") as url:
        login, password = f"bi_test_{uuid.uuid4().hex[:10]}", secrets.token_hex(16)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("create role {} login password {} in role bi_reader").format(
                    sql.Identifier(login), sql.Literal(password)
                )
            )
        try:
            yield url, as_login(url, login, password)
        finally:
            with psycopg.connect(pg_server_url, autocommit=True) as conn:
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))


def relations(url: str, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every table, view and materialised view in ``schemas``, seen by the owner."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm') order by 1, 2",
            (list(schemas),),
        ).fetchall()


def _refused(bi: psycopg.Connection, statement: sql.Composable | str) -> bool:
    try:
        bi.execute(statement)
    except errors.InsufficientPrivilege:
        return True
    return False


def assert_bi_reads_marts_only(url: str, bi_url: str, *, swapped_before: bool) -> None:
    marts = relations(url, ("marts",))
    assert {"fct_indicator_value", "programme_indicator_status", "data_quality"} <= {name for _, name in marts}
    denied = relations(url, DENIED_SCHEMAS)
    denied_schemas = {schema for schema, _ in denied}
    # The personal-data tables and every layer are there to be denied (the test cannot pass on an empty list).
    assert {
        ("raw", "werkplein_uitkering"),
        ("raw", "werkplein_voorziening"),
        ("raw", "werkplein_activiteit"),
        ("audit", "quarantine"),
    } <= set(denied)
    assert set(DENIED_SCHEMAS) - ({"marts_previous"} if not swapped_before else set()) <= denied_schemas
    select = sql.SQL("select * from {}.{} limit 1")
    with psycopg.connect(bi_url, autocommit=True) as bi:
        unreadable = [(s, n) for s, n in marts if _refused(bi, select.format(sql.Identifier(s), sql.Identifier(n)))]
        refused = [(s, n) for s, n in denied if _refused(bi, select.format(sql.Identifier(s), sql.Identifier(n)))]
        made = sql.SQL("create table {}.bi_made (x int)")
        writes = {f"create table in {schema}": _refused(bi, made.format(sql.Identifier(schema)))
                  for schema in ("public", "marts", *sorted(denied_schemas))}
        writes["create temporary table"] = _refused(bi, "create temporary table bi_made (x int)")
        writes["create schema"] = _refused(bi, "create schema bi_made")
        writes["update a mart"] = _refused(bi, "update marts.fct_indicator_value set value = 0")
    when = "after another swap and migrate" if swapped_before else "after the first publish"
    record("hostile", f"bi_reader reads the marts only ({when})", handled=not unreadable and refused == denied,
           outcome=f"reads {len(marts) - len(unreadable)}/{len(marts)} marts; refused {len(refused)}/{len(denied)} "
                   f"relations in {', '.join(sorted(denied_schemas))} (tests/integration/test_access.py)")
    allowed = [what for what, was_refused in writes.items() if not was_refused]
    record("hostile", f"bi_reader creates or changes nothing ({when})", handled=not allowed,
           outcome=f"{len(writes) - len(allowed)}/{len(writes)} writes refused"
                   + (f"; ALLOWED: {allowed}" if allowed else "") + " (tests/integration/test_access.py)")
    assert not unreadable, f"bi_reader cannot read {unreadable}"
    assert refused == denied, f"bi_reader can read {sorted(set(denied) - set(refused))}"
    assert not allowed, f"bi_reader may {allowed}"


def test_bi_reader_reads_the_marts_and_nothing_else(warehouse: tuple[str, str]) -> None:
    url, bi_url = warehouse
    assert_bi_reads_marts_only(url, bi_url, swapped_before=False)


def test_grants_hold_after_another_swap_and_another_migrate(warehouse: tuple[str, str], tmp_path) -> None:
    url, bi_url = warehouse
    with psycopg.connect(url) as conn:
        marts_oid = conn.execute("select oid from pg_namespace where nspname = 'marts'").fetchone()[0]
    build_and_publish(url, settings_for(url, tmp_path))
    migrate(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("select oid from pg_namespace where nspname = 'marts'").fetchone()[0] != marts_oid
        assert conn.execute("select oid from pg_namespace where nspname = 'marts_previous'").fetchone()[0] == marts_oid
    assert_bi_reads_marts_only(url, bi_url, swapped_before=True)


def test_a_member_of_nothing_cannot_connect(warehouse: tuple[str, str]) -> None:
    url, _ = warehouse
    login, password = f"nobody_{uuid.uuid4().hex[:10]}", secrets.token_hex(16)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(login), sql.Literal(password)))
    try:
        try:
            psycopg.connect(as_login(url, login, password)).close()
            refused = ""
        except psycopg.OperationalError as exc:
            refused = str(exc)
        record("hostile", "a login in no role connects", handled="permission denied for database" in refused,
               outcome=f"{'refused: permission denied for database' if refused else 'CONNECTED'}"
                       " (tests/integration/test_access.py)")
        assert "permission denied for database" in refused
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


def test_migrate_makes_the_dashboard_login_from_configuration(fresh_warehouse_url: str) -> None:
    login, password = f"bi_dash_{uuid.uuid4().hex[:10]}", secrets.token_hex(16)
    try:
        migrate(fresh_warehouse_url, bi_login=(login, password))
        migrate(fresh_warehouse_url, bi_login=(login, password + "x"))  # a new password replaces the old one
        with psycopg.connect(fresh_warehouse_url) as conn:
            member = conn.execute(
                "select pg_has_role(%s, 'bi_reader', 'member'), rolcanlogin, rolsuper from pg_roles where rolname = %s",
                (login, login),
            ).fetchone()
            assert member == (True, True, False)
            owner, is_superuser = conn.execute(
                "select current_user, rolsuper from pg_roles where rolname = current_user"
            ).fetchone()
            if is_superuser:  # the password is stored as a SCRAM verifier, computed client-side
                stored = conn.execute("select rolpassword from pg_authid where rolname = %s", (login,)).fetchone()[0]
                assert stored.startswith("SCRAM-SHA-256$")
        with psycopg.connect(as_login(fresh_warehouse_url, login, password + "x")) as bi:
            assert bi.execute("select current_user").fetchone()[0] == login
            with pytest.raises(errors.InsufficientPrivilege):
                bi.execute("select * from raw.werkplein_uitkering")
        with pytest.raises(ValueError, match="privileged role"):
            migrate(fresh_warehouse_url, bi_login=(owner, "pw"))
    finally:
        with psycopg.connect(fresh_warehouse_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))
