"""The CBS v4 client and row conversion through the real HTTP stack, against a local server over recordings."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.recorded import JSON_CONTENT_TYPE, RecordedODataAdapter, RecordedResponse, RecordingServer, serve
from ingestion.http import make_session
from ingestion.sources.cbs.odata import (
    CODE_COLUMNS,
    OBSERVATION_COLUMNS,
    PROPERTY_COLUMNS,
    TABLE_INFO_COLUMNS,
    CbsError,
)
from ingestion.sources.cbs.v4 import (
    CbsV4Client,
    edition_period,
    v4_code_rows,
    v4_filter,
    v4_layout,
    v4_observation_rows,
    v4_period_status,
    v4_property_rows,
    v4_table_info_row,
)

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
TABLE = "86165NED"
V4_PATH = "/odata/v1/CBS"
TWENTE = {
    "GM0141",
    "GM0147",
    "GM0153",
    "GM0158",
    "GM0163",
    "GM0164",
    "GM0168",
    "GM0173",
    "GM0183",
    "GM0189",
    "GM1700",
    "GM1735",
    "GM1742",
    "GM1774",
}
# Almelo's wijken and the buurten of the recording (cbs_evidence/almelo_regions.md)
WIJKEN = {f"WK0141{n}" for n in range(10, 22)}
BUURTEN = {"BU01411105", "BU01411200", "BU01411202", "BU01411204", "BU01411205", "BU01411908", "BU01411910"}
MEASURES = {"T001036": "inwoners", "M001796_2": "netto_arbeidsparticipatie_pct", "D006842": "personen_met_bijstand"}
# 34 regions x 8 measures with observations (netto arbeidsparticipatie and income have none yet, as in 2026)
OBSERVATIONS = 34 * 8


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = serve(RECORDINGS, page_size=40)
    yield srv
    srv.shutdown()


def client_for(server: RecordingServer) -> CbsV4Client:
    cfg = Settings.from_env(
        {
            "SOURCE_MODE": "live",
            "CBS_ODATA_URL": server.base_url,
            "HTTP_BACKOFF_SECONDS": "0",
            "HTTP_RETRIES": "3",
            "HTTP_TIMEOUT_SECONDS": "5",
        }
    )
    return CbsV4Client(server.base_url + V4_PATH, make_session(cfg), timeout=5)


def observations(client: CbsV4Client, params: dict[str, str] | None = None) -> list[tuple]:
    layout = v4_layout(client.entity(TABLE, "Dimensions"))
    rows = client.entity(TABLE, "Observations", params)
    return list(
        v4_observation_rows(
            TABLE,
            rows,
            region_dimension=layout.region_dimension,
            period_dimension=layout.period_dimension,
            other_dimensions=layout.other_dimensions,
            measures=MEASURES,
            period_code=None if layout.period_dimension else edition_period(TABLE, 2025),
        )
    )


def test_pages_are_followed_with_the_v4_next_link(server: RecordingServer) -> None:
    first = requests.get(f"{server.base_url}{V4_PATH}/{TABLE}/Observations", timeout=5).json()
    assert "@odata.nextLink" in first and "odata.nextLink" not in first  # v4 spells it with the @
    server.recordings.requests.clear()
    rows = list(client_for(server).entity(TABLE, "Observations"))
    assert len(rows) == OBSERVATIONS and len({r["Id"] for r in rows}) == OBSERVATIONS  # across pages
    assert len(server.recordings.requests) == 7  # 6 x 40 + 32


def test_next_link_keeps_the_filter_and_select(server: RecordingServer) -> None:
    layout = v4_layout(client_for(server).entity(TABLE, "Dimensions"))
    # no period dimension: `since` has nothing to filter on
    text = v4_filter(layout, sorted(TWENTE), since="2025JJ00", measures=["D006842"])
    assert text == (
        "(" + " or ".join(f"startswith(WijkenEnBuurten,'{g}')" for g in sorted(TWENTE)) + ")"
        " and (Measure eq 'D006842')"
    )
    server.recordings.page_size = 10
    server.recordings.requests.clear()
    params = {"$filter": text, "$select": "Id,Measure,Value,WijkenEnBuurten"}
    rows = list(client_for(server).entity(TABLE, "Observations", params))
    assert len(server.recordings.requests) == 2  # 10 + 4, the second page through the next link alone
    assert {r["WijkenEnBuurten"].strip() for r in rows} == TWENTE
    assert {r["Measure"] for r in rows} == {"D006842"}
    assert all(set(r) == {"Id", "Measure", "Value", "WijkenEnBuurten"} for r in rows)


def test_rows_land_as_the_v3_tuples_with_padding_stripped(server: RecordingServer) -> None:
    long = observations(client_for(server))
    assert all(len(r) == len(OBSERVATION_COLUMNS) for r in long)
    regions = {r[3] for r in long}
    assert regions == TWENTE | {"NL00"} | WIJKEN | BUURTEN
    almelo = {r[6]: r for r in long if r[3] == "GM0141"}
    # the table has no period dimension: every row gets the edition year
    assert almelo["T001036"] == (TABLE, 1, 1, "GM0141", "2025JJ00", "{}", "T001036", "inwoners", 73970, None, None)
    assert {r[4] for r in long} == {"2025JJ00"}
    assert almelo["D006837"][7] is None  # a measure not configured lands unmapped
    assert [r[1] for r in long] == list(range(len(long)))  # row_number is the stream position


def test_value_attribute_flags_keep_the_value_null_never_0(server: RecordingServer) -> None:
    long = observations(client_for(server))
    flagged = {(r[3], r[6]): r for r in long if r[10] is not None}
    assert set(flagged) == {("WK014121", "D006842"), ("WK014110", "D000193"), ("BU01411205", "M000100"),
                            ("BU01411910", "M000100")}
    assert flagged["WK014121", "D006842"][8:] == (None, None, "Confidential")
    assert flagged["WK014110", "D000193"][8:] == (None, None, "Missing")
    assert not any(r[8] == 0 for r in flagged.values())
    # an empty buurt (Bedrijvenpark Twente, 0 inhabitants on cbs.nl) has real zeros, unflagged
    assert [r[8:] for r in long if r[3] == "BU01411205" and r[6] == "T001036"] == [(0, None, None)]
    # "None" is an ordinary cell; one without any value is Missing (as v3 flags a null number).
    plain = {"Id": 7, "Measure": "T001036", "ValueAttribute": "None", "Value": None, "StringValue": None, "R": "GM0141"}
    (row,) = v4_observation_rows(
        "T", [plain], region_dimension="R", period_dimension=None, other_dimensions=[], measures={}
    )
    assert row[8:] == (None, None, "Missing")
    (row,) = v4_observation_rows(
        "T",
        [{**plain, "ValueAttribute": None, "Value": 0.0}],
        region_dimension="R",
        period_dimension=None,
        other_dimensions=[],
        measures={},
    )
    assert row[8:] == (0.0, None, None)  # a real zero stays a zero, unflagged
    (row,) = v4_observation_rows(
        "T", [{**plain, "StringValue": "GM0141  "}], region_dimension="R", period_dimension=None,
        other_dimensions=[], measures={},
    )
    assert row[8:] == (None, "GM0141", None)  # a text measure: StringValue, stripped, no flag


def test_a_table_without_a_period_dimension_gets_its_edition_year() -> None:
    assert edition_period(TABLE, 2025) == "2025JJ00"
    with pytest.raises(CbsError, match=r"86165NED has no period dimension and no edition year"):
        edition_period(TABLE, None)


def test_metadata_rows_have_the_v3_layouts(server: RecordingServer) -> None:
    client = client_for(server)
    props = client.properties(TABLE)
    assert props["Identifier"] == TABLE and "value" not in props  # a singleton, served as one object
    info = v4_table_info_row(TABLE, props)
    assert len(info) == len(TABLE_INFO_COLUMNS)
    assert info[1:8] == (
        "Kerncijfers wijken en buurten 2025",
        None,
        "2026-06-25T00:00:00+02:00",
        "2026-06-25T00:00:00+02:00",
        "2025",
        "Eenmalig",
        "Kerncijfers van wijken en buurten, 2025",
    )
    assert json.loads(info[8])["ObservationCount"] == OBSERVATIONS and "@odata.context" not in json.loads(info[8])

    dimensions = list(client.entity(TABLE, "Dimensions"))
    layout = v4_layout(dimensions)
    assert (layout.region_dimension, layout.period_dimension, layout.other_dimensions) == ("WijkenEnBuurten", None, [])
    properties = v4_property_rows(TABLE, client.entity(TABLE, "MeasureCodes"), dimensions)
    assert all(len(p) == len(PROPERTY_COLUMNS) for p in properties)
    by_key = {p[2]: p for p in properties}
    assert by_key["WijkenEnBuurten"][3] == "GeoDimension" and "M000352" not in by_key  # a group, not a measure
    assert by_key["T001036"][5:] == ("", "aantal", 0, "Long")
    assert by_key["M001796_2"][1:] == (
        5,
        "M001796_2",
        "Topic",
        "Nettoarbeidsparticipatie",
        by_key["M001796_2"][5],
        "%",
        1,
        "Double",
    )

    codes = v4_code_rows(TABLE, "WijkenEnBuurten", client.entity(TABLE, "WijkenEnBuurtenCodes"))
    assert all(len(c) == len(CODE_COLUMNS) for c in codes)
    assert {c[2] for c in codes} == TWENTE | {"NL00"} | WIJKEN | BUURTEN
    periods = [{"Identifier": "2025JJ00 ", "Title": "2025", "Description": "", "Status": "Voorlopig"}]
    assert v4_code_rows(TABLE, "Perioden", periods) == [(TABLE, "Perioden", "2025JJ00", "2025", "", "Voorlopig")]
    assert v4_period_status(periods) == {"2025JJ00": "Voorlopig"}


def test_service_document_and_select_validation(server: RecordingServer) -> None:
    doc = requests.get(f"{server.base_url}{V4_PATH}/{TABLE}/", timeout=5).json()
    kinds = {e["name"]: e["kind"] for e in doc["value"]}
    assert kinds["Properties"] == "Singleton" and kinds["Observations"] == "EntitySet"
    with pytest.raises(CbsError, match=r"86165NED: HTTP 400 .*Could not find a property named 'Bogus'"):
        list(client_for(server).entity(TABLE, "Observations", {"$select": "Id,Bogus"}))
    counted = requests.get(
        f"{server.base_url}{V4_PATH}/{TABLE}/Observations", params={"$count": "true", "$top": "1"}, timeout=5
    ).json()
    assert counted["@odata.count"] == OBSERVATIONS and len(counted["value"]) == 1
    assert "PeriodenCodes" not in {e["name"] for e in doc["value"]}  # the KWB tables have no period dimension


def _fault(status: int, headers: dict[str, str] | None = None, body: bytes = b"{}"):
    used = [False]

    def fault(url: str) -> RecordedResponse | None:
        if used[0]:
            return None
        used[0] = True
        return RecordedResponse(status, body, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})

    return fault


def test_unknown_table_fails_with_a_message_naming_it(server: RecordingServer) -> None:
    with pytest.raises(CbsError, match=r"CBS table 99999NED: not found \(HTTP 404\)"):
        list(client_for(server).entity("99999NED", "Observations"))
    with pytest.raises(CbsError, match=r"CBS table 99999NED: not found \(HTTP 404\)"):
        client_for(server).properties("99999NED")


def test_503_is_retried(server: RecordingServer) -> None:
    server.faults.extend([_fault(503), _fault(503)])
    assert client_for(server).properties(TABLE)["Identifier"] == TABLE
    assert len(server.recordings.requests) == 3


def test_429_with_retry_after_is_retried_after_waiting(server: RecordingServer) -> None:
    server.faults.append(_fault(429, {"Retry-After": "1"}))
    started = time.monotonic()
    rows = list(client_for(server).entity(TABLE, "Dimensions"))
    assert len(rows) == 1
    assert time.monotonic() - started >= 0.9  # honoured the server's Retry-After
    assert len(server.recordings.requests) == 2


def test_bad_answers_are_errors_naming_the_table(server: RecordingServer) -> None:
    server.faults.extend([_fault(503) for _ in range(10)])
    with pytest.raises(CbsError, match=r"86165NED.*HTTP 503"):
        list(client_for(server).entity(TABLE, "Observations"))
    server.faults.clear()
    server.faults.append(_fault(200, {"Content-Type": "text/html"}, b"<html><body>Onderhoud</body></html>"))
    with pytest.raises(CbsError, match=r"86165NED.*not JSON"):
        client_for(server).properties(TABLE)
    server.faults.append(_fault(200, body=b'{"@odata.context": "x"}'))
    with pytest.raises(CbsError, match=r"86165NED.*has no 'value' list"):
        list(client_for(server).entity(TABLE, "Observations"))


def test_recorded_adapter_answers_on_a_v4_base_url() -> None:
    """Mounted as http.py mounts it for v3, on the v4 base URL instead: no network, same client code."""
    base = "https://datasets.cbs.nl/odata/v1/CBS"
    session = requests.Session()
    session.mount(base + "/", RecordedODataAdapter(RECORDINGS, page_size=25))
    client = CbsV4Client(base, session, timeout=5)
    assert len(list(client.entity(TABLE, "Observations"))) == OBSERVATIONS
    assert client.properties(TABLE)["Title"] == "Kerncijfers wijken en buurten 2025"
    assert len(client.requests_made) == 12  # 10 x 25 + 22, then Properties


def test_real_cbs_v4_data_parses_through_the_same_code(shared_dir: Path) -> None:
    """The real 84916NED Observations (kcvanderlinden's dump): labels joined in, RegioCode holding the code."""
    real = shared_dir / "realdata" / "cbs_v4_84916NED_allTables_kcvanderlinden.csv"
    with real.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))

    def as_json(record: dict[str, str]) -> dict[str, object]:
        # CSV lost JSON's types: give Id, Value and StringValue back the types the API sends.
        return {
            **record,
            "Id": int(record["Id"]),
            "Value": float(record["Value"]) if record["Value"] else None,
            "StringValue": record["StringValue"] or None,
        }

    long = list(
        v4_observation_rows(
            "84916NED",
            map(as_json, records),
            region_dimension="RegioCode",
            period_dimension="Perioden",
            other_dimensions=["Beroepsklasse"],
            measures={},
        )
    )
    assert len(long) == len(records)
    almelo = [r for r in long if r[3] == "GM0141" and json.loads(r[5]) == {"Beroepsklasse": "Totaal"}]
    assert len(almelo) == 1
    assert almelo[0][2] == 24 and almelo[0][4] == "2022" and almelo[0][6] == "Werkzame beroepsbevolking"
    assert almelo[0][8] == 38.0 and almelo[0][10] is None
    assert not any(r[10] for r in long)  # every ValueAttribute is "None" and every Value is there
