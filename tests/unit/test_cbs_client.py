"""The CBS client through the real HTTP stack, against a local server over the recorded responses."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.recorded import JSON_CONTENT_TYPE, RecordedResponse, RecordingServer, compile_filter, serve
from ingestion.http import make_session
from ingestion.sources.cbs.odata import CbsClient, CbsError, Layout, build_filter
from ingestion.sources.cbs.table_config import TableConfig
from ingestion.sources.cbs.v3 import v3_observation_rows

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
TWENTE = {"GM0141", "GM0147", "GM0153", "GM0158", "GM0163", "GM0164", "GM0168", "GM0173", "GM0183", "GM0189",
          "GM1700", "GM1735", "GM1742", "GM1774"}


def live_settings(base_url: str, **extra: str) -> Settings:
    env = {"SOURCE_MODE": "live", "CBS_ODATA_URL": base_url, "HTTP_BACKOFF_SECONDS": "0", "HTTP_RETRIES": "3",
           "HTTP_TIMEOUT_SECONDS": "5", **extra}
    return Settings.from_env(env)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = serve(RECORDINGS, page_size=25)
    yield srv
    srv.shutdown()


def client_for(server: RecordingServer) -> CbsClient:
    cfg = live_settings(server.base_url)
    return CbsClient(cfg.cbs_odata_url, make_session(cfg), timeout=5)


def test_pages_are_followed_until_no_next_link(server: RecordingServer) -> None:
    rows = list(client_for(server).entity("86003NED", "TypedDataSet"))
    pages = [u for u in server.recordings.requests if "TypedDataSet" in u]
    assert len(rows) == 1456  # every row of the recording, across pages
    assert len(pages) == 59  # 58 x 25 + 6
    assert len({r["ID"] for r in rows}) == 1456


def test_next_link_keeps_the_filter_and_select(server: RecordingServer) -> None:
    params = {"$filter": "startswith(WijkenEnBuurten,'GM0141')", "$select": "ID,WijkenEnBuurten,Perioden"}
    server.recordings.page_size = 2
    rows = list(client_for(server).entity("86003NED", "TypedDataSet", params))
    assert [r["WijkenEnBuurten"] for r in rows] == ["GM0141    "] * 4
    assert all(set(r) == {"ID", "WijkenEnBuurten", "Perioden"} for r in rows)
    assert len([u for u in server.recordings.requests if "TypedDataSet" in u]) == 2


def test_padded_codes_are_stripped_and_missing_numbers_flagged(server: RecordingServer) -> None:
    rows = client_for(server).entity("86003NED", "TypedDataSet")
    layout = Layout("WijkenEnBuurten", "Perioden", [], {"Bijstandsuitkering_6"})
    long = [r for r in v3_observation_rows("86003NED", rows, layout, {"Bijstandsuitkering_6": "bijstand"})
            if r[6] == "Bijstandsuitkering_6"]
    regions = {r[3] for r in long}
    assert "GM0141" in regions and not any(code.endswith(" ") for code in regions)
    newest = [r for r in long if r[4] == "2024MM12"]
    assert newest and all(r[8] is None and r[10] == "Missing" for r in newest)  # null stays NULL, never 0
    names = [r for r in v3_observation_rows("86003NED", client_for(server).entity("86003NED", "TypedDataSet"),
                                          layout, {}) if r[6] == "Gemeentenaam_1"]
    assert {r[9] for r in names if r[3] == "GM0141"} == {"Almelo"}


def test_region_filter_uses_startswith_so_padding_does_not_matter(server: RecordingServer) -> None:
    layout = Layout("WijkenEnBuurten", "Perioden", [], set())
    text = build_filter(layout, sorted(TWENTE) + ["NL01"], since="2024MM06")
    rows = list(client_for(server).entity("86003NED", "TypedDataSet", {"$filter": text}))
    assert {r["WijkenEnBuurten"].strip() for r in rows} == TWENTE | {"NL01"}
    assert {r["Perioden"] for r in rows} == {"2024MM06", "2024MM09", "2024MM12"}


def _fault(status: int, headers: dict[str, str] | None = None, body: bytes = b"{}", times: int = 1):
    remaining = [times]

    def fault(url: str) -> RecordedResponse | None:
        if remaining[0] <= 0:
            return None
        remaining[0] -= 1
        return RecordedResponse(status, body, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})

    return fault


def test_429_with_retry_after_is_retried_after_waiting(server: RecordingServer) -> None:
    server.faults.append(_fault(429, {"Retry-After": "1"}))
    started = time.monotonic()
    info = list(client_for(server).entity("86003NED", "TableInfos"))
    assert info[0]["Identifier"] == "86003NED"
    assert time.monotonic() - started >= 0.9  # honoured the server's Retry-After
    assert len(server.recordings.requests) == 2


def test_503_is_retried(server: RecordingServer) -> None:
    server.faults.extend([_fault(503), _fault(503)])
    info = list(client_for(server).entity("86003NED", "TableInfos"))
    assert info and len(server.recordings.requests) == 3


def test_persistent_503_fails_with_table_and_status(server: RecordingServer) -> None:
    server.faults.extend([_fault(503) for _ in range(10)])
    with pytest.raises(CbsError, match=r"86003NED.*HTTP 503"):
        list(client_for(server).entity("86003NED", "TableInfos"))


def test_unknown_table_fails_with_a_message_naming_it(server: RecordingServer) -> None:
    with pytest.raises(CbsError, match=r"CBS table 99999NED: not found \(HTTP 404\)"):
        list(client_for(server).entity("99999NED", "TableInfos"))


def test_html_error_page_with_status_200_is_an_error(server: RecordingServer) -> None:
    server.faults.append(_fault(200, {"Content-Type": "text/html"}, b"<html><body>Onderhoud</body></html>"))
    with pytest.raises(CbsError, match=r"86003NED.*not JSON"):
        list(client_for(server).entity("86003NED", "TableInfos"))


def test_table_config_resolves_region_sets() -> None:
    cfg = TableConfig.from_settings(Settings.from_env({}), "86003NED")
    # A list of region sets: Twente and NL, every gemeente (GM), plus every wijk of Almelo (a code prefix).
    assert set(cfg.regions) == TWENTE | {"NL01", "GM", "WK0141"}
    assert set(TableConfig.from_settings(Settings.from_env({}), "80794ned").regions) == TWENTE | {"NL01"}
    # measures set once per series, inherited by every edition, each with its declared kind
    assert cfg.measures["Bijstandsuitkering_6"] == "personen_met_bijstand"
    assert cfg.kinds["Bijstandsuitkering_6"] == "count"
    assert TableConfig.from_settings(Settings.from_env({}), "85586NED").measures == cfg.measures
    with pytest.raises(CbsError, match="not configured"):
        TableConfig.from_settings(Settings.from_env({}), "00000XXX")


@pytest.mark.parametrize(
    ("expression", "row", "expected"),
    [
        ("RegioS eq 'GM0141'", {"RegioS": "GM0141"}, True),
        ("RegioS eq 'GM0141'", {"RegioS": "GM0141    "}, False),  # like CBS: eq needs the padded key
        ("startswith(RegioS,'GM0141')", {"RegioS": "GM0141    "}, True),
        ("substringof('GM',RegioS)", {"RegioS": "GM0153"}, True),
        ("Perioden ge '2024MM06' and Perioden lt '2024MM12'", {"Perioden": "2024MM09"}, True),
        ("Perioden ge '2024MM06' and Perioden lt '2024MM12'", {"Perioden": "2024MM12"}, False),
        ("(RegioS eq 'A' or RegioS eq 'B') and not (X eq 1)", {"RegioS": "B", "X": 2}, True),
        ("RegioS eq 'O''Brien'", {"RegioS": "O'Brien"}, True),
    ],
)
def test_filter_evaluator(expression: str, row: dict, expected: bool) -> None:
    assert compile_filter(expression)(row) is expected


def test_real_cbs_v3_response_parses_through_the_same_code(shared_dir: Path, tmp_path: Path) -> None:
    """The real 84489NED TypedDataSet (2 500 rows, padded string topics), served and paged like CBS does."""
    real = shared_dir / "realdata" / "cbs_v3_84489NED_woonplaatsen_TypedDataSet.json"
    table_dir = tmp_path / "v3" / "84489NED"
    table_dir.mkdir(parents=True)
    shutil.copy(real, table_dir / "TypedDataSet.json")  # a temporary copy to serve; never into the repo
    srv = serve(tmp_path, page_size=1000)
    try:
        client = client_for(srv)
        rows = list(client.entity("84489NED", "TypedDataSet"))
        assert len(rows) == 2500 and len(srv.recordings.requests) == 3
        layout = Layout("Woonplaatsen", None, [], set())
        long = list(v3_observation_rows("84489NED", iter(rows), layout, {"Code_3": "gemeentecode"}))
    finally:
        srv.shutdown()
    gemeente_codes = {r[9] for r in long if r[6] == "Code_3"}
    assert gemeente_codes >= TWENTE  # all 14 Twente gemeenten, padding stripped
    almelo = [r for r in long if r[6] == "Naam_2" and r[9] == "Almelo"]
    assert almelo and almelo[0][3] == "WP1925"
    assert not any(isinstance(r[9], str) and r[9] != r[9].rstrip() for r in long)
    assert json.loads(long[0][5]) == {}
