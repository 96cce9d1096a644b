"""The whole chain — load, validate, build, publish — on a real warehouse, including through Airflow itself."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, PROJECT_ROOT, Settings
from ingestion.generate import generate_werkplein
from ingestion.loader import LoadError
from tests.ledger import record
from tests.nights import bijstand_night, copy_of
from tests.privacy import bsns_in, files_quoting, nine_digit_numbers

RECORDINGS = PACKAGE_DIR / "recordings" / "cbs"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def settings_for(url: str, tmp_path: Path, recordings: Path = RECORDINGS) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "CBS_RECORDINGS_DIR": str(recordings),
                              "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})


def marts_snapshot(url: str) -> dict[str, list[dict]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return {
            # Ordered by the whole row: a total order, so equal contents compare equal whatever the physical order.
            table: conn.execute(f"select * from marts.{table} as t order by t::text").fetchall()  # noqa: S608
            for table in ("fct_indicator_value", "programme_indicator_status")
        }


def break_recording(
    recordings: Path,
    *,
    negative: bool = False,
    bad_period: bool = False,
    future: bool = False,
    duplicate: bool = False,
    halved: bool = False,
) -> None:
    """A new CBS release (Modified moves) with a broken value in it (or, with no kind given, a good new release)."""
    table = recordings / "v3" / "86003NED"

    def rewrite(entity: str, change) -> None:
        doc = json.loads((table / f"{entity}.json").read_text())
        change(doc["value"])
        (table / f"{entity}.json").write_text(json.dumps(doc))

    def break_rows(rows: list[dict]) -> None:
        for row in list(rows):
            if row["WijkenEnBuurten"].strip() == "GM0141" and row["Perioden"] == "2024KW03":
                if negative:
                    row["Bijstandsuitkering_10"] = -40
                if bad_period:
                    row["Perioden"] = "2024XX03"
                if future:
                    row["Perioden"] = "2099KW03"
                if duplicate:
                    rows.append({**row, "ID": max(r["ID"] for r in rows) + 1})

    def halve_period(rows: list[dict]) -> None:
        """The provisional quarter (re-requested by an incremental load) comes back with well under half its cells."""
        in_period = [r for r in rows if r["Perioden"] == "2024KW03"]
        for row in in_period[len(in_period) * 2 // 5:]:
            rows.remove(row)

    rewrite("TypedDataSet", halve_period if halved else break_rows)
    rewrite("TableInfos", lambda rows: rows[0].update(Modified="2025-06-27T02:00:00"))
    if bad_period:
        rewrite("Perioden", lambda rows: rows.append({"Key": "2024XX03", "Title": "?", "Status": "Voorlopig"}))
    if future:
        rewrite("Perioden", lambda rows: rows.append({"Key": "2099KW03", "Title": "2099 3e kwartaal",
                                                      "Status": "Voorlopig"}))


@pytest.fixture
def published_86003(pg_server_url: str, run_dir: Path) -> Iterator[str]:
    """A warehouse of this test's own where the recorded 86003NED was loaded, validated, published and built into
    the marts (a copy of the run's bijstand night, tests/nights.py)."""
    with copy_of(pg_server_url, bijstand_night(pg_server_url, run_dir).url, "pm_pipeline") as url:
        with psycopg.connect(url) as conn:
            assert conn.execute("select count(*) from audit.load_batch where status = 'published'").fetchone()[0] == 1
        yield url


@pytest.mark.parametrize(
    ("kind", "expectation", "named"),
    [({"negative": True}, "expect_column_values_to_be_between", "value"),
     ({"bad_period": True}, "expect_column_values_to_match_regex", "period_code"),
     ({"future": True}, "expect_column_values_to_match_regex", "period_code"),
     ({"duplicate": True}, "expect_compound_columns_to_be_unique", "region_code, period_code, dimensions, topic_key"),
     ({"halved": True}, "unexpected_rows_expectation", "rows per period at least half")],
    ids=["negative-count", "unknown-period-code", "future-period", "duplicate-cell", "halved-period"],
)
def test_a_broken_response_fails_validation_and_the_marts_keep_the_previous_data(
    published_86003: str, tmp_path: Path, kind: dict, expectation: str, named: str
) -> None:
    fresh_warehouse_url = published_86003
    before = marts_snapshot(fresh_warehouse_url)
    assert any(r["gemeentecode"] == "GM0141" for r in before["fct_indicator_value"])

    broken_recordings = tmp_path / "broken"
    shutil.copytree(RECORDINGS, broken_recordings)
    break_recording(broken_recordings, **kind)
    broken = settings_for(fresh_warehouse_url, tmp_path, broken_recordings)
    loaded = pipeline.load_cbs_table("86003NED", cfg=broken)
    assert loaded["status"] == "loaded"
    with pytest.raises(pipeline.ValidationFailed) as failure:
        pipeline.validate_loaded_batch(loaded, broken)
    assert named in str(failure.value)

    with psycopg.connect(fresh_warehouse_url) as conn:
        status, message = conn.execute(
            "select status, message from audit.load_batch where batch_id = %s", (loaded["batch_id"],)
        ).fetchone()
        failed_checks = conn.execute(
            "select expectation, column_name from audit.validation_result where batch_id = %s and not success",
            (loaded["batch_id"],),
        ).fetchall()
        staged = conn.execute(
            "select count(*) from raw.cbs_observation o join audit.load_batch b using (batch_id)"
            " where b.batch_id = %s", (loaded["batch_id"],)).fetchone()[0]
    assert status == "failed" and named in message
    assert expectation in {e for e, _ in failed_checks}
    assert staged > 0  # raw keeps the rejected batch for inspection ...
    # ... but a rebuild does not read it: the marts stay as they were.
    pipeline.transform(broken)
    assert marts_snapshot(fresh_warehouse_url) == before

    # The next good release publishes, and the marts move on.
    fixed_recordings = tmp_path / "fixed"
    shutil.copytree(RECORDINGS, fixed_recordings)
    break_recording(fixed_recordings)
    fixed = settings_for(fresh_warehouse_url, tmp_path, fixed_recordings)
    published = pipeline.validate_loaded_batch(pipeline.load_cbs_table("86003NED", cfg=fixed), fixed)
    assert published["status"] == "published"
    pipeline.transform(fixed)
    batches_after = {r["batch_id"] for r in marts_snapshot(fresh_warehouse_url)["fct_indicator_value"]}
    assert published["batch_id"] in batches_after


def _airflow_env(tmp_path: Path, warehouse_url: str) -> dict[str, str]:
    home = tmp_path / "airflow"
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "WAREHOUSE_URL": warehouse_url,
        "SOURCE_MODE": "recorded",
        "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"),
        "DATA_DOCS_DIR": str(tmp_path / "local" / "data_docs"),
    }


