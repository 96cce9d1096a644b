"""CBS loads night after night: only what changed is asked for, revisions replace old figures, editions stitch.

The recordings are served by a real local HTTP server (SOURCE_MODE=live pointed at it), so every request the
loader makes is counted as the CBS API would see it.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.recorded import RecordingServer, serve

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    copy = tmp_path / "cbs"
    shutil.copytree(RECORDINGS, copy)
    return copy


@pytest.fixture
def server(recordings: Path) -> Iterator[RecordingServer]:
    srv = serve(recordings, page_size=40)
    yield srv
    srv.shutdown()


def cfg_for(url: str, server: RecordingServer, tmp_path: Path) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "live", "CBS_ODATA_URL": server.base_url,
                              "HTTP_BACKOFF_SECONDS": "0", "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})


def load(table_id: str, cfg: Settings, **kwargs) -> dict:
    return pipeline.validate_loaded_batch(pipeline.load_cbs_table(table_id, cfg=cfg, **kwargs), cfg)


def requested(server: RecordingServer, entity: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(u).query) for u in server.recordings.requests if f"/{entity}" in urlsplit(u).path]


def edit(recordings: Path, table_id: str, entity: str, change) -> None:
    path = recordings / "v3" / table_id / f"{entity}.json"
    doc = json.loads(path.read_text())
    change(doc["value"])
    path.write_text(json.dumps(doc))


def test_a_night_with_nothing_new_sends_only_the_metadata_request(
    fresh_warehouse_url: str, server: RecordingServer, tmp_path: Path
) -> None:
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    first = load("86003NED", cfg)
    assert first["status"] == "published"
    # 1420 rows (355 regions x 4 peildata; not the buurten, NL00 Totaal or NL98 Buitenland) in pages of 40
    assert len(requested(server, "TypedDataSet")) == 36
    server.recordings.requests.clear()

    second = load("86003NED", cfg)
    assert second["status"] == "unchanged" and second["rows"] == 0
    assert "not modified" in second["message"]
    assert [urlsplit(u).path.rsplit("/", 1)[-1] for u in server.recordings.requests] == ["TableInfos"]
    with psycopg.connect(fresh_warehouse_url) as conn:
        counted = conn.execute("select request_params ->> 'requests' from audit.load_batch where batch_id = %s",
                               (second["batch_id"],)).fetchone()[0]
        assert counted == "1"
        assert conn.execute("select count(distinct batch_id) from raw.cbs_observation").fetchone()[0] == 1


def test_a_revised_provisional_figure_replaces_the_old_one_and_raw_keeps_both(
    fresh_warehouse_url: str, server: RecordingServer, recordings: Path, tmp_path: Path
) -> None:
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    load("86003NED", cfg)
    pipeline.transform(cfg)

    # CBS's next release: 2024MM09 revised and now final, 2024MM12 gets its figures, the table's Modified moves.
    def revise(rows: list[dict]) -> None:
        for row in rows:
            if row["WijkenEnBuurten"].strip() == "GM0141" and row["Perioden"] == "2024MM09":
                row["Bijstandsuitkering_6"] = 3900
            if row["Perioden"] == "2024MM12":
                row.update(Bijstandsuitkering_6=3800, InwonersVanaf15Jaar_13=62300)

    edit(recordings, "86003NED", "TypedDataSet", revise)
    edit(recordings, "86003NED", "TableInfos", lambda rows: rows[0].update(Modified="2025-06-27T02:00:00"))
    edit(recordings, "86003NED", "Perioden",
         lambda rows: [r.update(Status="Definitief") for r in rows if r["Key"] == "2024MM09"])
    server.recordings.requests.clear()

    second = load("86003NED", cfg)
    assert second["status"] == "published"
    data_requests = requested(server, "TypedDataSet")
    assert data_requests, "the data was not requested"
    period_filter = data_requests[0]["$filter"][0]
    # Only the periods that were or are provisional; 2024MM03/MM06 were final and loaded already.
    assert "Perioden eq '2024MM09'" in period_filter and "Perioden eq '2024MM12'" in period_filter
    assert "2024MM03" not in period_filter and "2024MM06" not in period_filter

    pipeline.transform(cfg)
    with psycopg.connect(fresh_warehouse_url) as conn:
        versions = conn.execute(
            "select value from raw.cbs_observation where region_code = 'GM0141' and period_code = '2024MM09'"
            " and topic_key = 'Bijstandsuitkering_6' order by batch_id").fetchall()
        assert [v[0] for v in versions][-1] == 3900 and len(versions) == 2
        mart = dict(conn.execute(
            "select period_code, value from marts.fct_indicator_value where gemeentecode = 'GM0141'"
            " and indicator_code = 'ep_bijstand_per_10000_inwoners'").fetchall())
        inwoners = conn.execute(
            "select value from raw.cbs_observation where region_code = 'GM0141' and period_code = '2024MM09'"
            " and topic_key = 'InwonersVanaf15Jaar_13' order by batch_id desc limit 1").fetchone()[0]
        provisional = dict(conn.execute(
            "select period_code, is_provisional from marts.fct_indicator_value where gemeentecode = 'GM0141'"
            " and indicator_code = 'ep_bijstand_per_10000_inwoners'").fetchall())
    assert float(mart["2024MM09"]) == pytest.approx(3900 * 10000 / float(inwoners), abs=1e-4)
    assert "2024MM12" in mart  # the period that was all-null now has its figure
    assert provisional["2024MM09"] is False


def test_full_reload_asks_for_every_period(fresh_warehouse_url: str, server: RecordingServer, tmp_path: Path) -> None:
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    load("86003NED", cfg)
    server.recordings.requests.clear()
    again = load("86003NED", cfg, full=True)
    assert again["status"] == "unchanged"  # same content: nothing lands twice
    data_requests = requested(server, "TypedDataSet")
    assert data_requests and "Perioden eq" not in data_requests[0]["$filter"][0]


def test_editions_stitch_into_one_series(fresh_warehouse_url: str, server: RecordingServer, tmp_path: Path) -> None:
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    for table_id in ("85586NED", "86003NED"):  # the 2023 and 2024 editions, the same keys (cbs_evidence/86003NED.md)
        assert load(table_id, cfg)["status"] == "published"
    pipeline.transform(cfg)
    with psycopg.connect(fresh_warehouse_url) as conn:
        periods = [r[0] for r in conn.execute(
            "select period_code from marts.fct_indicator_value where gemeentecode = 'GM0141'"
            " and indicator_code = 'ea_bijstand_per_10000_inwoners' order by period_code")]
        keys = {r[0] for r in conn.execute(
            "select distinct table_id || ':' || topic_key from raw.cbs_observation"
            " where measure_code = 'personen_met_bijstand'")}
    # 2024MM12 is published without figures yet: no value, not a zero
    assert periods == ["2023MM03", "2023MM06", "2023MM09", "2023MM12", "2024MM03", "2024MM06", "2024MM09"]
    assert keys == {"85586NED:Bijstandsuitkering_6", "86003NED:Bijstandsuitkering_6"}


def test_fixed_dimensions_keep_only_the_totals(fresh_warehouse_url: str, server: RecordingServer,
                                               tmp_path: Path) -> None:
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    load("83582NED", cfg)  # the recording has a section (J, '391600 ') beside the total for the Twente gemeenten
    load("86008NED", cfg)  # four dimensions besides region and period, each pinned to its total
    with psycopg.connect(fresh_warehouse_url) as conn:
        dims = [(r[0], json.loads(r[1])) for r in conn.execute(
            "select distinct table_id, dimensions::text from raw.cbs_observation order by 1")]
    assert dims == [
        ("83582NED", {"BedrijfstakkenBranchesSBI2008": "T001081"}),
        ("86008NED", {"GeboortelandOuders": "T001638", "Geslacht": "T001038", "Herkomstland": "T001040",
                      "Persoonskenmerken": "T009002"}),
    ]


def test_a_table_that_mixes_period_types_lands_only_the_configured_type(
    fresh_warehouse_url: str, server: RecordingServer, tmp_path: Path
) -> None:
    """37230ned holds whole years (2024JJ00) beside its months, 85098NED half-years beside its years: the loader asks
    for the configured type only (period_types), so no year lands as a 13th month and no half-year as a year."""
    cfg = cfg_for(fresh_warehouse_url, server, tmp_path)
    load("37230ned", cfg)
    load("85098NED", cfg)
    filters = [q["$filter"][0] for q in requested(server, "TypedDataSet") if "$filter" in q]
    assert any("substringof('MM',Perioden)" in f for f in filters)
    assert any("substringof('JJ',Perioden)" in f for f in filters)
    with psycopg.connect(fresh_warehouse_url) as conn:
        types = {(r[0], r[1]) for r in conn.execute(
            "select distinct table_id, substr(period_code, 5, 2) from raw.cbs_observation")}
        nederland = dict(conn.execute(
            "select period_code, value from raw.cbs_observation where table_id = '37230ned'"
            " and region_code = 'NL01' and measure_code = 'inwoners_einde_periode'").fetchall())
    assert types == {("37230ned", "MM"), ("85098NED", "JJ")}
    assert nederland["2024MM01"] == 17946556 and "2024JJ00" not in nederland  # CBS's own figure for January


def test_a_v4_table_lands_through_the_same_loader(fresh_warehouse_url: str, server: RecordingServer,
                                                 tmp_path: Path) -> None:
    cfg = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, "SOURCE_MODE": "live",
                             "CBS_ODATA_V4_URL": f"{server.base_url}/odata/v1/CBS", "HTTP_BACKOFF_SECONDS": "0",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    first = load("86165NED", cfg)
    assert first["status"] == "published"
    observations = requested(server, "Observations")
    assert len(observations) == 2  # 27 regions x 2 measures with observations, paged with @odata.nextLink
    assert "Measure eq 'D006842'" in observations[0]["$filter"][0]
    assert "Perioden" not in observations[0]["$filter"][0]  # the table has no period dimension
    with psycopg.connect(fresh_warehouse_url) as conn:
        cells = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
            "select region_code, measure_code, value, value_attribute from raw.cbs_observation")}
        periods = {r[0] for r in conn.execute("select distinct period_code from raw.cbs_observation")}
        modified = conn.execute("select info ->> 'Modified' from raw.cbs_table_info").fetchone()[0]
    assert cells[("WK014121", "personen_met_bijstand")] == (None, "Confidential")  # never 0
    assert cells[("GM0141", "inwoners")][0] > 0 and ("NL00", "inwoners") in cells
    assert {region for region, _ in cells} >= {f"WK0141{n}" for n in range(10, 22)}
    assert not any(region.startswith("BU") for region, _ in cells)  # buurten are not asked for
    assert periods == {"2025JJ00"}  # the edition year
    assert modified
    server.recordings.requests.clear()
    assert load("86165NED", cfg)["status"] == "unchanged"
    assert [urlsplit(u).path.rsplit("/", 1)[-1] for u in server.recordings.requests] == ["Properties"]


def test_a_widened_region_selection_reloads_the_table_though_cbs_did_not_change_it(
    fresh_warehouse_url: str, server: RecordingServer, tmp_path: Path
) -> None:
    """The CBS table is unchanged, but the configuration now asks for every gemeente instead of Twente: the next
    load cannot be 'unchanged' nor incremental, or the new regions would never arrive."""
    config = PACKAGE_DIR / "config" / "cbs_tables.yml"
    twente_only = tmp_path / "cbs_tables_twente.yml"
    text = config.read_text(encoding="utf-8")
    widened = "  arbeidsdeelname:\n    title: Arbeidsdeelname; gemeenten (regio-indeling 2024)\n    api: v3\n" \
              "    regions: [twente_en_nederland, alle_gemeenten]\n"
    assert widened in text
    twente_only.write_text(text.replace(widened, widened.replace(", alle_gemeenten", "")), encoding="utf-8")
    base = cfg_for(fresh_warehouse_url, server, tmp_path)
    narrow = dataclasses.replace(base, cbs_tables_file=twente_only)

    def gemeenten() -> int:
        with psycopg.connect(fresh_warehouse_url) as conn:
            return conn.execute("select count(distinct region_code) from raw.cbs_observation"
                                " where table_id = '86008NED' and region_code like 'GM%'").fetchone()[0]

    assert load("86008NED", narrow)["status"] == "published"
    assert gemeenten() == 14
    assert load("86008NED", narrow)["status"] == "unchanged"  # same selection, same table: nothing asked

    wide = load("86008NED", base)
    assert wide["status"] == "published" and wide["rows"] > 0
    assert gemeenten() > 300
    with psycopg.connect(fresh_warehouse_url) as conn:
        params = conn.execute("select request_params from audit.load_batch where batch_id = %s",
                              (wide["batch_id"],)).fetchone()[0]
    assert params["full_because"].startswith("the configured selection") and params["periods"] is None
    assert load("86008NED", base)["status"] == "unchanged"  # and then incremental again
