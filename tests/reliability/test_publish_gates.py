"""Publish gates for the file sources: every kind of broken delivery stops at the door or at validation, the marts
BI reads stay byte-for-byte the same, and the next good delivery publishes.

Row-level problems (a bad code, a text in a number column) are quarantined at the door by the loader (issue 4), so
the batch still publishes without them; what the suites must catch are the problems of a whole delivery.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.dev.scratch import throwaway_warehouse
from tests.support.marts import marts_snapshot
from tests.support.privacy import decode
from tests.support.settings import LIVE

SAMPLES = Path(__file__).resolve().parents[2] / "ingestion" / "dev" / "samples"
Edit = Callable[[list[list[str]]], list[list[str]]]


def _settings(url: str, tmp: Path) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, **LIVE, "PSEUDONYM_KEY": "publish-gates-key-0123",
                              "DROP_DIR": str(tmp / "drop"), "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp / "local"),
                              "DATA_DOCS_DIR": str(tmp / "data_docs")})


def _rewrite(source: Path, target: Path, edit: Edit) -> Path:
    """A copy of a CSV delivery with edit(rows) applied, in the source file's own encoding and delimiter."""
    text, encoding = decode(source.read_bytes())
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    rows = edit(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue().encode(encoding))
    return target


def _set(column: str, value: str, rows_: slice = slice(1, None)) -> Edit:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        index = [h.lower() for h in rows[0]].index(column.lower())
        for row in rows[rows_]:
            row[index] = value
        return rows

    return edit


def _drop_column(column: str) -> Edit:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        index = [h.lower() for h in rows[0]].index(column.lower())
        return [r[:index] + r[index + 1:] for r in rows]

    return edit


def _duplicate_first_row(rows: list[list[str]]) -> list[list[str]]:
    return [rows[0], rows[1], *rows[1:]]


