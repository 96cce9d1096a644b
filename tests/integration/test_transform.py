"""dbt build + publish on a real warehouse: the marts, the per-10 000 arithmetic, and the publish gate.

Batches are published here with a direct status update so these tests exercise dbt and the swap alone;
validation has its own tests (test_validation.py) and the whole chain runs in test_pipeline.py and, through Airflow,
tests/dags/test_night.py.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import psycopg
import pytest

from ingestion.config import PACKAGE_DIR
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.sources.cbs.tables import load_table
from ingestion.transform import TransformError, build_and_publish
from tests.support.marts import marts_fingerprint, publish_an_unbuildable_batch
from tests.support.settings import settings_for

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"


@pytest.fixture(scope="module")
def published_warehouse(pg_server_url: str, tmp_path_factory):
    """One warehouse for the module: the recorded table loaded, published and built into marts."""
    with throwaway_warehouse(pg_server_url, "pm_transform") as url:
        cfg = settings_for(url, tmp_path_factory.mktemp("transform"))
        with psycopg.connect(url) as conn:
            batch = load_table(conn, cfg, "86003NED")
            conn.execute(
                "update audit.load_batch set status = 'published', validated_at = now() where batch_id = %s",
                (batch.batch_id,),
            )
            conn.commit()
        build_and_publish(url, cfg)
        yield url, cfg


def test_marts_hold_values_for_almelo(published_warehouse) -> None:
    url, _ = published_warehouse
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select indicator_code, period_code, period_type, period_start, period_end, source_system"
            " from marts.fct_indicator_value where gemeentecode = 'GM0141' and value_source = 'computed'"
            " order by 1, 2"
        ).fetchall()
        assert {r[0] for r in rows} == {"ea_bijstand_per_10000_inwoners", "ep_bijstand_per_10000_inwoners"}
        # 2024MM12 is published by CBS with all-null figures: no value, not a zero.
        assert {r[1] for r in rows} == {"2024MM03", "2024MM06", "2024MM09"}
        # the peildatum months of the table: 2024MM03 covers March
        assert rows[0][2:] == ("month", rows[0][3], rows[0][4], "cbs") and str(rows[0][3]) == "2024-03-01"
        peers = conn.execute("select count(distinct gemeentecode) from marts.fct_indicator_value").fetchone()[0]
        assert peers == 27  # 14 Twente gemeenten + NL01 + Almelo's 12 wijken
        statuses = conn.execute(
            "select count(*), count(*) filter (where status = 'niet te beoordelen')"
            " from marts.programme_indicator_status where is_contract_gemeente"
        ).fetchone()
        assert statuses[0] == 87  # every catalogue indicator has an Almelo row


def test_per_10000_value_equals_the_hand_computed_one(published_warehouse) -> None:
    url, _ = published_warehouse
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute(
            "select topic_key, value from raw.cbs_observation where region_code = 'GM0141'"
            " and period_code = '2024MM06' and topic_key in ('Bijstandsuitkering_6', 'InwonersVanaf15Jaar_13')"
        ).fetchall())
        mart = conn.execute(
            "select value from marts.fct_indicator_value where indicator_code = 'ea_bijstand_per_10000_inwoners'"
            " and gemeentecode = 'GM0141' and period_code = '2024MM06'"
        ).fetchone()[0]
    expected = (counts["Bijstandsuitkering_6"] * 10000 / counts["InwonersVanaf15Jaar_13"]).quantize(Decimal("0.0001"))
    assert mart == expected


def test_provisional_periods_are_flagged(published_warehouse) -> None:
    url, _ = published_warehouse
    with psycopg.connect(url) as conn:
        flags = dict(conn.execute(
            "select period_code, bool_and(is_provisional) from marts.fct_indicator_value"
            " where value_source = 'computed' group by 1").fetchall())
    assert flags == {"2024MM03": False, "2024MM06": False, "2024MM09": True}


def test_a_failing_dbt_test_leaves_the_published_marts_unchanged(published_warehouse) -> None:
    url, cfg = published_warehouse
    with psycopg.connect(url) as conn:
        before = marts_fingerprint(conn)
        assert before and all(before.values())
        bad = publish_an_unbuildable_batch(conn)
    try:
        with pytest.raises(TransformError, match="published marts left unchanged"):
            build_and_publish(url, cfg)
        with psycopg.connect(url) as conn:
            assert marts_fingerprint(conn) == before
    finally:
        with psycopg.connect(url) as conn:
            conn.execute("update audit.load_batch set status = 'failed' where batch_id = %s", (bad,))
    # With the bad batch out of the way the next build publishes again: the same figures, and data_quality (built
    # from the audit at build time, so it differs on every build) reports the failed batch.
    build_and_publish(url, cfg)
    with psycopg.connect(url) as conn:
        skip = ("data_quality",)
        assert marts_fingerprint(conn, skip) == {t: h for t, h in before.items() if t not in skip}
        assert conn.execute(
            "select last_load_status, loads_failed_last_30_days, failing_batch_id from marts.data_quality"
            " where source_system = 'cbs' and stream = '86003NED'"
        ).fetchone() == ("failed", 1, bad)
        assert conn.execute("select count(*) from pg_namespace where nspname = 'marts_previous'").fetchone()[0] == 1


def test_every_publish_is_recorded_and_the_refresh_deadline_reads_it(published_warehouse) -> None:
    from datetime import datetime, timedelta

    from ingestion.transform import RefreshLate, check_published_since

    url, _ = published_warehouse
    with psycopg.connect(url) as conn:
        published_at, relations = conn.execute(
            "select published_at, relations from audit.marts_publication order by publication_id desc limit 1"
        ).fetchone()
        in_marts = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0]
    assert relations == in_marts
    assert check_published_since(url, published_at) == published_at  # the first publish at or after the moment
    with pytest.raises(RefreshLate, match="not published since .*the last was at"):
        check_published_since(url, datetime.now(UTC) + timedelta(hours=1))


def test_a_night_with_nothing_new_rebuilds_only_data_quality(published_warehouse) -> None:
    """The nightly transform compares its inputs with the last full publish: equal -> data_quality alone is rebuilt
    and swapped in (it reads the audit and the clock), every other mart stays byte-for-byte as published."""
    from dataclasses import replace

    from ingestion.transform import plan_refresh, refresh

    url, cfg = published_warehouse
    build_and_publish(url, cfg)  # the last full publish records its inputs
    with psycopg.connect(url) as conn:
        before = marts_fingerprint(conn, ("data_quality",))
        checked_before = conn.execute("select max(checked_at) from marts.data_quality").fetchone()[0]
        # An audit-only change (a load that failed) is no input of the marts, but data_quality must show it.
        conn.execute(
            "insert into audit.load_batch (source, entity, source_ref, source_mode, status)"
            " values ('uwv', 'uwv_spanningsindicator', 'file.csv', 'recorded', 'rejected')"
        )
        conn.commit()
    plan, run = refresh(url, cfg)
    assert not plan.full and "nothing new" in plan.reason
    assert run.results.get("success", 0) >= 1 and not run.failures
    with psycopg.connect(url) as conn:
        assert marts_fingerprint(conn, ("data_quality",)) == before
        checked_at, rejected = conn.execute(
            "select max(checked_at), max(rejected_files_last_30_days) filter (where source_system = 'uwv')"
            " from marts.data_quality"
        ).fetchone()
        assert checked_at > checked_before and rejected == 1
        assert conn.execute("select has_table_privilege('bi_reader', 'marts.data_quality', 'select')").fetchone()[0]
        scope, inputs = conn.execute(
            "select scope, inputs from audit.marts_publication order by publication_id desc limit 1"
        ).fetchone()
        assert (scope, inputs) == ("data_quality", plan.inputs)
        assert conn.execute("select count(*) from pg_namespace where nspname = 'marts_shadow'").fetchone()[0] == 0

    # What does make the marts differ: a newly published batch, other dbt vars, or being asked to.
    assert plan_refresh(url, cfg, force_full=True).full
    assert plan_refresh(url, replace(cfg, small_number_threshold=cfg.small_number_threshold + 1)).full
    with psycopg.connect(url) as conn:
        batch = load_table(conn, cfg, "85586NED")
        conn.execute("update audit.load_batch set status = 'published' where batch_id = %s", (batch.batch_id,))
        conn.commit()
    try:
        changed = plan_refresh(url, cfg)
        assert changed.full and "new published batches" in changed.reason
    finally:
        with psycopg.connect(url) as conn:
            conn.execute("update audit.load_batch set status = 'failed' where batch_id = %s", (batch.batch_id,))


def test_the_fingerprint_covers_the_dbt_project_and_the_report_code(published_warehouse) -> None:
    from ingestion.transform import _input_files

    _, cfg = published_warehouse
    names = {name for name, _ in _input_files(cfg)}
    assert "dbt:dbt_project.yml" in names
    assert "dbt:models/marts/fct_indicator_value.sql" in names and "dbt:seeds/indicator_catalogue.csv" in names
    assert any(n.startswith("report:report/") and n.endswith(".py") for n in names)
    assert not any("target/" in n or "__pycache__" in n for n in names)