def _airflow(env: dict[str, str], *args: str, log: Path) -> None:
    with log.open("w") as out:
        done = subprocess.run([AIRFLOW, *args], env=env, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"airflow {' '.join(args)} exited {done.returncode}:\n{tail}")


NIGHTLY_DAGS = ["source_cbs", "source_uwv", "source_kennispunt", "source_werkplein", "source_handmatig",
                "programmamonitor_transform"]


def _night(env: dict[str, str], tmp_path: Path, name: str) -> str:
    """One night as `make run` runs it: every source DAG, then the transform; their logs as one text."""
    logs = []
    for dag_id in NIGHTLY_DAGS:
        log = tmp_path / f"{name}-{dag_id}.log"
        _airflow(env, "dags", "test", dag_id, "2026-11-20", log=log)
        logs.append(log.read_text())
    return "\n".join(logs)


# File-fed catalogue indicators without a derivation yet (CATALOGUE.md: attribution rule / composition undefined).
UNDEFINED_FILE_INDICATORS = {"ep_ap_extra_uitstroom_bijstand", "ep_ap_werk_naar_werk", "nsk_wijkkompas"}


def file_fed_indicators() -> set[str]:
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_catalogue.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f)
        fed = {r["indicator_code"] for r in rows if r["source_system"] in ("werkplein", "uwv", "kennispunt_twente")}
    return fed - UNDEFINED_FILE_INDICATORS


