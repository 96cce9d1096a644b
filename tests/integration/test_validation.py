"""Batch validation with Great Expectations, on a real PostgreSQL: publish a good batch, fail a bad one, and say why."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg.rows import dict_row

from ingestion import validation
from ingestion.validation import ValidationOutcome, expectations_dir, load_suite, sqlalchemy_url, validate_batch
from tests.support.settings import LIVE

COLUMNS = (
    "table_id",
    "row_number",
    "region_code",
    "period_code",
    "topic_key",
    "value",
    "string_value",
    "value_attribute",
)
GOOD_ROWS: list[dict[str, Any]] = [
    {
        "row_number": 0,
        "region_code": "GM0141",
        "period_code": "2024MM03",
        "topic_key": "Bijstandsuitkering_6",
        "value": 1230,
    },
    {
        "row_number": 0,
        "region_code": "GM0141",
        "period_code": "2024MM03",
        "topic_key": "Werkloosheidsuitkering_5",
        "value": 0,
    },
    {
        "row_number": 1,
        "region_code": "NL01",
        "period_code": "2024JJ00",
        "topic_key": "Bijstandsuitkering_6",
        "value": None,
        "value_attribute": "Missing",
    },
    {
        "row_number": 2,
        "region_code": "WK014110",
        "period_code": "2024MM12",
        "topic_key": "Bijstandsuitkering_6",
        "value": 15.5,
    },
    {
        "row_number": 3,
        "region_code": "BU01411105",
        "period_code": "2024HJ02",
        "topic_key": "Soort_1",
        "string_value": "Totaal",
    },
]


def add_batch(url: str, rows: Iterable[dict[str, Any]], status: str = "loaded") -> int:
    with psycopg.connect(url) as conn:
        batch_id = conn.execute(
            "insert into audit.load_batch (source, entity, source_ref, source_mode, status)"
            " values ('cbs', 'cbs_observation', '86003NED', 'recorded', %s) returning batch_id",
            (status,),
        ).fetchone()[0]
        with conn.cursor() as cur:
            cur.executemany(
                f"insert into raw.cbs_observation (batch_id, {', '.join(COLUMNS)})"  # noqa: S608 - fixed column list
                f" values (%s, {', '.join(['%s'] * len(COLUMNS))})",
                [(batch_id, *[({"table_id": "86003NED"} | row).get(c) for c in COLUMNS]) for row in rows],
            )
    return batch_id


def batch_row(url: str, batch_id: int) -> dict[str, Any]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select status, validated_at, message from audit.load_batch where batch_id = %s", (batch_id,)
        ).fetchone()


def results(url: str, batch_id: int) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select * from audit.validation_result where batch_id = %s order by validation_result_id", (batch_id,)
        ).fetchall()


def failed_on(outcome: ValidationOutcome, expectation: str, column: str) -> bool:
    return any(f.startswith(f"{expectation}({column}") for f in outcome.failures)


def test_good_batch_is_published_with_every_result_on_record(
    fresh_warehouse_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    batch_id = add_batch(fresh_warehouse_url, GOOD_ROWS)
    with caplog.at_level(logging.INFO, logger="ingestion.validation"):
        outcome = validate_batch(fresh_warehouse_url, batch_id)

    assert outcome == ValidationOutcome(batch_id, "raw_cbs_observation", True, [], outcome.evaluated)
    suite = load_suite("cbs_observation")
    assert outcome.evaluated == len(suite["expectations"])
    batch = batch_row(fresh_warehouse_url, batch_id)
    assert batch["status"] == "published" and batch["validated_at"] is not None and batch["message"] is None

    rows = results(fresh_warehouse_url, batch_id)
    assert len(rows) == outcome.evaluated and all(r["success"] for r in rows)
    assert {r["suite"] for r in rows} == {"raw_cbs_observation"} and {r["severity"] for r in rows} == {"error"}
    by_kind = {(r["expectation"], r["column_name"]): r for r in rows}
    between = by_kind[("expect_column_values_to_be_between", "value")]
    assert between["kwargs"] == {"min_value": 0} and between["unexpected_count"] == 0
    assert by_kind[("expect_table_row_count_to_be_between", None)]["observed_value"] == len(GOOD_ROWS)
    assert ("expect_compound_columns_to_be_unique", "row_number, topic_key") in by_kind
    # No domain or GX bookkeeping in kwargs: the column is in column_name, the batch in batch_id.
    assert not any({"batch_id", "column", "column_list"} & set(r["kwargs"]) for r in rows)

    lines = [r.getMessage() for r in caplog.records if r.name == "ingestion.validation"]
    assert lines == [
        f"validated batch {batch_id} with raw_cbs_observation: published ({outcome.evaluated} expectations)"
    ]


def test_negative_value_fails_the_batch_naming_value_and_the_expectation(fresh_warehouse_url: str) -> None:
    negative = {**GOOD_ROWS[0], "row_number": 9, "period_code": "2024MM06", "value": -5}
    batch_id = add_batch(fresh_warehouse_url, [*GOOD_ROWS, negative])
    outcome = validate_batch(fresh_warehouse_url, batch_id)

    assert not outcome.success
    assert outcome.failures == ["expect_column_values_to_be_between(value, min 0): 1 unexpected value(s), e.g. -5"]
    batch = batch_row(fresh_warehouse_url, batch_id)
    assert batch["status"] == "failed" and batch["validated_at"] is not None
    assert batch["message"] == f"validation failed: {outcome.failures[0]}"
    failed = [r for r in results(fresh_warehouse_url, batch_id) if not r["success"]]
    assert [(r["expectation"], r["column_name"], r["unexpected_count"]) for r in failed] == [
        ("expect_column_values_to_be_between", "value", 1)
    ]
    assert failed[0]["observed_value"]["partial_unexpected_list"] == [-5]


@pytest.mark.parametrize("period", ["2024XX99", "2024", "2024KW05", "2024JJ01"])
def test_unknown_period_code_fails_naming_period_code(fresh_warehouse_url: str, period: str) -> None:
    batch_id = add_batch(fresh_warehouse_url, [*GOOD_ROWS, {**GOOD_ROWS[0], "row_number": 9, "period_code": period}])
    outcome = validate_batch(fresh_warehouse_url, batch_id)

    assert not outcome.success and len(outcome.failures) == 1
    assert failed_on(outcome, "expect_column_values_to_match_regex", "period_code")
    assert f"e.g. '{period}'" in outcome.failures[0]
    assert "period_code" in batch_row(fresh_warehouse_url, batch_id)["message"]


def test_duplicate_row_and_topic_fails(fresh_warehouse_url: str) -> None:
    # The primary key already refuses duplicates; drop it in this throwaway database to reach the expectation,
    # which guards raw tables (and future entities) whose keys are not enforced.
    with psycopg.connect(fresh_warehouse_url) as conn:
        conn.execute("alter table raw.cbs_observation drop constraint cbs_observation_pkey")
    batch_id = add_batch(fresh_warehouse_url, [*GOOD_ROWS, {**GOOD_ROWS[0], "value": 7}])
    outcome = validate_batch(fresh_warehouse_url, batch_id)

    # The same row twice is also the same cell twice: both keys say so.
    assert not outcome.success and len(outcome.failures) == 2
    assert failed_on(outcome, "expect_compound_columns_to_be_unique", "row_number, topic_key")
    assert failed_on(outcome, "expect_compound_columns_to_be_unique", "region_code, period_code, dimensions, topic_key")
    assert "(row_number=0, topic_key='Bijstandsuitkering_6')" in outcome.failures[0]
    assert batch_row(fresh_warehouse_url, batch_id)["status"] == "failed"


def test_bad_rows_of_another_batch_do_not_count(fresh_warehouse_url: str) -> None:
    bad = [{**GOOD_ROWS[0], "value": -1, "period_code": "2024", "region_code": None}, GOOD_ROWS[1]]
    bad_batch = add_batch(fresh_warehouse_url, bad)
    good_batch = add_batch(fresh_warehouse_url, GOOD_ROWS)
    later_bad_batch = add_batch(fresh_warehouse_url, bad)

    good = validate_batch(fresh_warehouse_url, good_batch)
    assert good.success and batch_row(fresh_warehouse_url, good_batch)["status"] == "published"
    counts = {r["expectation"]: r["observed_value"] for r in results(fresh_warehouse_url, good_batch)}
    assert counts["expect_table_row_count_to_be_between"] == len(GOOD_ROWS)
    # Neither neighbour was touched, and each fails on its own rows.
    assert batch_row(fresh_warehouse_url, bad_batch)["status"] == "loaded"
    assert batch_row(fresh_warehouse_url, later_bad_batch)["status"] == "loaded"
    failed = validate_batch(fresh_warehouse_url, bad_batch)
    assert len(failed.failures) == 3  # the null region fails not-null only; the regex skips nulls
    assert failed_on(failed, "expect_column_values_to_not_be_null", "region_code")
    assert failed_on(failed, "expect_column_values_to_match_regex", "period_code")
    assert failed_on(failed, "expect_column_values_to_be_between", "value")


def test_empty_batch_fails_on_row_count(fresh_warehouse_url: str) -> None:
    batch_id = add_batch(fresh_warehouse_url, [])
    outcome = validate_batch(fresh_warehouse_url, batch_id)
    assert outcome.failures == ["expect_table_row_count_to_be_between(min 1): observed 0"]


@pytest.mark.parametrize("status", ["loading", "published", "failed", "unchanged"])
def test_only_a_loaded_batch_can_be_validated(fresh_warehouse_url: str, status: str) -> None:
    batch_id = add_batch(fresh_warehouse_url, GOOD_ROWS, status=status)
    with pytest.raises(ValueError, match=f"batch {batch_id} is '{status}'; only a 'loaded' batch"):
        validate_batch(fresh_warehouse_url, batch_id)
    assert batch_row(fresh_warehouse_url, batch_id)["status"] == status
    assert results(fresh_warehouse_url, batch_id) == []


def test_unknown_batch_is_refused(fresh_warehouse_url: str) -> None:
    with pytest.raises(ValueError, match="batch 424242 does not exist"):
        validate_batch(fresh_warehouse_url, 424242)


def test_results_and_status_commit_together(fresh_warehouse_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = add_batch(fresh_warehouse_url, GOOD_ROWS)
    record = validation._record

    def record_then_crash(*args: Any, **kwargs: Any) -> None:
        record(*args, **kwargs)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(validation, "_record", record_then_crash)
    with pytest.raises(RuntimeError):
        validate_batch(fresh_warehouse_url, batch_id)
    assert batch_row(fresh_warehouse_url, batch_id)["status"] == "loaded"
    assert results(fresh_warehouse_url, batch_id) == []


def test_recorded_cbs_table_passes_its_suite(fresh_warehouse_url: str) -> None:
    """The suite fits what the real loader lands (the bundled 86003NED responses)."""
    from ingestion.config import PACKAGE_DIR, Settings
    from ingestion.sources.cbs.tables import load_table

    settings = Settings.from_env(
        {
            "WAREHOUSE_URL": fresh_warehouse_url,
            "SOURCE_MODE": "recorded",
            "CBS_RECORDINGS_DIR": str(PACKAGE_DIR / "dev" / "recordings" / "cbs"),
        }
    )
    with psycopg.connect(fresh_warehouse_url) as conn:
        loaded = load_table(conn, settings, "86003NED")
    outcome = validate_batch(fresh_warehouse_url, loaded.batch_id)
    assert outcome.success, outcome.failures


def test_suite_file_is_gx_serialisation_and_loads_through_the_gx_api() -> None:
    import great_expectations as gx

    raw = json.loads((expectations_dir() / "raw_cbs_observation.json").read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**raw)
    assert suite.name == "raw_cbs_observation" and len(suite.expectations) == len(raw["expectations"])
    assert {e.expectation_type for e in suite.expectations} >= {
        "expect_column_to_exist",
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
    }


def test_expectations_dir_can_be_overridden(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPECTATIONS_DIR", str(tmp_path))
    assert expectations_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="no expectation suite for entity 'cbs_observation'"):
        load_suite("cbs_observation")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:5432/pm", ("postgresql+psycopg://postgres@127.0.0.1:5432/pm", True)),
        (
            "postgresql://u:p%40ss@db.example/pm?sslmode=require",
            ("postgresql+psycopg://u:p%40ss@db.example/pm?sslmode=require", True),
        ),
        (
            "postgresql://postgres@%2Fvar%2Frun%2Fpostgresql:5433/pm",
            ("postgresql+psycopg://postgres@/pm?host=%2Fvar%2Frun%2Fpostgresql&port=5433", False),
        ),
        ("postgresql:///pm?host=/tmp", ("postgresql+psycopg:///pm?host=%2Ftmp", False)),
        ("postgresql://127.0.0.1/pm", ("postgresql+psycopg://127.0.0.1/pm", False)),  # no user: PostgresDsn refuses
    ],
)
def test_sqlalchemy_url(url: str, expected: tuple[str, bool]) -> None:
    assert sqlalchemy_url(url) == expected


def test_validates_over_a_unix_socket(fresh_warehouse_url: str) -> None:
    """Socket URLs go through GX's generic SQL source (its Postgres source insists on a TCP host)."""
    from urllib.parse import urlsplit

    parts = urlsplit(fresh_warehouse_url)
    socket_dir = next(
        (d for d in ("/var/run/postgresql", "/tmp") if os.path.exists(f"{d}/.s.PGSQL.{parts.port or 5432}")), None
    )
    if parts.hostname not in ("127.0.0.1", "localhost") or socket_dir is None:
        pytest.skip("the test server has no local unix socket")
    socket_url = f"postgresql://{parts.username or ''}@{quote(socket_dir, safe='')}:{parts.port or 5432}{parts.path}"
    try:
        psycopg.connect(socket_url).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"the socket does not accept this user: {exc}")
    assert sqlalchemy_url(socket_url)[1] is False

    batch_id = add_batch(fresh_warehouse_url, GOOD_ROWS)
    assert validate_batch(socket_url, batch_id).success
    assert batch_row(fresh_warehouse_url, batch_id)["status"] == "published"


