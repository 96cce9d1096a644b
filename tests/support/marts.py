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


def publish_an_unbuildable_batch(conn: psycopg.Connection) -> int:
    """A published CBS batch whose period code cannot be a period, so the marts' not-null contract on period_start
    fails the next build; committed. Its batch id (mark it 'failed' afterwards to let builds pass again)."""
    bad = conn.execute(
        "insert into audit.load_batch (source, entity, source_ref, source_mode, status, request_params)"
        " values ('cbs', 'cbs_observation', '86003NED', 'recorded', 'published',"
        " '{\"series\": \"uitkeringen_wijken_en_buurten\", \"edition\": 2024}') returning batch_id"
    ).fetchone()[0]
    conn.execute(
        "insert into raw.cbs_observation (batch_id, table_id, row_number, region_code, period_code, topic_key,"
        " measure_code, value) values (%(b)s, '86003NED', 0, 'GM0141', '2024XX07', 'Bijstandsuitkering_6',"
        " 'personen_met_bijstand', 10), (%(b)s, '86003NED', 0, 'GM0141', '2024XX07', 'InwonersVanaf15Jaar_13',"
        " 'inwoners_15_plus', 1000)",
        {"b": bad},
    )
    conn.commit()
    return bad