def _halve(rows: list[list[str]]) -> list[list[str]]:
    """Well under half of the rows (the suites allow 0.5x-2x the previous delivery)."""
    return [rows[0], *rows[1: 1 + (len(rows) - 1) * 2 // 5]]


@pytest.fixture(scope="module")
def world(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory):
    """A warehouse whose marts were built from good deliveries of every file source, plus the next good ones."""
    tmp = tmp_path_factory.mktemp("gates")
    export = tmp / "export"
    generate_werkplein(export, scale=0.05, months=5, end="2024-05", seed=11, gemeentecode="0141")
    with throwaway_warehouse(pg_server_url, "pm_gates") as url:
        cfg = _settings(url, tmp)
        first = tmp / "first"
        for name in ("werkplein_uitkeringen_0141_202401.csv", "werkplein_uitkeringen_0141_202402.csv"):
            (first / "werkplein").mkdir(parents=True, exist_ok=True)
            shutil.copy(export / name, first / "werkplein" / name)
        (first / "uwv").mkdir()
        shutil.copy(SAMPLES / "uwv" / "uwv_spanningsindicator_2022Q4.csv", first / "uwv")
        (first / "kennispunt").mkdir()
        shutil.copy(SAMPLES / "kennispunt" / "kennispunt_burgerpanel_20240601.csv", first / "kennispunt")
        (first / "handmatig").mkdir()
        shutil.copy(SAMPLES / "handmatig" / "handmatig_programmas_20240601.csv", first / "handmatig")
        for source in ("werkplein", "uwv", "kennispunt", "handmatig"):
            outcomes = pipeline.validate_loaded_files(pipeline.load_files(source, str(first / source), cfg=cfg), cfg)
            assert {o["status"] for o in outcomes} == {"published"}
        pipeline.transform(cfg)
        yield url, cfg, tmp, export, marts_snapshot(url)


# (source, the good next delivery, how it is broken, the expectation or reason named, 'failed' or 'rejected')
BROKEN = [
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _drop_column("bsn"), "bsn", "rejected"),
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _set("wijkcode", "WK99"),
     "expect_column_values_to_match_regex(wijkcode", "failed"),
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _duplicate_first_row,
     "expect_compound_columns_to_be_unique(registratienummer, statistiekcode", "failed"),
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _halve, "expect_table_row_count_to_be_between", "failed"),
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _set("peildatum", "31-03-2099"),
     "expect_column_values_to_be_between(peildatum", "failed"),
    # February again under March's name: counted twice beside the real February if it published (issue 20).
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _set("peildatum", "29-02-2024"),
     "the file name says 202403): ", "failed"),
    ("werkplein", "werkplein_uitkeringen_0141_202403.csv", _set("gemeentecode", "0153", slice(1, 2)),
     "the file name says gemeente 0141): 1 unexpected value(s), e.g. '0153'", "failed"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _drop_column("spanningsindicator"), "spanningsindicator", "rejected"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _set("spanningsindicator", "75,5", slice(1, 2)),
     "expect_column_values_to_be_between(spanningsindicator", "failed"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _duplicate_first_row,
     "expect_compound_columns_to_be_unique(arbeidsmarktregio, beroepsklasse, period_code", "failed"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _halve, "expect_table_row_count_to_be_between", "failed"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _set("periode", "2099-1"),
     "expect_column_values_to_match_regex(period_code", "failed"),
    ("uwv", "uwv_spanningsindicator_2023Q1.csv", _set("periode", "2023-2"),
     "(period_code, in {'2023KW01'}; the file name says 2023Q1): 14 unexpected value(s), e.g. '2023KW02'", "failed"),
    ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv", _drop_column("waarde"), "neither Kennispunt layout",
     "rejected"),
    ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv", _set("periode", "2099", slice(1, 2)),
     "expect_column_values_to_match_regex(periode", "failed"),
    ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv", _duplicate_first_row,
     "expect_compound_columns_to_be_unique(indicator, gebiedcode, periode", "failed"),
    ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv", _set("eenheid", "kilo", slice(1, 2)),
     "expect_column_values_to_be_in_set(eenheid", "failed"),
    ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv", _set("waarde", "-80000", slice(1, 2)),
     "counts and areas not negative): 1 unexpected row(s)", "failed"),
    # Compared with the previous export of the same onderwerp (the fixture's burgerpanel), not with other monitors.
    ("kennispunt", "kennispunt_burgerpanel_20240601.csv", _halve, "expect_table_row_count_to_be_between", "failed"),
    ("handmatig", "handmatig_programmas_20240601.csv", _drop_column("waarde"), "required column waarde missing",
     "rejected"),
    ("handmatig", "handmatig_programmas_20240601.csv", _duplicate_first_row,
     "expect_compound_columns_to_be_unique(indicator_code, gemeentecode, period_code", "failed"),
    # A future period is a row problem the door quarantines (ingestion/sources/handmatig.py): with every row in
    # the future no row is left and the file is rejected. The suite's own check is the backstop
    # (tests/integration/test_handmatig.py::test_the_suite_fails_a_future_period_the_door_did_not_catch).
    ("handmatig", "handmatig_programmas_20240601.csv", _set("periode", "2099"), "in the future", "rejected"),
]


def _origin(source: str, name: str, export: Path) -> Path:
    return export / name if source == "werkplein" else SAMPLES / source / name


