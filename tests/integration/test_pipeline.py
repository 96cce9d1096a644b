"""The whole chain — load, validate, build, publish — on a real warehouse, with broken CBS releases: a bad one never
reaches the marts, the next good one does. (Through Airflow itself: tests/dags/test_night.py.)"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.loader import LoadError
from tests.support.marts import marts_snapshot
from tests.support.nights import Night, copy_of
from tests.support.recordings import break_recording
from tests.support.settings import settings_for

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"


BROKEN_RELEASES = [
    ("negative-count", {"negative": True}, "expect_column_values_to_be_between", "value"),
    ("unknown-period-code", {"bad_period": True}, "expect_column_values_to_match_regex", "period_code"),
    ("future-period", {"future": True}, "expect_column_values_to_match_regex", "period_code"),
    ("duplicate-cell", {"duplicate": True}, "expect_compound_columns_to_be_unique",
     "region_code, period_code, dimensions, topic_key"),
    ("halved-period", {"halved": True}, "unexpected_rows_expectation", "rows per period at least half"),
]


@dataclass(frozen=True)
class Rejected:
    """What became of one broken release: its load, the validation's verdict and what the audit says of it."""

    loaded: dict
    failure: str | None  # the ValidationFailed message (None: validation passed)
    status: str
    message: str
    failed_checks: set[str]
    staged: int


@dataclass(frozen=True)
class Refused:
    """A load that stopped before validation (LoadError): its message and what the audit and raw say of it."""

    error: str | None  # the LoadError message (None: the load went through)
    status: str
    message: str
    landed: int  # rows of the batch in raw


def _refused_load(url: str, cfg: Settings) -> Refused:
    try:
        pipeline.load_cbs_table("86003NED", cfg=cfg)
        error = None
    except LoadError as failed:
        error = str(failed)
    with psycopg.connect(url) as conn:
        batch_id, status, message = conn.execute(
            "select batch_id, status, message from audit.load_batch order by batch_id desc limit 1").fetchone()
        landed = conn.execute(
            "select (select count(*) from raw.cbs_observation where batch_id = %(b)s)"
            " + (select count(*) from raw.cbs_data_property where batch_id = %(b)s)"
            " + (select count(*) from raw.cbs_table_info where batch_id = %(b)s)"
            " + (select count(*) from raw.cbs_dimension_code where batch_id = %(b)s)", {"b": batch_id}).fetchone()[0]
    return Refused(error, status, message or "", landed)


def _without_a_configured_topic(url: str, tmp: Path) -> Refused:
    """A new release without Bijstandsuitkering_6, which the configuration maps."""
    recordings = tmp / "no-topic"
    shutil.copytree(RECORDINGS, recordings)
    table = recordings / "v3" / "86003NED"
    for entity, drop in (("DataProperties", lambda rows: [r for r in rows if r.get("Key") != "Bijstandsuitkering_6"]),
                         ("TypedDataSet", lambda rows: [{k: v for k, v in r.items() if k != "Bijstandsuitkering_6"}
                                                        for r in rows]),
                         ("TableInfos", lambda rows: [{**rows[0], "Modified": "2025-06-27T02:00:00"}])):
        doc = json.loads((table / f"{entity}.json").read_text())
        doc["value"] = drop(doc["value"])
        (table / f"{entity}.json").write_text(json.dumps(doc))
    return _refused_load(url, settings_for(url, tmp, recordings))


def _percentage_configured_as_a_count(url: str, tmp: Path) -> Refused:
    """The recorded release, with the configuration mapping the percentage Bijstandsuitkering_10 as the count."""
    tables = tmp / "cbs_tables.yml"
    text = (PACKAGE_DIR / "config" / "cbs_tables.yml").read_text(encoding="utf-8")
    right = "Bijstandsuitkering_6: {measure: personen_met_bijstand, kind: count}"
    assert right in text
    tables.write_text(text.replace(right, right.replace("_6:", "_10:")), encoding="utf-8")
    wrong = Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "CBS_TABLES_FILE": str(tables),
                               "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp / "local")})
    return _refused_load(url, wrong)


@dataclass(frozen=True)
class BrokenNights:
    before: dict  # the marts before any broken release
    rejected: dict[str, Rejected]  # by release id
    refused: dict[str, Refused]  # the loads refused by the contract: "no-topic", "percentage-as-count"
    rebuilt: dict  # the marts rebuilt with every rejected and refused batch in raw
    published: dict  # the next good release's outcome
    batches_after: set[int]  # the batches in the marts once that one was built