def test_a_night_of_dags_runs_through_airflow_and_a_rerun_is_idempotent(
    fresh_warehouse_url: str, tmp_path: Path, dbt_manifest: Path
) -> None:
    env = _airflow_env(tmp_path, fresh_warehouse_url)
    # A smaller Werkplein demo than make run's (GENERATED.md present: the DAG does not generate its own).
    generate_werkplein(tmp_path / "local" / "drop" / "werkplein", scale=0.2, months=15, end="2024-12", seed=141,
                       gemeentecode="0141")
    # dbt_manifest: the transform DAG's dbt tasks, written as `make run` does.
    _airflow(env, "db", "migrate", log=tmp_path / "migrate.log")
    _airflow(env, "pools", "set", "cbs_api", "2", "CBS API", log=tmp_path / "pool.log")
    run1 = _night(env, tmp_path, "run1")
    first = marts_snapshot(fresh_warehouse_url)
    # Computed values only: the documents' own realised values (value_source reported) would hide a gap.
    values = {(r["indicator_code"], r["gemeentecode"]) for r in first["fct_indicator_value"]
              if r["value_source"] == "computed"}
    assert ("ep_bijstand_per_10000_inwoners", "GM0141") in values
    statuses = {(r["indicator_code"], r["gemeentecode"]) for r in first["programme_indicator_status"]}
    assert ("ep_bijstand_per_10000_inwoners", "GM0141") in statuses

    # Every indicator the CBS formulas define has values for Almelo.
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_formula.csv").open() as f:
        formulas = {line.split(",")[0] for line in f.read().splitlines()[1:] if line}
    assert formulas <= {code for code, gemeente in values if gemeente == "GM0141"}
    # And every indicator fed by the Werkplein, UWV and Kennispunt files.
    missing = file_fed_indicators() - {code for code, gemeente in values if gemeente == "GM0141"}
    assert not missing, f"file-fed indicators without GM0141 values: {sorted(missing)}"
    generated = {r["source_mode"] for r in first["fct_indicator_value"] if r["source_system"] == "werkplein"}
    assert generated == {"generated"}  # demo data is labelled as such in the marts
    # No BSN anywhere after a whole night: raw, audit, staging, intermediate, marts, nor in the task logs.
    assert nine_digit_numbers(fresh_warehouse_url) == []
    # The Data Docs site lists the night's validations, and the summary says where it is.
    index = tmp_path / "local" / "data_docs" / "site" / "index.html"
    with psycopg.connect(fresh_warehouse_url) as conn:
        validated = [r[0] for r in conn.execute("select batch_id from audit.load_batch where status = 'published'")]
    docs = index.read_text()
    assert validated and all(f"_batch_{batch_id}" in docs for batch_id in validated)
    assert f"file://{index}" in run1
    bsns = bsns_in(tmp_path / "local" / "drop" / "werkplein")
    assert bsns and not [b for b in bsns if b in run1], "a BSN in the Airflow log"
    # Nor in any file the night wrote: task logs, Data Docs and GX results, dbt artifacts, the report and its CSVs.
    # (The drop folder holds the exports themselves, BSNs and all: that is where they arrive.)
    scanned, quoting = files_quoting(tmp_path, bsns, skip=(tmp_path / "local" / "drop",))
    report_files = list((tmp_path / "local" / "reports").rglob("*.html"))
    record("privacy", "a night of DAGs: every table, log and artifact",
           handled=not quoting and nine_digit_numbers(fresh_warehouse_url) == [] and bool(report_files),
           outcome=f"{len(bsns)} BSNs of the exports sought in {scanned} files (logs, Data Docs, dbt target, report)"
                   f" and every column of every table: {len(quoting)} files quoting one")
    assert report_files and scanned > 100
    assert not quoting, f"BSNs of the exports in {[str(p.relative_to(tmp_path)) for p in quoting]}"

    _night(env, tmp_path, "run2")
    assert marts_snapshot(fresh_warehouse_url) == first
    with psycopg.connect(fresh_warehouse_url) as conn:
        batches = conn.execute("select status from audit.load_batch order by batch_id").fetchall()
        raw_batches = conn.execute(
            "select (select count(distinct batch_id) from raw.cbs_observation)"
            " + (select count(distinct batch_id) from raw.werkplein_uitkering)"
            " + (select count(distinct batch_id) from raw.werkplein_voorziening)"
            " + (select count(distinct batch_id) from raw.werkplein_activiteit)"
            " + (select count(distinct batch_id) from raw.uwv_spanningsindicator)"
            " + (select count(distinct batch_id) from raw.kennispunt_waarde)"
            " + (select count(distinct batch_id) from raw.handmatig_waarde)").fetchone()[0]
    loads = len(batches) // 2  # the first night publishes every batch, the rerun finds each one unchanged
    assert [b[0] for b in batches] == ["published"] * loads + ["unchanged"] * loads
    assert raw_batches == loads


def test_a_cbs_response_without_a_configured_topic_fails_the_load_naming_it(
    published_86003: str, tmp_path: Path
) -> None:
    """The 'missing column' of an API source: a new release without a topic the configuration maps."""
    fresh_warehouse_url = published_86003
    before = marts_snapshot(fresh_warehouse_url)

    broken_recordings = tmp_path / "broken"
    shutil.copytree(RECORDINGS, broken_recordings)
    table = broken_recordings / "v3" / "86003NED"
    for entity, drop in (("DataProperties", lambda rows: [r for r in rows if r.get("Key") != "Bijstandsuitkering_10"]),
                         ("TypedDataSet", lambda rows: [{k: v for k, v in r.items() if k != "Bijstandsuitkering_10"}
                                                        for r in rows]),
                         ("TableInfos", lambda rows: [{**rows[0], "Modified": "2025-06-27T02:00:00"}])):
        doc = json.loads((table / f"{entity}.json").read_text())
        doc["value"] = drop(doc["value"])
        (table / f"{entity}.json").write_text(json.dumps(doc))
    broken = settings_for(fresh_warehouse_url, tmp_path, broken_recordings)
    with pytest.raises(LoadError, match="Bijstandsuitkering_10"):
        pipeline.load_cbs_table("86003NED", cfg=broken)
    with psycopg.connect(fresh_warehouse_url) as conn:
        status, message = conn.execute(
            "select status, message from audit.load_batch order by batch_id desc limit 1").fetchone()
    assert status == "failed" and "Bijstandsuitkering_10" in message
    pipeline.transform(broken)
    assert marts_snapshot(fresh_warehouse_url) == before
