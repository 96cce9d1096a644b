"""Handmatige indicatorbestanden: the row checks at the door, end to end into the marts, and the XLSX variant."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import psycopg
import pytest
from psycopg.rows import dict_row

from ingestion import pipeline
from ingestion.config import PACKAGE_DIR, Settings
from ingestion.files.reader import UNCOMPUTED_FORMULA, ShownPercent
from ingestion.sources.handmatig import (
    UNIT_RULES,
    catalogue_path,
    indicator_window,
    parse_period,
    read_catalogue,
    read_waarde,
)
from tests.support.settings import LIVE

SAMPLE = PACKAGE_DIR / "dev" / "samples" / "handmatig" / "handmatig_programmas_20240601.csv"
HEADER = "indicator_code;gemeentecode;periode;waarde;bron;toelichting"


def _settings(url: str, tmp: Path) -> Settings:
    return Settings.from_env(
        {
            "WAREHOUSE_URL": url,
            **LIVE,
            "DROP_DIR": str(tmp / "drop"),
            "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp / "local"),
            "DATA_DOCS_DIR": str(tmp / "data_docs"),
        }
    )


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
    return path


def _raw(url: str, batch_id: int) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select row_number, indicator_code, gemeentecode, periode, period_code, peildatum, waarde, waarde_label,"
            " eenheid, bron, toelichting from raw.handmatig_waarde where batch_id = %s order by row_number",
            (batch_id,),
        ).fetchall()


# --- the checks as functions (no warehouse) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "peildatum"),
    [
        ("2021", "2021JJ00", None),
        ("2021Q2", "2021KW02", None),
        ("2021-K2", "2021KW02", None),
        ("2021 kw 2", "2021KW02", None),
        ("2021-06", "2021MM06", None),
        ("2021-6", "2021MM06", None),
        ("2021MM06", "2021MM06", None),
        ("2021jj00", "2021JJ00", None),
        ("2021HJ02", "2021HJ02", None),
        ("2021-12-31", "2021MM12", date(2021, 12, 31)),
        ("31-12-2021", "2021MM12", date(2021, 12, 31)),
        (datetime(2021, 12, 31), "2021MM12", date(2021, 12, 31)),
        (2021.0, "2021JJ00", None),
    ],
)
def test_periods_become_cbs_period_codes(text: object, code: str, peildatum: date | None) -> None:
    period = parse_period(text)
    assert (period.code, period.peildatum) == (code, peildatum)
    assert period.start <= period.end


def test_period_dates() -> None:
    assert (parse_period("2021Q4").start, parse_period("2021Q4").end) == (date(2021, 10, 1), date(2021, 12, 31))
    assert parse_period("2021HJ02").start == date(2021, 7, 1)
    assert parse_period("2024-02").end == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["medio 2020", "2021-13", "2021Q5", "31-02-2021", "21", "2021MM13"])
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="not a period|not an existing date"):
        parse_period(text)


def test_every_catalogue_unit_has_a_rule() -> None:
    units = {i.unit for i in read_catalogue(catalogue_path()).values()}
    assert units <= set(UNIT_RULES), units - set(UNIT_RULES)


@pytest.mark.parametrize(
    ("unit", "raw", "expected"),
    [
        ("percent", "45,5", (Decimal("45.5"), None)),
        ("percent", "45.5", (Decimal("45.5"), None)),
        ("percent", "45%", (Decimal("45"), None)),
        ("percent", ShownPercent(7.9), (Decimal("7.9"), None)),  # an XLSX cell 0.079 formatted 0.0%
        ("count", "1.187", (Decimal("1187"), None)),
        ("count", 12.0, (Decimal("12.0"), None)),
        ("rate_1_10", "6,8", (Decimal("6.8"), None)),
        ("rank", "7", (Decimal("7"), None)),
        ("euro", "-12.500", (Decimal("-12500"), None)),
        ("category", " vastgesteld ", (None, "vastgesteld")),
        ("category", "A++", (None, "A++")),
    ],
)
def test_values_that_fit_their_unit(unit: str, raw: object, expected: tuple) -> None:
    assert read_waarde(raw, unit, ",") == expected


@pytest.mark.parametrize(
    ("unit", "raw", "reason"),
    [
        ("percent", "120", "out of range"),
        ("percent", "-1", "out of range"),
        ("count", "3,5", "not a whole number"),
        ("count", "-2", "out of range"),
        ("rate_1_10", "11", "out of range"),
        ("rate_1_10", "0,5", "out of range"),
        ("rank", "0", "out of range"),
        ("m2", "veel", "not a number"),
        ("count", "45%", "a percentage"),
        ("count", ShownPercent(45.0), "a percentage"),
        ("category", "3", "a number"),
        ("category", 3.0, "a number"),
        ("unknown_unit", "3", "has no rule"),
    ],
)
def test_values_that_do_not_fit_their_unit(unit: str, raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_waarde(raw, unit, ",")


def test_the_window_of_an_indicator() -> None:
    catalogue = read_catalogue(catalogue_path())
    opvang = catalogue["zorg_maatschappelijke_opvang_personen"]  # programme 2019-2022, baseline 2017
    assert (opvang.window_start, opvang.window_end) == (date(2017, 1, 1), date(2022, 12, 31))
    overlast = catalogue["veil_woonoverlast_burengerucht"]  # realised values from 2016 widen the window
    assert overlast.window_start == date(2016, 1, 1)
    omgevingswet = catalogue["ow_omgevingsvisie_vastgesteld"]
    assert omgevingswet.window_end == date(2024, 12, 31)
    start, end, said = indicator_window(
        {
            "programme_period": "2019-2022",
            "baseline_period": "2018-06",
            "target_period": "2023-03",
            "realised_values": "",
        }
    )
    assert (start, end) == (date(2018, 6, 1), date(2023, 3, 31)) and "baseline 2018-06" in said


# --- through the loader and the warehouse ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory):
    from ingestion.dev.scratch import throwaway_warehouse

    tmp = tmp_path_factory.mktemp("handmatig")
    with throwaway_warehouse(pg_server_url, "pm_handmatig") as url:
        cfg = _settings(url, tmp)
        pipeline.prepare_warehouse(cfg)
        yield url, cfg, tmp


def test_a_good_file_reaches_the_marts_and_a_newer_file_replaces_it(world) -> None:
    url, cfg, tmp = world
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        sample_rows = list(csv.DictReader(f, delimiter=";"))
    good = tmp / "good" / SAMPLE.name  # a copy: a file that fails validation is moved out of its folder
    good.parent.mkdir(parents=True)
    shutil.copy(SAMPLE, good)
    [outcome] = pipeline.validate_loaded_files(pipeline.load_files("handmatig", str(good), cfg=cfg), cfg)
    assert outcome["status"] == "published", outcome
    assert (outcome["rows_loaded"], outcome["rows_quarantined"]) == (len(sample_rows), 0)
    pipeline.transform(cfg)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        values = conn.execute("select * from marts.fct_indicator_value where source_system = 'handmatig'").fetchall()
        status = conn.execute(
            "select actual_value_label from marts.programme_indicator_status"
            " where indicator_code = 'ow_omgevingsvisie_vastgesteld' and gemeentecode = 'GM0141'"
        ).fetchone()
    by_cell = {(v["indicator_code"], v["gemeentecode"], v["period_code"]): v for v in values}
    # Every row with a value or a label, none of the one not measured (empty waarde, toelichting says why).
    measured = [r for r in sample_rows if r["waarde"]]
    assert len(by_cell) == len(measured) == len(sample_rows) - 1
    assert not [v for v in values if v["indicator_code"] == "zorg_ernstig_eenzaam_pct"]
    assert by_cell[("duur_duurzame_energie_pct", "GM0141", "2021JJ00")]["value"] == Decimal("7.9")
    assert by_cell[("duur_elektrische_autos", "GM0141", "2022MM12")]["value"] == Decimal("1187")
    visie = by_cell[("ow_omgevingsvisie_vastgesteld", "GM0141", "2021MM06")]
    assert (visie["value"], visie["value_label"], visie["period_end"]) == (None, "vastgesteld", date(2021, 6, 30))
    assert status["actual_value_label"] == "vastgesteld"
    assert {v["source_table_id"] for v in values} == {SAMPLE.name}
    assert by_cell[("duur_duurzame_energie_pct", "GM0141", "2021JJ00")]["source_title"] == "Klimaatmonitor (download)"

    # A newer file of the same onderwerp: it replaces the older one (a corrected value, a row taken out).
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    newer = [line.replace(";2021;7,9;", ";2021;8,1;") for line in lines if not line.startswith("nsk_")]
    _write(tmp / "newer" / "handmatig_programmas_20240901.csv", newer)
    [second] = pipeline.validate_loaded_files(
        pipeline.load_files("handmatig", str(tmp / "newer" / "handmatig_programmas_20240901.csv"), cfg=cfg), cfg
    )
    assert second["status"] == "published", second
    pipeline.transform(cfg)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        values = conn.execute("select * from marts.fct_indicator_value where source_system = 'handmatig'").fetchall()
    by_cell = {(v["indicator_code"], v["gemeentecode"], v["period_code"]): v for v in values}
    assert by_cell[("duur_duurzame_energie_pct", "GM0141", "2021JJ00")]["value"] == Decimal("8.1")
    assert not [v for v in values if v["indicator_code"] == "nsk_gemiddeld_energielabel"]
    assert {v["batch_id"] for v in values} == {second["batch_id"]}


# (row in the file, column named, reason) for each bad row of the mixed file below.
BAD_ROWS = [
    ("bestaat_niet_pct;GM0141;2021;12;Eigen registratie;", "indicator_code", "not an indicator_code of the catalogue"),
    ("duur_duurzame_energie_pct;GM0141;2021;120;Klimaatmonitor;", "waarde", "out of range: the unit is percent"),
    ("duur_elektrische_autos;GM0141;2021;884,5;Klimaatmonitor;", "waarde", "not a whole number"),
    ("ep_ondernemersklimaat_rapportcijfer;GM0141;2021;11;Peiling;", "waarde", "rapportcijfer from 1 to 10"),
    ("ow_omgevingsvisie_vastgesteld;GM0141;2021;1;Raad;", "waarde", "a number, but the unit is category"),
    ("zorg_maatschappelijke_opvang_personen;GM0141;2010;200;Registratie;", "periode", "outside the programme"),
    ("zorg_maatschappelijke_opvang_personen;GM0141;2024;170;Registratie;", "periode", "outside the programme"),
    ("duur_elektrische_autos;GM0141;2099;5000;Klimaatmonitor;", "periode", "in the future"),
    ("duur_elektrische_autos;GM0141;medio 2020;500;Klimaatmonitor;", "periode", "not a period"),
    ("duur_elektrische_autos;XX01;2020;500;Klimaatmonitor;", "gemeentecode", "not a CBS gemeentecode"),
    ("duur_elektrische_autos;GM0141;2019;;Klimaatmonitor;", "waarde", "empty"),
    ("duur_elektrische_autos;GM0141;2018;300;;", "bron", "empty"),
]
GOOD_ROWS = [
    "duur_elektrische_autos;0141;2020;602;Klimaatmonitor;",
    "duur_duurzame_energie_pct;GM0141;2021;7.9;Klimaatmonitor;decimal point in a comma file",
    "zorg_ernstig_eenzaam_pct;GM0141;2020;;GGD;niet gemeten in 2020",
]


def test_bad_rows_are_quarantined_naming_file_row_and_column_and_the_good_rows_load(world) -> None:
    url, cfg, tmp = world
    lines = [GOOD_ROWS[0], *(b[0] for b in BAD_ROWS), *GOOD_ROWS[1:]]
    path = _write(tmp / "mixed" / "handmatig_gemengd_20240601.csv", lines)
    [outcome] = pipeline.validate_loaded_files(pipeline.load_files("handmatig", str(path), cfg=cfg), cfg)
    assert outcome["status"] == "published", outcome
    assert outcome["rows_loaded"] + outcome["rows_quarantined"] == len(lines)
    assert (outcome["rows_loaded"], outcome["rows_quarantined"]) == (len(GOOD_ROWS), len(BAD_ROWS))
    with psycopg.connect(url) as conn:
        quarantined = conn.execute(
            "select file_name, row_number, column_name, reason from audit.quarantine where batch_id = %s"
            " order by row_number",
            (outcome["batch_id"],),
        ).fetchall()
    assert [q[1] for q in quarantined] == list(range(3, 3 + len(BAD_ROWS)))  # header = 1, first good row = 2
    for (file_name, _, column, reason), (_, named_column, named_reason) in zip(quarantined, BAD_ROWS, strict=True):
        assert (file_name, column) == (path.name, named_column) and named_reason in reason, (column, reason)
    loaded = _raw(url, outcome["batch_id"])
    assert [r[0] for r in loaded] == [2, 3 + len(BAD_ROWS), 4 + len(BAD_ROWS)]
    assert loaded[0][2] == "GM0141" and loaded[1][6] == Decimal("7.9")
    assert (loaded[2][6], loaded[2][7], loaded[2][10]) == (None, None, "niet gemeten in 2020")


def test_the_xlsx_variant_loads_identically(fresh_warehouse_url: str, tmp_path: Path) -> None:
    url, tmp = fresh_warehouse_url, tmp_path
    cfg = _settings(url, tmp)
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = list(row)
        periode, waarde = row[2], row[3]
        if len(periode) == 10 and periode[2] == "-":  # a date as a date cell, as a spreadsheet holds it
            cells[2] = datetime.strptime(periode, "%d-%m-%Y")
        if waarde and waarde.replace(",", "").replace(".", "").isdigit():
            cells[3] = (
                float(waarde.replace(".", "").replace(",", ".")) if "," in waarde else int(waarde.replace(".", ""))
            )
        cells[3] = cells[3] if waarde else None
        sheet.append(cells)
    xlsx = tmp / "xlsx" / "handmatig_programmas_20240601_xlsx.xlsx"
    xlsx.parent.mkdir(parents=True)
    workbook.save(xlsx)
    csv_copy = tmp / "csv" / "handmatig_programmas_20240601_csv.csv"
    csv_copy.parent.mkdir(parents=True)
    shutil.copy(SAMPLE, csv_copy)
    [from_csv] = pipeline.load_files("handmatig", str(csv_copy), cfg=cfg)
    [from_xlsx] = pipeline.load_files("handmatig", str(xlsx), cfg=cfg)
    assert from_xlsx["status"] == from_csv["status"] == "loaded", (from_csv, from_xlsx)
    assert from_xlsx["rows_quarantined"] == from_csv["rows_quarantined"] == 0
    xlsx_rows, csv_rows = _raw(url, from_xlsx["batch_id"]), _raw(url, from_csv["batch_id"])
    # A date cell arrives as a date, not as the text it was typed as: periode differs, everything derived agrees.
    assert [r[:3] + r[4:] for r in xlsx_rows] == [r[:3] + r[4:] for r in csv_rows]


def test_an_xlsx_is_read_as_the_person_saw_it(world) -> None:
    """A percent cell (0.079 shown as 7,9%) lands as 7.9; a formula nothing computed is quarantined, not a NULL."""
    url, cfg, tmp = world
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["duur_duurzame_energie_pct", "GM0141", 2021, 0.079, "Klimaatmonitor", None])
    sheet["D2"].number_format = "0.0%"
    sheet.append(["duur_elektrische_autos", "GM0141", 2020, "=600+2", "Klimaatmonitor", None])
    sheet.append(["duur_elektrische_autos", "GM0141", 2021, 0.45, "Klimaatmonitor", None])
    sheet["D4"].number_format = "0%"  # 45% for a count: a slip, as '45%' in a CSV
    sheet.append(["duur_elektrische_autos", "GM0141", 2019, 602, "Klimaatmonitor", None])
    path = tmp / "xlsx_shown" / "handmatig_excel_20240601.xlsx"
    path.parent.mkdir(parents=True)
    workbook.save(path)
    [outcome] = pipeline.load_files("handmatig", str(path), cfg=cfg)
    assert (outcome["status"], outcome["rows_loaded"], outcome["rows_quarantined"]) == ("loaded", 2, 2), outcome
    with psycopg.connect(url) as conn:
        quarantined = conn.execute(
            "select row_number, column_name, value, reason from audit.quarantine where batch_id = %s"
            " order by row_number",
            (outcome["batch_id"],),
        ).fetchall()
    assert quarantined[0] == (3, "waarde", "=600+2", UNCOMPUTED_FORMULA)
    assert quarantined[1][:2] == (4, "waarde") and "a percentage, but the unit is count" in quarantined[1][3]
    loaded = _raw(url, outcome["batch_id"])
    assert [(r[0], r[1], r[6]) for r in loaded] == [
        (2, "duur_duurzame_energie_pct", Decimal("7.9")),
        (5, "duur_elektrische_autos", Decimal("602")),
    ]


def test_the_suite_fails_a_future_period_the_door_did_not_catch(world) -> None:
    """The suite is the backstop behind the door: a future period in raw (a loader bug) fails the batch."""
    url, cfg, tmp = world
    path = _write(
        tmp / "backstop" / "handmatig_backstop_20240601.csv", ["duur_elektrische_autos;GM0141;2021;884;Klimaatmonitor;"]
    )
    [loaded] = pipeline.load_files("handmatig", str(path), cfg=cfg)
    assert loaded["status"] == "loaded"
    with psycopg.connect(url) as conn:
        conn.execute(
            "update raw.handmatig_waarde set period_code = '2099JJ00' where batch_id = %s", (loaded["batch_id"],)
        )
    with pytest.raises(pipeline.ValidationFailed, match="period_code"):
        pipeline.validate_loaded_files([loaded], cfg)
