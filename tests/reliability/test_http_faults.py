"""HTTP faults against a local fault-injecting CBS server (tests/support/fault_server.py), through the whole load.

One warehouse for the module: the CBS table loaded from a well-behaved server, validated, published and built into
marts. Then, per fault, the table is loaded again (``full``: every page of it) in SOURCE_MODE=live from a server
that misbehaves as the case says. A transient fault (5xx a few times, 429 with Retry-After, a reset or closed
connection, a read timeout, a body that breaks off) must be recovered from: the batch loads with every row, and
publishes. A persistent or semantic fault (5xx / resets / timeouts that do not stop, truncated JSON, an HTML page
with status 200, a page with another column set, an empty page in the middle of paging) must fail the batch with a
message naming the table and the URL or status, leave no row of it in raw (so staging cannot see any), and leave
the published marts as they were.

A recovering case serves a revision of the table (a new ``Modified``, one value changed, different per case): a
reload of unchanged content would be recorded as 'unchanged' and prove nothing about the rows.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.sources.cbs.odata import CbsError
from tests.support import fault_server as fs
from tests.support.ledger import record
from tests.support.marts import marts_fingerprint
from tests.support.settings import LIVE

TABLE = "86003NED"
RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
PAGE_SIZE = 25  # TypedDataSet: 1 380 rows, so faults at $skip=25 and 50 hit pages in the middle
RETRIES = 3
TIMEOUT_SECONDS = 1.0
STALL_SECONDS = 2.5  # longer than the client's timeout
RAW_TABLES = ("cbs_table_info", "cbs_data_property", "cbs_dimension_code", "cbs_observation")
# The cell a revision changes (the Almelo bijstand count of a provisional quarter).
REVISED = {"region": "GM0141", "period": "2024MM09", "topic": "Bijstandsuitkering_6"}
URL = r"http://127\.0\.0\.1:\d+/ODataFeed/odata/86003NED"


def live_settings(warehouse_url: str, base_url: str, local_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "WAREHOUSE_URL": warehouse_url,
            **LIVE,
            "CBS_ODATA_URL": base_url,
            "HTTP_RETRIES": str(RETRIES),
            "HTTP_BACKOFF_SECONDS": "0",  # Retry-After is still honoured
            "HTTP_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
            "PROGRAMMAMONITOR_LOCAL_DIR": str(local_dir),
        }
    )


@dataclass(frozen=True)
class Published:
    url: str
    row_counts: dict[str, int]
    cells: list[tuple]
    marts: dict[str, str]


def observation_cells(conn: psycopg.Connection, batch_id: int) -> list[tuple]:
    return conn.execute(
        "select region_code, period_code, dimensions, topic_key, measure_code, value::text, string_value,"
        " value_attribute from raw.cbs_observation where batch_id = %s order by 1, 2, 3, 4",
        (batch_id,),
    ).fetchall()


@pytest.fixture(scope="module")
def published(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    """The table loaded from a server without faults, validated and published, and the marts built from it."""
    local = tmp_path_factory.mktemp("faults")
    with throwaway_warehouse(pg_server_url, "pm_faults") as url:
        server = fs.serve_faulty(RECORDINGS, PAGE_SIZE)
        try:
            cfg = live_settings(url, server.base_url, local)
            batch = pipeline.validate_loaded_batch(pipeline.load_cbs_table(TABLE, cfg=cfg), cfg)
        finally:
            server.stop()
        assert batch["status"] == "published"
        pipeline.transform(cfg)
        with psycopg.connect(url) as conn:
            row_counts = conn.execute(
                "select row_counts from audit.load_batch where batch_id = %s", (batch["batch_id"],)
            ).fetchone()[0]
            cells = observation_cells(conn, batch["batch_id"])
            marts = marts_fingerprint(conn)
        assert row_counts["cbs_observation"] == len(cells) > 0 and marts
        yield Published(url, row_counts, cells, marts)


@dataclass(frozen=True)
class Case:
    faults: list[tuple[fs.Action, str, int]]  # (what the server does, a piece of the URL it does it on, how often)
    message: str | None = None  # None: the load recovers; else a regex the failure message must match
    min_seconds: float = 0.0  # the load took at least this long (a Retry-After waited for)


EVERY_TIME = 99  # more than the retries: the fault does not go away

CASES = {
    # --- transient: retried below the client (urllib3) or by it (a body that broke off), and recovered from ---
    "500-twice-on-TableInfos": Case([(fs.status(500), "/TableInfos?", 2)]),
    "502-twice-on-DataProperties": Case([(fs.status(502), "/DataProperties?", 2)]),
    "503-three-times-on-a-middle-page": Case([(fs.status(503), "$skip=25", RETRIES)]),
    "429-with-retry-after": Case([(fs.too_many_requests(1), "/TypedDataSet?", 1)], min_seconds=1.0),
    "connection-reset-twice": Case([(fs.reset, "$skip=50", 2)]),
    "connection-closed-without-response": Case([(fs.hang_up, "/Perioden?", 1)]),
    "read-timeout-once": Case([(fs.stall(STALL_SECONDS), "$skip=25", 1)]),
    "body-cut-off-once": Case([(fs.cut_body(0.5), "$skip=25", 1)]),
    # --- persistent: retries run out, the batch fails naming the table, the URL and the status or the error ---
    "503-persistent": Case(
        [(fs.status(503), "/TypedDataSet?", EVERY_TIME)], rf"CBS table 86003NED: HTTP 503 from {URL}/TypedDataSet"
    ),
    "connection-reset-persistent": Case(
        [(fs.reset, "/DataProperties?", EVERY_TIME)],
        rf"CBS table 86003NED: request to {URL}/DataProperties failed after retries: .*Connection (reset|aborted)",
    ),
    "read-timeout-persistent": Case(
        [(fs.stall(STALL_SECONDS), "$skip=25", EVERY_TIME)],
        rf"CBS table 86003NED: request to {URL}/TypedDataSet\S* failed after retries: .*[Rr]ead timed out",
    ),
    "body-cut-off-persistent": Case(
        [(fs.cut_body(0.5), "$skip=50", EVERY_TIME)],
        rf"CBS table 86003NED: the response from {URL}/TypedDataSet\S*\$skip=50 broke off before its end, "
        rf"{RETRIES + 1} times: .*IncompleteRead",
    ),
    # --- semantic: a response that is not what CBS sends; retrying would not help ---
    "truncated-json": Case(
        [(fs.truncated_json(0.6), "$skip=25", 1)],
        rf"CBS table 86003NED: response from {URL}/TypedDataSet\S*\$skip=25 is broken JSON, truncated or malformed",
    ),
    "html-error-page-with-200": Case(
        [(fs.html_page(200), "$skip=50", 1)],
        rf"CBS table 86003NED: response from {URL}/TypedDataSet\S*\$skip=50 is not JSON \(starts '<!DOCTYPE html>",
    ),
    "topic-key-renamed-in-a-page": Case(
        [(fs.rename_column("Bijstandsuitkering_6", "Bijstandsuitkering_11"), "$skip=25", 1)],
        rf"CBS table 86003NED: rows from {URL}/TypedDataSet\S*\$skip=25 do not have the requested columns "
        r"\(missing: Bijstandsuitkering_6; unexpected: Bijstandsuitkering_11\)",
    ),
    "topic-key-missing-from-a-page": Case(
        [(fs.drop_column("Werkloosheidsuitkering_5"), "$skip=50", 1)],
        rf"CBS table 86003NED: rows from {URL}/TypedDataSet\S*\$skip=50 do not have the requested columns "
        r"\(missing: Werkloosheidsuitkering_5; unexpected: none\)",
    ),
    # CBS never sends an empty page with a next link; following it could lose the rows that page should have held,
    # with nothing to count them against, so it is an error (ingestion/sources/cbs/tables.py: checked_rows).
    "empty-page-in-the-middle": Case(
        [(fs.empty_page(), "$skip=25", 1)],
        rf"CBS table 86003NED: page {URL}/TypedDataSet\S*\$skip=25 is empty but links to a next page",
    ),
}


def revise(root: Path, value: int) -> None:
    """A new CBS release of the table: a new Modified, and the REVISED cell set to ``value``."""
    table = root / "v3" / TABLE
    data = json.loads((table / "TypedDataSet.json").read_text())
    [row] = [
        r
        for r in data["value"]
        if r["WijkenEnBuurten"].strip() == REVISED["region"] and r["Perioden"] == REVISED["period"]
    ]
    row[REVISED["topic"]] = value
    (table / "TypedDataSet.json").write_text(json.dumps(data))
    info = json.loads((table / "TableInfos.json").read_text())
    info["value"][0]["Modified"] = f"2025-06-27T02:{value % 60:02d}:00"
    (table / "TableInfos.json").write_text(json.dumps(info))


def expected_cells(baseline: list[tuple], value: int) -> list[tuple]:
    def revised(cell: tuple) -> tuple:
        region, period, _, topic = cell[:4]
        if (region, period, topic) == (REVISED["region"], REVISED["period"], REVISED["topic"]):
            return (*cell[:5], str(value), *cell[6:])
        return cell

    return [revised(c) for c in baseline]


def short(message: str) -> str:
    """The message for the ledger's one line: URLs without their (long) query strings, but for the page's $skip."""
    return re.sub(r"\?\S*?(&\$skip=\d+)?(?=\)?[;:]?(\s|$))", r"?…\1", message)


@pytest.mark.parametrize("name", list(CASES))
def test_http_fault(name: str, published: Published, tmp_path: Path) -> None:
    case = CASES[name]
    recovers = case.message is None
    root = tmp_path / "recordings"
    shutil.copytree(RECORDINGS / "v3" / TABLE, root / "v3" / TABLE)
    baseline_value = next(c for c in published.cells if (c[0], c[1], c[3]) == tuple(REVISED.values()))[5]
    value = int(float(baseline_value)) + 1 + list(CASES).index(name)  # a different revision for every case
    if recovers:
        revise(root, value)

    server = fs.serve_faulty(root, PAGE_SIZE)
    for action, match, times in case.faults:
        server.add(action, match, times)
    cfg = live_settings(published.url, server.base_url, tmp_path / "local")
    error: CbsError | None = None
    result: dict | None = None
    started = time.monotonic()
    try:
        result = pipeline.load_cbs_table(TABLE, full=True, cfg=cfg)
    except CbsError as exc:
        error = exc
    finally:
        seconds = time.monotonic() - started
        server.stop()
    hits = sum(f.used for f in server.faults)
    all_faults_struck = all(f.used == (f.times if recovers else f.used) and f.used > 0 for f in server.faults)

    with psycopg.connect(published.url) as conn:
        batch_id, status, message, row_counts = conn.execute(
            "select batch_id, status, message, row_counts from audit.load_batch"
            " where source = 'cbs' and source_ref = %s order by batch_id desc limit 1",
            (TABLE,),
        ).fetchone()
        raw_rows = sum(
            conn.execute(f"select count(*) from raw.{t} where batch_id = %s", (batch_id,)).fetchone()[0]  # noqa: S608
            for t in RAW_TABLES
        )
        cells = observation_cells(conn, batch_id)

    if recovers:
        published_batch = pipeline.validate_loaded_batch(result, cfg) if result else {}
        with psycopg.connect(published.url) as conn:
            final_status = conn.execute(
                "select status from audit.load_batch where batch_id = %s", (batch_id,)
            ).fetchone()[0]
        complete = row_counts == published.row_counts and cells == expected_cells(published.cells, value)
        handled = (
            error is None
            and status == "loaded"
            and published_batch.get("status") == final_status == "published"
            and complete
            and all_faults_struck
            and seconds >= case.min_seconds
        )
        outcome = (
            f"NOT recovered: {short(str(error))}"
            if error
            else f"recovered after {hits} fault(s) in {seconds:.1f}s: batch {batch_id} {final_status}, "
            f"{sum(row_counts.values())} rows, {'all' if complete else 'NOT all'} of them"
        )
    else:
        with psycopg.connect(published.url) as conn:
            marts_unchanged = marts_fingerprint(conn) == published.marts
        clear = error is not None and re.search(case.message, str(error)) is not None
        handled = (
            clear
            and status == "failed"
            and message == str(error)
            and raw_rows == 0
            and marts_unchanged
            and all_faults_struck
        )
        outcome = f"failed: {short(str(error))}" if error else f"NOT failed: batch {batch_id} {status}"
        if not marts_unchanged:
            outcome += " (marts CHANGED)"
    record("fault", name, handled=handled, outcome=outcome)

    assert all_faults_struck, server.log
    if recovers:
        assert error is None, error
        assert status == "loaded" and final_status == "published"
        assert row_counts == published.row_counts
        assert cells == expected_cells(published.cells, value)  # every row, once, with the revised value
        assert seconds >= case.min_seconds
    else:
        assert error is not None, f"the load did not fail: batch {batch_id} {status}"
        assert re.search(case.message, str(error)), str(error)
        assert (status, message) == ("failed", str(error))
        assert raw_rows == 0 and cells == []  # rolled back: nothing of the failed batch for staging to see
        assert marts_unchanged
