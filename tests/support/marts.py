"""What the published marts (and other relations) hold, to compare before and after: a run that must change
nothing (a failed batch, a crash, a rerun) leaves equal snapshots, fingerprints or digests."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row


def marts_snapshot(url: str) -> dict[str, list[dict]]:
    """Every row of what BI reads first (the indicator values and the programme status), as dicts: equal
    snapshots, equal marts."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return {
            # Ordered by the whole row: a total order, so equal contents compare equal whatever the physical order.
            table: conn.execute(f"select * from marts.{table} as t order by t::text").fetchall()  # noqa: S608
            for table in ("fct_indicator_value", "programme_indicator_status")
        }


def marts_fingerprint(conn: psycopg.Connection, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """md5 over every row of each relation in the marts schema (but ``skip``): equal fingerprints, equal marts."""
    tables = [r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1")
        if r[0] not in skip]
    return {
        t: conn.execute(f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from marts.{t} x")  # noqa: S608
        .fetchone()[0]
        for t in tables
    }


def relation_digests(url: str, schema: str, names: tuple[str, ...] | None = None,
                     skip: tuple[str, ...] = ()) -> dict[str, str]:
    """md5 over every row of each relation (ordered by the row's text): equal digests, equal contents."""
    with psycopg.connect(url) as conn:
        present = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s order by 1", (schema,))]
        wanted = [n for n in present if (names is None or n in names) and n not in skip]
        return {
            name: conn.execute(
                f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from {schema}.{name} x"  # noqa: S608
            ).fetchone()[0]
            for name in wanted
        }