def test_an_expectation_that_cannot_run_fails_the_batch_and_says_why(
    fresh_warehouse_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = load_suite("cbs_observation")
    suite["expectations"] = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "max_value": 1000}},
    ]
    (tmp_path / "raw_cbs_observation.json").write_text(json.dumps(suite), encoding="utf-8")
    monkeypatch.setenv("EXPECTATIONS_DIR", str(tmp_path))
    batch_id = add_batch(fresh_warehouse_url, GOOD_ROWS)

    outcome = validate_batch(fresh_warehouse_url, batch_id)
    assert outcome.evaluated == 2 and len(outcome.failures) == 2
    assert outcome.failures[0].startswith("expect_column_values_to_not_be_null(no_such_column): could not be evaluated")
    assert (
        outcome.failures[1] == "expect_column_values_to_be_between(value, max 1000): 1 unexpected value(s), e.g. 1230"
    )
    assert batch_row(fresh_warehouse_url, batch_id)["status"] == "failed"


def test_a_batch_validated_through_the_pipeline_keeps_its_results_in_the_settings_data_docs(
    fresh_warehouse_url: str, tmp_path
) -> None:
    """The Data Docs folder is the one of the settings given, not the environment's (which every test run shares)."""
    from ingestion import pipeline
    from ingestion.config import Settings

    own = tmp_path / "data_docs"
    cfg = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, "SOURCE_MODE": "recorded",
                             "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"), "DATA_DOCS_DIR": str(own)})
    assert os.environ["DATA_DOCS_DIR"] != str(own)
    environment_results = list((Path(os.environ["DATA_DOCS_DIR"]) / "results").rglob("*.json"))
    batch = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86165NED", cfg=cfg), cfg)
    assert batch["status"] == "published"
    assert [p for p in (own / "results").rglob("*.json") if f"_batch_{batch['batch_id']}" in str(p)]
    assert f"_batch_{batch['batch_id']}" in (own / "site" / "index.html").read_text()
    assert list((Path(os.environ["DATA_DOCS_DIR"]) / "results").rglob("*.json")) == environment_results


