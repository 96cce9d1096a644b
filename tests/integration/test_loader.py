"""The shared loader's batch lifecycle, on a real PostgreSQL: loaded, unchanged, failed, abandoned, revised."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest

from ingestion.config import PACKAGE_DIR, Settings
from ingestion.loader import BatchSpec, LoadError, open_batch
from ingestion.sources.cbs.tables import load_table

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"


def recorded_settings(url: str, recordings: Path = RECORDINGS) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "CBS_RECORDINGS_DIR": str(recordings)})


def batches(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select batch_id, status, row_count, duplicate_of, message from audit.load_batch order by batch_id"
    ).fetchall()


def raw_count(conn: psycopg.Connection, batch_id: int | None = None) -> int:
    if batch_id is None:
        return conn.execute("select count(*) from raw.cbs_observation").fetchone()[0]
    return conn.execute("select count(*) from raw.cbs_observation where batch_id = %s", (batch_id,)).fetchone()[0]


def test_load_lands_metadata_and_data_as_one_batch(fresh_warehouse_url: str) -> None:
    cfg = recorded_settings(fresh_warehouse_url)
    with psycopg.connect(fresh_warehouse_url) as conn:
        result = load_table(conn, cfg, "86003NED")
        assert result.status == "loaded"
        counts = conn.execute("select row_counts, source_mode, request_params from audit.load_batch").fetchone()
        # 355 regions (every gemeente: 14 Twente + Deventer + 327 synthetic; Nederland NL01; Almelo's 12 wijken)
        # x 4 peildata (MM03 .. MM12) x 6 mapped topics; the buurten, NL00 (Totaal) and NL98 (Buitenland) filtered out
        assert counts[0] == {"cbs_table_info": 1, "cbs_data_property": 21, "cbs_dimension_code": 4,
                             "cbs_observation": 355 * 4 * 6}
        assert counts[1] == "recorded"
        assert "startswith(WijkenEnBuurten,'GM0141')" in counts[2]["$filter"]
        regions = {r[0] for r in conn.execute("select distinct region_code from raw.cbs_observation")}
        assert {"GM0141", "GM0150", "NL01", "WK014110"} <= regions and "BU01411105" not in regions


def test_rerun_with_the_same_content_lands_nothing(fresh_warehouse_url: str) -> None:
    cfg = recorded_settings(fresh_warehouse_url)
    with psycopg.connect(fresh_warehouse_url) as conn:
        first = load_table(conn, cfg, "86003NED")
        second = load_table(conn, cfg, "86003NED")
        assert second.status == "unchanged" and second.duplicate_of == first.batch_id
        assert raw_count(conn) == 355 * 4 * 6 and raw_count(conn, second.batch_id) == 0
        assert conn.execute("select count(*) from raw.cbs_table_info").fetchone()[0] == 1


def test_revised_content_is_a_new_batch_and_raw_keeps_both(fresh_warehouse_url: str, tmp_path: Path) -> None:
    recordings = tmp_path / "cbs"
    shutil.copytree(RECORDINGS, recordings)
    with psycopg.connect(fresh_warehouse_url) as conn:
        first = load_table(conn, recorded_settings(fresh_warehouse_url, recordings), "86003NED")
        path = recordings / "v3" / "86003NED" / "TypedDataSet.json"
        doc = json.loads(path.read_text())
        for row in doc["value"]:
            if row["WijkenEnBuurten"].strip() == "GM0141" and row["Perioden"] == "2024MM09":
                row["Bijstandsuitkering_6"] = 3999  # CBS revised its provisional figure
        path.write_text(json.dumps(doc))
        second = load_table(conn, recorded_settings(fresh_warehouse_url, recordings), "86003NED")
        assert second.status == "loaded" and second.batch_id != first.batch_id
        versions = conn.execute(
            "select batch_id, value from raw.cbs_observation where region_code = 'GM0141'"
            " and period_code = '2024MM09' and topic_key = 'Bijstandsuitkering_6' order by batch_id"
        ).fetchall()
        assert [v[1] for v in versions][1] == 3999 and len(versions) == 2


def test_a_failure_mid_stream_rolls_back_the_rows_and_records_why(fresh_warehouse_url: str) -> None:
    spec = BatchSpec(source="cbs", entity="cbs_observation", source_ref="TEST", source_mode="recorded")

    def rows_then_error():
        yield ("TEST", 0, 0, "GM0141", "2024JJ00", "{}", "A_1", None, 1, None, None)
        raise LoadError("TEST: row 2, column A_1: value 'x' is not a number")

    with psycopg.connect(fresh_warehouse_url) as conn:
        with pytest.raises(LoadError), open_batch(conn, spec) as batch:
            batch.copy_rows("cbs_observation", _OBS_COLUMNS, rows_then_error())
        (batch_id, status, _, _, message), = batches(conn)
        assert status == "failed" and "row 2, column A_1" in message
        assert raw_count(conn) == 0


def test_a_batch_left_loading_by_a_dead_loader_is_marked_abandoned(fresh_warehouse_url: str) -> None:
    with psycopg.connect(fresh_warehouse_url) as conn:
        conn.execute(
            "insert into audit.load_batch (source, entity, source_ref, source_mode)"
            " values ('cbs', 'cbs_observation', '86003NED', 'recorded')"
        )
        conn.commit()
        load_table(conn, recorded_settings(fresh_warehouse_url), "86003NED")
        rows = batches(conn)
        assert rows[0][1] == "failed" and "abandoned" in rows[0][4]
        assert rows[1][1] == "loaded"


def test_a_renamed_topic_key_fails_with_a_message_naming_it(fresh_warehouse_url: str, tmp_path: Path) -> None:
    recordings = tmp_path / "cbs"
    shutil.copytree(RECORDINGS, recordings)
    path = recordings / "v3" / "86003NED" / "DataProperties.json"
    path.write_text(path.read_text().replace("Bijstandsuitkering_6", "Bijstandsuitkering_11b"))
    with psycopg.connect(fresh_warehouse_url) as conn:
        with pytest.raises(LoadError, match="Bijstandsuitkering_6"):
            load_table(conn, recorded_settings(fresh_warehouse_url, recordings), "86003NED")
        (_, status, _, _, message), = batches(conn)
        assert status == "failed" and "cbs_tables.yml" in message
        assert raw_count(conn) == 0


_OBS_COLUMNS = ("table_id", "row_number", "source_row_id", "region_code", "period_code", "dimensions", "topic_key",
                "measure_code", "value", "string_value", "value_attribute")
