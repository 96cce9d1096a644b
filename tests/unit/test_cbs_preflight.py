"""The CBS pre-flight (doctor, and the CBS DAG's first task) against the recorded service, with a configuration or
a service broken the ways a live night meets them: each problem one line with its cause and its fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.operator.doctor import FAIL, OK, check_cbs_tables
from ingestion.sources.cbs.preflight import PreflightFailed, preflight

TABLES = PACKAGE_DIR / "config" / "cbs_tables.yml"
RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
BIJSTAND = "Bijstandsuitkering_6: {measure: personen_met_bijstand, kind: count}"


def settings(tmp_path: Path, tables: Path = TABLES, recordings: Path = RECORDINGS) -> Settings:
    return Settings.from_env({"SOURCE_MODE": "recorded", "CBS_TABLES_FILE": str(tables),
                              "CBS_RECORDINGS_DIR": str(recordings),
                              "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})


def edited_tables(tmp_path: Path, old: str, new: str) -> Path:
    text = TABLES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "cbs_tables.yml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def problems_of(cfg: Settings, table_id: str = "86003NED") -> list[str]:
    [check] = preflight(cfg, [table_id])
    return check.problems


def test_the_configuration_as_shipped_passes(tmp_path: Path) -> None:
    cfg = settings(tmp_path)
    assert [(c.table_id, c.problems) for c in preflight(cfg) if c.problems] == []
    assert check_cbs_tables(cfg).status == OK
    assert pipeline.cbs_preflight(cfg) == pipeline.cbs_table_ids(cfg)


def test_an_unknown_topic_key_is_named_with_its_fix(tmp_path: Path) -> None:
    cfg = settings(tmp_path, edited_tables(tmp_path, BIJSTAND, BIJSTAND.replace("_6:", "_60:")))
    assert problems_of(cfg) == [
        "CBS table 86003NED: topic key Bijstandsuitkering_60 (personen_met_bijstand) is not in the table's metadata"
        " -> a new edition renamed it? Map the new key in ingestion/config/cbs_tables.yml"]


def test_a_percentage_declared_as_a_count_is_named_with_both_sides(tmp_path: Path) -> None:
    cfg = settings(tmp_path, edited_tables(tmp_path, BIJSTAND, BIJSTAND.replace("_6:", "_10:")))
    [problem] = problems_of(cfg)
    assert problem.startswith(
        "CBS table 86003NED: topic Bijstandsuitkering_10 is configured as kind 'count' (personen_met_bijstand) but"
        " CBS says 'Bijstandsuitkering', unit '% van het aantal inwoners vanaf 15 jaar', decimals 0, which is"
        " 'percentage' -> map the topic that is a count")


def test_an_unknown_region_code_is_named_with_the_codes_there(tmp_path: Path) -> None:
    # Almelo's wijken are numbered from 10: WK014101 is no wijk of Almelo.
    cfg = settings(tmp_path, edited_tables(tmp_path, "    - WK0141  #", "    - WK014101  #"))
    [problem] = problems_of(cfg)
    assert problem.startswith("CBS table 86003NED: code WK014101 matches no code of dimension WijkenEnBuurten"
                              " (codes there of that kind: WK014110, WK014111,")
    assert problem.endswith("-> correct it in cbs_tables.yml (cbs_evidence/ lists the real codes)")


def test_a_country_code_that_is_not_nederland_is_named(tmp_path: Path) -> None:
    # In the uitkeringen tables NL00 is "Totaal" (incl. persons living abroad): read as Nederland it would double it.
    cfg = settings(tmp_path, edited_tables(tmp_path, "    - NL01\n  twente_en", "    - NL0\n  twente_en"))
    problems = problems_of(cfg)
    assert problems == [
        "CBS table 86003NED: region NL00 is 'Totaal' there, not Nederland -> configure NL01 (titled Nederland)"
        " instead in cbs_tables.yml"]
    # The politie table calls Nederland NL00, and that is fine.
    assert problems_of(settings(tmp_path), "47018NED") == []


def test_an_unknown_dimension_and_an_unknown_table_are_named(tmp_path: Path) -> None:
    pinned = "        year: 2024\n        fixed_dimensions: {Geslacht: T001038}\n"
    tables = edited_tables(tmp_path, "        year: 2024\n", pinned)
    assert problems_of(settings(tmp_path, tables)) == [
        "CBS table 86003NED: fixed dimension Geslacht is not a dimension of the table (it has WijkenEnBuurten,"
        " Perioden) -> correct fixed_dimensions in cbs_tables.yml"]
    gone = settings(tmp_path, edited_tables(tmp_path, "      86003NED:\n", "      99999NED:\n"))
    [problem] = problems_of(gone, "99999NED")
    assert "CBS table 99999NED: not found (HTTP 404)" in problem and "-> the table id does not exist" in problem


def test_a_stopped_table_is_named_and_the_night_stops_before_any_load(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    shutil.copytree(RECORDINGS, recordings)
    infos = recordings / "v3" / "86003NED" / "TableInfos.json"
    doc = json.loads(infos.read_text(encoding="utf-8"))
    doc["value"][0]["OutputStatus"] = "Gestopt"
    infos.write_text(json.dumps(doc), encoding="utf-8")
    cfg = settings(tmp_path, recordings=recordings)
    assert problems_of(cfg) == [
        "CBS table 86003NED: status 'Gestopt', not 'Regulier': CBS no longer updates it -> configure its successor"
        " (the table page on cbs.nl names it) as a new edition in ingestion/config/cbs_tables.yml"]
    # doctor: one failing check listing the problem; the DAG's pre-flight task: one error listing it
    check = check_cbs_tables(cfg)
    assert check.status == FAIL and "CBS table 86003NED: status 'Gestopt'" in check.message
    with pytest.raises(PreflightFailed, match=r"CBS pre-flight: 1 problem\(s\):\nCBS table 86003NED: status"):
        pipeline.cbs_preflight(cfg)