# --- the file name against the rows (issue 20) ------------------------------------------------------------------


def _file_settings(url: str, tmp_path: Path):
    from ingestion.config import Settings

    return Settings.from_env({"WAREHOUSE_URL": url, **LIVE, "PSEUDONYM_KEY": "name-vs-rows-key-0123",
                              "DROP_DIR": str(tmp_path / "drop"), "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"),
                              "DATA_DOCS_DIR": str(tmp_path / "data_docs")})


def _deliver(url: str, tmp_path: Path, source: str, files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Load and validate the files as the night does; one outcome per file, in name order."""
    from ingestion import pipeline

    cfg = _file_settings(url, tmp_path)
    folder = tmp_path / "drop" / source
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    outcomes = pipeline.load_files(source, cfg=cfg)
    assert {o["status"] for o in outcomes} == {"loaded"}, outcomes
    return pipeline.validate_files(outcomes, cfg)


def test_a_werkplein_file_whose_rows_contradict_its_name_fails_naming_both(
    fresh_warehouse_url: str, tmp_path: Path
) -> None:
    from tests.reliability.corpus.make_corpus import UITKERING_HEADER, encode, text_file, uitkering, uitkeringen

    other_gemeente = [UITKERING_HEADER, *uitkeringen("31-01-2024", 3), uitkering(4, "31-01-2024", gemeentecode="0153")]
    february = [UITKERING_HEADER, *uitkeringen("29-02-2024", 3)]  # a whole export of the month after the name's
    matching = [UITKERING_HEADER, *uitkeringen("31-03-2024", 3)]
    outcomes = _deliver(fresh_warehouse_url, tmp_path, "werkplein", {
        "werkplein_uitkeringen_0141_202401.csv": encode(text_file(other_gemeente), "utf-8", bom=True),
        "werkplein_uitkeringen_0141_202401_februari.csv": encode(text_file(february), "utf-8", bom=True),
        "werkplein_uitkeringen_0141_202403.csv": encode(text_file(matching), "utf-8", bom=True),
    })

    gemeente, month, good = outcomes
    assert good["status"] == "published", good
    assert gemeente["status"] == "failed" and month["status"] == "failed"
    assert ("expect_column_values_to_be_in_set(gemeentecode, in {'0141'}; the file name says gemeente 0141):"
            " 1 unexpected value(s), e.g. '0153'") in gemeente["reason"]
    assert ("expect_column_values_to_be_between(peildatum, min '2024-01-01', max '2024-01-31'; the file name says"
            " 202401): 3 unexpected value(s), e.g. '2024-02-29'") in month["reason"]
    assert "gemeentecode" not in month["reason"] and "peildatum" not in gemeente["reason"]
    with psycopg.connect(fresh_warehouse_url) as conn:
        moved = dict(conn.execute(
            "select batch_id, quarantine_path from audit.quarantine where row_number is null").fetchall())
    assert set(moved) == {gemeente["batch_id"], month["batch_id"]}  # out of the drop folder, not published
    assert all(Path(p).is_file() for p in moved.values())


def test_a_uwv_file_whose_rows_are_another_quarter_fails_naming_both(fresh_warehouse_url: str, tmp_path: Path) -> None:
    from tests.reliability.corpus.make_corpus import UWV_HEADER, encode, text_file, uwv_rows

    outcomes = _deliver(fresh_warehouse_url, tmp_path, "uwv", {
        "uwv_spanningsindicator_2024Q1.csv": encode(text_file([UWV_HEADER, *uwv_rows("2024 Q1")]), "utf-8"),
        "uwv_spanningsindicator_2024Q2.csv": encode(text_file([UWV_HEADER, *uwv_rows("2024-3")]), "utf-8"),
    })
    good, other_quarter = outcomes
    assert good["status"] == "published", good
    assert other_quarter["status"] == "failed"
    assert ("expect_column_values_to_be_in_set(period_code, in {'2024KW02'}; the file name says 2024Q2):"
            " 6 unexpected value(s), e.g. '2024KW03'") in other_quarter["reason"]


def test_rows_not_delivered_as_a_named_file_skip_the_name_checks_only() -> None:
    """A batch without a file name (landed by hand) has nothing to agree with; any other placeholder is required."""
    from datetime import date

    from ingestion.validation import RunFacts, resolve_suite

    suite = load_suite("werkplein_uitkering")
    named = resolve_suite(suite, RunFacts(date(2024, 2, 1), "werkplein_uitkering", None, delivery={
        "gemeentecode": "0141", "period": "202401", "period_start": "2024-01-01", "period_end": "2024-01-31"}))
    unnamed = resolve_suite(suite, RunFacts(date(2024, 2, 1), "werkplein_uitkering", None))
    assert len(named["expectations"]) - len(unnamed["expectations"]) == 2
    by_column = {e["kwargs"].get("column"): e for e in named["expectations"] if e.get("description")}
    assert by_column["gemeentecode"]["kwargs"]["value_set"] == ["0141"]
    assert by_column["peildatum"]["description"] == "the file name says 202401"
    broken = {**suite, "expectations": [{"type": "expect_column_values_to_be_in_set",
                                         "kwargs": {"column": "gemeentecode", "value_set": ["${no_such_fact}"]}}]}
    with pytest.raises(ValueError, match=r"unknown placeholder \$\{no_such_fact\}"):
        resolve_suite(broken, RunFacts(date(2024, 2, 1), "werkplein_uitkering", None))