@pytest.mark.parametrize(("source", "name", "edit", "named", "status"), BROKEN,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_a_broken_delivery_is_stopped_and_named(world, source: str, name: str, edit: Edit, named: str,
                                                status: str, tmp_path: Path) -> None:
    url, cfg, _, export, _ = world
    broken = _rewrite(_origin(source, name, export), tmp_path / source / name.replace(".csv", "_kapot.csv"), edit)
    [loaded] = pipeline.load_files(source, str(broken), cfg=cfg)
    if status == "rejected":
        assert loaded["status"] == "rejected" and named in loaded["reason"]
        return
    assert loaded["status"] == "loaded", loaded
    with pytest.raises(pipeline.ValidationFailed) as failure:
        pipeline.validate_loaded_files([loaded], cfg)
    assert named in str(failure.value)
    with psycopg.connect(url) as conn:
        batch_status, message = conn.execute("select status, message from audit.load_batch where batch_id = %s",
                                             (loaded["batch_id"],)).fetchone()
        moved = conn.execute("select quarantine_path from audit.quarantine where batch_id = %s and row_number is null",
                             (loaded["batch_id"],)).fetchone()
    assert batch_status == "failed" and named in message
    assert moved is not None and Path(moved[0]).is_file()  # out of the drop folder: the next night is not blocked


def test_after_the_broken_deliveries_the_marts_are_unchanged_and_the_next_good_ones_publish(world) -> None:
    url, cfg, tmp, export, before = world
    name = "werkplein_uitkeringen_0141_202403.csv"
    halved = _rewrite(export / name, tmp / "halved" / "werkplein" / name.replace(".csv", "_half.csv"), _halve)
    with pytest.raises(pipeline.ValidationFailed):
        pipeline.validate_loaded_files(pipeline.load_files("werkplein", str(halved), cfg=cfg), cfg)
    pipeline.transform(cfg)
    assert marts_snapshot(url) == before  # byte for byte: nothing of a failed batch reached BI

    good = tmp / "good"
    for source, name in (("werkplein", "werkplein_uitkeringen_0141_202403.csv"),
                         ("uwv", "uwv_spanningsindicator_2023Q1.csv"),
                         ("kennispunt", "kennispunt_binnenstadsmonitor_20240315.csv")):
        (good / source).mkdir(parents=True)
        shutil.copy(_origin(source, name, export), good / source / name)
        [outcome] = pipeline.validate_loaded_files(pipeline.load_files(source, str(good / source), cfg=cfg), cfg)
        assert outcome["status"] == "published", outcome
    pipeline.transform(cfg)
    after = marts_snapshot(url)
    periods = {(r["source_system"], r["period_code"]) for r in after["fct_indicator_value"]}
    assert {("werkplein", "2024MM03"), ("uwv", "2023KW01")} <= periods
    assert any(r["source_system"] == "kennispunt_twente" and r["indicator_code"].startswith("bin_")
               for r in after["fct_indicator_value"])


def test_one_task_validating_several_deliveries_judges_each_on_its_own(world, tmp_path: Path) -> None:
    """validate_loaded_files shares one GX context: the run-time bounds must still be each batch's own."""
    url, cfg, _, export, _ = world
    folder = tmp_path / "werkplein"
    folder.mkdir()
    good = export / "werkplein_uitkeringen_0141_202404.csv"
    shutil.copy(good, folder / good.name)
    # May's export, halved: measured against the April file (and of May, so only its size is wrong).
    may = _set("peildatum", "31-05-2024")
    _rewrite(good, folder / good.name.replace("202404", "202405"), lambda rows: _halve(may(rows)))
    outcomes = pipeline.load_files("werkplein", str(folder), cfg=cfg)
    assert [o["status"] for o in outcomes] == ["loaded", "loaded"]
    with pytest.raises(pipeline.ValidationFailed) as failure:
        pipeline.validate_loaded_files(outcomes, cfg)
    assert "202405" in str(failure.value) and "202404" not in str(failure.value)
    assert "expect_table_row_count_to_be_between" in str(failure.value) and "file name says" not in str(failure.value)
    with psycopg.connect(url) as conn:
        statuses = [r[0] for r in conn.execute(
            "select status from audit.load_batch where batch_id = any(%s) order by batch_id",
            ([o["batch_id"] for o in outcomes],))]
    assert statuses == ["published", "failed"]
    index = (cfg.data_docs_dir / "site" / "index.html").read_text()
    assert all(f"_batch_{o['batch_id']}" in index for o in outcomes)  # both on the Data Docs, rendered once


def test_a_kennispunt_export_is_compared_with_its_own_onderwerp_only(world, tmp_path: Path) -> None:
    """Monitors differ in size: a three-row export of a new onderwerp after larger ones is no 'halved' delivery."""
    _, cfg, _, _, _ = world
    small = _rewrite(SAMPLES / "kennispunt" / "kennispunt_binnenstadsmonitor_20240315.csv",
                     tmp_path / "kennispunt" / "kennispunt_parkeren_20240801.csv", lambda rows: rows[:4])
    [outcome] = pipeline.validate_loaded_files(pipeline.load_files("kennispunt", str(small), cfg=cfg), cfg)
    assert outcome["status"] == "published", outcome