@pytest.fixture(scope="module")
def broken_nights(pg_server_url: str, bijstand_night: Night, tmp_path_factory) -> Iterator[BrokenNights]:
    """One copy of the bijstand night offered each broken release in turn, rebuilt, then offered the next good one.

    One setup instead of a copy and one or two dbt builds per case: every broken batch lands in raw and fails
    validation, the two releases the contract refuses fail their loads, a full rebuild then runs with all of them in
    the audit and raw (any one read would change the marts), and the good release after them all publishes."""
    tmp = tmp_path_factory.mktemp("broken_releases")
    with copy_of(pg_server_url, bijstand_night.url, "pm_pipeline") as url:
        with psycopg.connect(url) as conn:
            assert conn.execute("select count(*) from audit.load_batch where status = 'published'").fetchone()[0] == 1
        before = marts_snapshot(url)
        rejected = {}
        for release, kind, _, _ in BROKEN_RELEASES:
            recordings = tmp / release
            shutil.copytree(RECORDINGS, recordings)
            break_recording(recordings, **kind)
            broken = settings_for(url, tmp, recordings)
            loaded = pipeline.load_cbs_table("86003NED", cfg=broken)
            failure = None
            try:
                pipeline.validate_loaded_batch(loaded, broken)
            except pipeline.ValidationFailed as failed:
                failure = str(failed)
            with psycopg.connect(url) as conn:
                status, message = conn.execute(
                    "select status, message from audit.load_batch where batch_id = %s", (loaded["batch_id"],)
                ).fetchone()
                failed_checks = {e for (e,) in conn.execute(
                    "select expectation from audit.validation_result where batch_id = %s and not success",
                    (loaded["batch_id"],))}
                staged = conn.execute(
                    "select count(*) from raw.cbs_observation o join audit.load_batch b using (batch_id)"
                    " where b.batch_id = %s", (loaded["batch_id"],)).fetchone()[0]
            rejected[release] = Rejected(loaded, failure, status, message or "", failed_checks, staged)
        refused = {"no-topic": _without_a_configured_topic(url, tmp),
                   "percentage-as-count": _percentage_configured_as_a_count(url, tmp)}
        pipeline.transform(broken)
        rebuilt = marts_snapshot(url)

        # The next good release publishes, and the marts move on.
        fixed_recordings = tmp / "fixed"
        shutil.copytree(RECORDINGS, fixed_recordings)
        break_recording(fixed_recordings)
        fixed = settings_for(url, tmp, fixed_recordings)
        published = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=fixed), fixed)
        if published["status"] == "published":
            pipeline.transform(fixed)
        batches_after = {r["batch_id"] for r in marts_snapshot(url)["fct_indicator_value"]}
        yield BrokenNights(before, rejected, refused, rebuilt, published, batches_after)


@pytest.mark.parametrize(
    ("release", "expectation", "named"),
    [pytest.param(release, expectation, named, id=release) for release, _, expectation, named in BROKEN_RELEASES],
)
def test_a_broken_response_fails_validation_and_the_marts_keep_the_previous_data(
    broken_nights: BrokenNights, release: str, expectation: str, named: str
) -> None:
    assert any(r["gemeentecode"] == "GM0141" for r in broken_nights.before["fct_indicator_value"])
    rejected = broken_nights.rejected[release]
    assert rejected.loaded["status"] == "loaded"
    assert rejected.failure is not None, "validation passed"
    assert named in rejected.failure
    assert rejected.status == "failed" and named in rejected.message
    assert expectation in rejected.failed_checks
    assert rejected.staged > 0  # raw keeps the rejected batch for inspection ...
    # ... but a rebuild does not read it: the marts stay as they were.
    assert broken_nights.rebuilt == broken_nights.before


def test_the_next_good_release_after_broken_ones_publishes_and_the_marts_move_on(
    broken_nights: BrokenNights,
) -> None:
    assert broken_nights.published["status"] == "published"
    assert broken_nights.published["batch_id"] in broken_nights.batches_after
    assert broken_nights.published["batch_id"] > max(r.loaded["batch_id"] for r in broken_nights.rejected.values())


def test_a_cbs_response_without_a_configured_topic_fails_the_load_naming_it(broken_nights: BrokenNights) -> None:
    """The 'missing column' of an API source: a new release without a topic the configuration maps."""
    refused = broken_nights.refused["no-topic"]
    assert refused.error is not None and "Bijstandsuitkering_6" in refused.error
    assert refused.status == "failed" and "Bijstandsuitkering_6" in refused.message
    assert broken_nights.rebuilt == broken_nights.before


PERCENTAGE_AS_COUNT = (
    "CBS table 86003NED: topic Bijstandsuitkering_10 is configured as kind 'count' (personen_met_bijstand)"
    " but CBS says 'Bijstandsuitkering', unit '% van het aantal inwoners vanaf 15 jaar', decimals 0, which"
    " is 'percentage' -> "
)


def test_a_percentage_configured_as_a_count_fails_the_load_before_any_row_lands(broken_nights: BrokenNights) -> None:
    """The unit contract: 86003NED's Bijstandsuitkering_10 is the bijstand share of the inhabitants 15+ (%), not the
    count (_6). Mapped as a count it would publish a rate computed from a percentage; the load stops first."""
    refused = broken_nights.refused["percentage-as-count"]
    assert refused.error is not None and refused.error.startswith(PERCENTAGE_AS_COUNT)
    assert refused.status == "failed" and refused.message.startswith(PERCENTAGE_AS_COUNT) and refused.landed == 0
    assert broken_nights.rebuilt == broken_nights.before
