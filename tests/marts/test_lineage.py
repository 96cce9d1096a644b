"""Caseload decomposition and value lineage (issue 11) on a real night's marts.

Every CBS table (recorded responses), the UWV, Kennispunt and handmatig samples and two years of generated Werkplein
exports at a small scale (so that decomposition cells are suppressed) go through load, validation, dbt build and
publish. Then:
- the caseload decomposition sums to the change for every month and starts and ends at the caseload the marts
  report; its published form hides small cells so that none can be computed back;
- ``python -m ingestion explain`` reaches, for a CBS formula, both inputs' raw.cbs_observation rows and the recorded
  request, and for a Werkplein count the file (name, sha256) and exactly the rows that were counted; unknown input
  gives a one-line error with a suggestion; the output never holds a BSN or a pseudonym.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ingestion.config import Settings
from ingestion.report.numbers import format_number
from tests.support.nights import Night
from tests.support.privacy import NINE_DIGITS, bsns_in

REPO_ROOT = Path(__file__).resolve().parents[2]
FLOWS_IN = ("instroom_nieuw", "herinstroom")
FLOWS_OUT = ("uitstroom_werk", "uitstroom_andere_uitkering", "uitstroom_verhuizing", "uitstroom_overig")
CELLS = ("caseload_begin", "instroom_totaal", *FLOWS_IN, "uitstroom_totaal", *FLOWS_OUT, "caseload_eind")
CELL_LIST = sql.SQL(", ").join(map(sql.Identifier, CELLS))
# The additive relations among the mart's own cells (seeds/werkplein_disclosure_relation.csv): none may have
# exactly one suppressed member, or the published others would give it back.
RELATIONS = (
    ("caseload_begin", "caseload_eind", "instroom_totaal", "uitstroom_totaal"),
    ("caseload_begin", "caseload_eind", *FLOWS_IN, "uitstroom_totaal"),
    ("caseload_begin", "caseload_eind", "instroom_totaal", *FLOWS_OUT),
    ("caseload_begin", "caseload_eind", *FLOWS_IN, *FLOWS_OUT),
    ("instroom_totaal", *FLOWS_IN),
    ("uitstroom_totaal", *FLOWS_OUT),
)
THRESHOLD = 10


@pytest.fixture(scope="module")
def night(demo_night: Night) -> tuple[str, Settings, Path]:
    """(warehouse URL, settings, the Werkplein drop folder) of the demo night (tests/support/nights.py): one night's
    load, validation and publish. Read only."""
    return demo_night.url, demo_night.settings(), Path(demo_night.werkplein_dir)


def explain(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it."""
    env = {**os.environ, "WAREHOUSE_URL": url, "SOURCE_MODE": "recorded"}
    return subprocess.run(
        [sys.executable, "-m", "ingestion", "explain", *args],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120, check=False,
    )


def row_numbers(ranges: str) -> list[int]:
    """'2-4, 9' -> [2, 3, 4, 9]"""
    numbers: list[int] = []
    for part in ranges.split(", "):
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


# --- caseload decomposition ------------------------------------------------------------------------------------------


def test_the_decomposition_sums_to_the_change_for_every_month(night: tuple[str, Settings, Path]) -> None:
    url, _, _ = night
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            sql.SQL(
                "select gemeentecode, period_code, {} from intermediate.int_werkplein__caseload_decomposition"
                " order by gemeentecode, period_code"
            ).format(CELL_LIST)
        ).fetchall()
        caseload = dict(
            ((g, p), v)
            for g, p, v in conn.execute(
                "select gemeentecode, period_code, open_dossiers_algemene_bijstand"
                " from intermediate.int_werkplein__bijstand_maand"
            )
        )
        published = dict(
            ((g, p), v)
            for g, p, v in conn.execute(
                "select gemeentecode, period_code, value from marts.fct_indicator_value"
                " where indicator_code = 'ep_bijstandsdossiers' and measure_code = 'open_dossiers_algemene_bijstand'"
                "   and value_source = 'computed' and gemeentecode like 'GM%'"
            )
        )
    assert len(rows) == 23, "24 delivered months: every month but the first is decomposed"
    totals = dict.fromkeys(CELLS, 0)
    for gemeente, period, *values in rows:
        cell = dict(zip(CELLS, values, strict=True))
        inflow = sum(cell[f] for f in FLOWS_IN)
        outflow = sum(cell[f] for f in FLOWS_OUT)
        assert cell["caseload_begin"] + inflow - outflow == cell["caseload_eind"], (gemeente, period, cell)
        assert (cell["instroom_totaal"], cell["uitstroom_totaal"]) == (inflow, outflow)
        assert cell["caseload_eind"] == caseload[(gemeente, period)]
        year, month = int(period[:4]), int(period[-2:])
        previous = f"{year - (month == 1)}MM{12 if month == 1 else month - 1:02d}"
        assert cell["caseload_begin"] == caseload[(gemeente, previous)], (gemeente, period)
        # the published caseload (ep_bijstandsdossiers) is the same figure wherever it is not suppressed
        if published.get((gemeente, period)) is not None:
            assert published[(gemeente, period)] == cell["caseload_eind"]
        for name, value in cell.items():
            totals[name] += value
    assert totals["instroom_totaal"] > 100 and totals["uitstroom_totaal"] > 100
    # every reason occurs somewhere, so every branch of the classification ran on real exports
    assert all(totals[f] for f in (*FLOWS_IN, *FLOWS_OUT)), totals


def test_the_published_decomposition_hides_small_cells_unrecoverably(night: tuple[str, Settings, Path]) -> None:
    url, _, _ = night
    with psycopg.connect(url) as conn:
        published = conn.execute(
            sql.SQL(
                "select period_code, {}, caseload_mutatie, has_suppressed_cells, suppressed_cells"
                " from marts.bijstand_caseload_decomposition where gemeentecode = 'GM0141' order by period_code"
            ).format(CELL_LIST)
        ).fetchall()
        before = {
            r[0]: dict(zip(CELLS, r[1:], strict=True))
            for r in conn.execute(
                sql.SQL(
                    "select period_code, {} from intermediate.int_werkplein__caseload_decomposition"
                    " where gemeentecode = 'GM0141'"
                ).format(CELL_LIST)
            )
        }
    assert len(published) == 23
    small_hidden = shown = 0
    for period, *values, mutatie, has_suppressed, names in published:
        cell = dict(zip(CELLS, values, strict=True))
        hidden = [name for name in CELLS if cell[name] is None]
        assert has_suppressed == bool(hidden) and (names or "") == ", ".join(hidden), period
        for relation in RELATIONS:
            assert sum(cell[name] is None for name in relation) != 1, (period, relation, hidden)
        for name in CELLS:
            if before[period][name] < THRESHOLD:
                assert cell[name] is None, (period, name, "a small count is published")
                small_hidden += 1
            elif cell[name] is not None:
                assert cell[name] == before[period][name], (period, name)
                shown += name not in ("caseload_begin", "caseload_eind")
        if cell["caseload_begin"] is not None and cell["caseload_eind"] is not None:
            assert mutatie == cell["caseload_eind"] - cell["caseload_begin"]
    assert small_hidden, "scale 0.3 should have small monthly flows (herinstroom, verhuizing)"
    assert shown, "and flows large enough to be published (the totals)"


# --- value lineage and explain -------------------------------------------------------------------------------------


def test_every_computed_value_has_its_batch_in_the_lineage(night: tuple[str, Settings, Path]) -> None:
    url, _, _ = night
    with psycopg.connect(url) as conn:
        missing = conn.execute(
            "select v.indicator_code, v.gemeentecode, v.period_code, v.source_system from marts.fct_indicator_value v"
            " where v.value_source = 'computed' and not exists (select from marts.indicator_value_lineage l"
            "   where l.indicator_code = v.indicator_code and l.measure_code = v.measure_code"
            "     and l.gemeentecode = v.gemeentecode and l.period_code = v.period_code"
            "     and l.value_source = 'computed' and l.batch_id is not null and l.batch_status = 'published')"
        ).fetchall()
        assert not missing, missing[:5]
        # a Werkplein count names exactly as many rows as it counts; a suppressed one names none
        mismatched = conn.execute(
            "select indicator_code, measure_code, gemeentecode, period_code, value, raw_row_count"
            " from marts.indicator_value_lineage where source_system = 'werkplein' and ("
            "   (row_selection = 'rijen' and raw_row_count is distinct from value)"
            "   or (is_suppressed and (raw_row_count is not null or raw_row_numbers is not null)))"
        ).fetchall()
        assert not mismatched, mismatched[:5]
        counted = conn.execute(
            "select count(*) from marts.indicator_value_lineage where source_system = 'werkplein'"
            " and row_selection = 'rijen'"
        ).fetchone()[0]
        assert counted > 100


def test_explain_a_cbs_formula_reaches_both_raw_rows_and_the_request(night: tuple[str, Settings, Path]) -> None:
    url, _, _ = night
    with psycopg.connect(url) as conn:
        period, value = conn.execute(
            "select period_code, value from marts.fct_indicator_value where indicator_code = %s"
            " and gemeentecode = 'GM0141' and value_source = 'computed' order by period_code desc limit 1",
            ("ep_bijstand_per_10000_inwoners",),
        ).fetchone()
        inputs = conn.execute(
            "select l.input_role, l.input_value, l.batch_id, l.raw_row_numbers, l.raw_topic_key, l.raw_table_id"
            " from marts.indicator_value_lineage l where l.indicator_code = %s and l.gemeentecode = 'GM0141'"
            " and l.period_code = %s order by l.input_order",
            ("ep_bijstand_per_10000_inwoners", period),
        ).fetchall()
        assert [i[0] for i in inputs] == ["teller", "noemer"]
        (_, numerator, *_), (_, denominator, *_) = inputs
        assert round(numerator * 10000 / denominator, 4) == value
        # the raw rows, found independently in raw.cbs_observation by batch, row number and topic
        raw_rows = [
            conn.execute(
                "select o.value, o.region_code, o.period_code, b.request_params ->> 'base_url', b.source_ref"
                " from raw.cbs_observation o join audit.load_batch b using (batch_id)"
                " where o.batch_id = %s and o.row_number = %s and o.topic_key = %s",
                (batch_id, int(rows), topic),
            ).fetchone()
            for _, _, batch_id, rows, topic, _ in inputs
        ]
    for (_, input_value, *_), (raw_value, region, raw_period, _, _) in zip(inputs, raw_rows, strict=True):
        assert raw_value == input_value and region == "GM0141" and raw_period == period
    result = explain(url, "ep_bijstand_per_10000_inwoners", "0141", period)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "formula: personen_met_bijstand / inwoners_15_plus x 10000" in out
    for (role, _, batch_id, rows, topic, table_id), (_, _, _, base_url, source_ref) in zip(
        inputs, raw_rows, strict=True
    ):
        assert f"input {role}:" in out and f"batch {batch_id}: status published" in out
        assert f"raw row: raw.cbs_observation table {table_id} row {rows}:" in out
        assert f"topic {topic}" in out
        assert f"{base_url}/ODataFeed/odata/{source_ref}/TypedDataSet?$select=" in out
    assert "source mode recorded" in out


@pytest.mark.parametrize(("indicator", "table_id", "topic"), [
    ("veil_misdrijven", "47018NED", "GeregistreerdeMisdrijven_1"),
    ("veil_meldingen_verward_gedrag", "47024NED", "GeregistreerdeOverlast_1"),
    ("zorg_ernstig_eenzaam_pct", "50150NED", "SterkEenzaam_26"),
])
def test_a_dataderden_indicator_is_the_recorded_cell_traced_to_its_table(
    night: tuple[str, Settings, Path], indicator: str, table_id: str, topic: str
) -> None:
    """The politie and RIVM tables CBS serves on dataderden feed their indicators for Almelo (and its wijken), each
    value the recorded cell as published, traced to its raw row and to a request on the dataderden host."""
    url, cfg, _ = night
    recorded = json.loads((cfg.cbs_recordings_dir / "v3" / table_id / "TypedDataSet.json").read_text("utf-8"))
    expected = {
        row["Perioden"]: row[topic] for row in recorded["value"]
        if row["WijkenEnBuurten"].rstrip() == "GM0141" and row.get("SoortMisdrijf", "0.0.0 ") == "0.0.0 "
        and row.get("Overlast", "E33   ") == "E33   "
    }
    with psycopg.connect(url) as conn:
        values = dict(conn.execute(
            "select period_code, value from marts.fct_indicator_value where indicator_code = %s"
            " and gemeentecode = 'GM0141' and value_source = 'computed'", (indicator,)).fetchall())
        traced = conn.execute(
            "select distinct l.raw_table_id, l.raw_topic_key, b.request_params ->> 'base_url'"
            " from marts.indicator_value_lineage l join audit.load_batch b using (batch_id)"
            " where l.indicator_code = %s and l.value_source = 'computed'", (indicator,)).fetchall()
        wijken = conn.execute(
            "select count(distinct gemeentecode) from marts.fct_indicator_value where indicator_code = %s"
            " and gemeentecode like 'WK0141%%'", (indicator,)).fetchone()[0]
    assert expected and {k: float(v) for k, v in values.items()} == {k: float(v) for k, v in expected.items()}
    assert traced == [(table_id, topic, cfg.cbs_dataderden_url)]
    assert wijken == 12  # WK014110 .. WK014121


def test_explain_a_werkplein_count_reaches_the_file_and_the_rows_counted(night: tuple[str, Settings, Path]) -> None:
    url, _, _ = night
    with psycopg.connect(url) as conn:
        period, value, batch_id, ranges = conn.execute(
            "select period_code, value, batch_id, raw_row_numbers from marts.indicator_value_lineage"
            " where indicator_code = 'ep_bijstandsdossiers' and gemeentecode = 'GM0141'"
            " and measure_code = 'open_dossiers_algemene_bijstand' and not is_suppressed"
            " order by period_code desc limit 1"
        ).fetchone()
        file_name, sha256 = conn.execute(
            "select source_ref, file_sha256 from audit.load_batch where batch_id = %s", (batch_id,)
        ).fetchone()
        numbers = row_numbers(ranges)
        # the rows named are exactly the algemene-bijstand dossiers open on the peildatum in that file
        counted = conn.execute(
            "select count(*) filter (where statistiekcode = '01' and (einddatum is null or einddatum > peildatum)),"
            " count(*) from raw.werkplein_uitkering where batch_id = %s and row_number = any(%s)",
            (batch_id, numbers),
        ).fetchone()
        open_in_file = conn.execute(
            "select count(*) from raw.werkplein_uitkering where batch_id = %s and statistiekcode = '01'"
            " and (einddatum is null or einddatum > peildatum)",
            (batch_id,),
        ).fetchone()[0]
    assert len(numbers) == value == counted[0] == counted[1] == open_in_file
    result = explain(url, "ep_bijstandsdossiers", "GM0141", f"{period[:4]}-{period[-2:]}")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"file: {file_name} (sha256 {sha256}" in out
    assert f"batch {batch_id}: status published" in out
    assert f"raw rows: raw.werkplein_uitkering, {format_number(value)} rows counted: rows {ranges}" in out


def test_a_participatie_share_names_both_exports_it_combines(night: tuple[str, Settings, Path]) -> None:
    """The share of active persons reads two files of the same month: the uitkeringen export (who is in the
    doelgroep) and the activiteiten export (who of them is active); the lineage names both, in that order."""
    url, _, _ = night
    with psycopg.connect(url) as conn:
        period = conn.execute(
            "select max(period_code) from marts.indicator_value_lineage"
            " where indicator_code = 'ep_bijstandsgerechtigden_maatschappelijke_inzet' and gemeentecode = 'GM0141'"
            " and measure_code = 'aandeel_participatie_actief_pct_maand'"
        ).fetchone()[0]
        assert period is not None
        inputs = conn.execute(
            "select l.raw_table, l.row_selection, b.entity, b.source_ref"
            " from marts.indicator_value_lineage l join audit.load_batch b using (batch_id)"
            " where l.indicator_code = 'ep_bijstandsgerechtigden_maatschappelijke_inzet' and l.gemeentecode = 'GM0141'"
            " and l.period_code = %s order by l.input_order",
            (period,),
        ).fetchall()
    assert [(table, selection) for table, selection, *_ in inputs] == [
        ("raw.werkplein_uitkering", "bestand"), ("raw.werkplein_activiteit", "bestand")
    ]
    month = period[:4] + period[-2:]
    assert [entity for *_, entity, _ in inputs] == ["werkplein_uitkering", "werkplein_activiteit"]
    assert all(month in file_name for *_, file_name in inputs)
    out = explain(url, "ep_bijstandsgerechtigden_maatschappelijke_inzet", "GM0141", f"{period[:4]}-{period[-2:]}")
    assert out.returncode == 0, out.stderr
    assert "raw.werkplein_uitkering" in out.stdout and "raw.werkplein_activiteit" in out.stdout
    for *_, file_name in inputs:
        assert f"file: {file_name}" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ep_bijstandsdosiers", "GM0141", "2024MM06"), "unknown indicator 'ep_bijstandsdosiers'; did you mean"),
        (("ep_bijstandsdossiers", "GM9999", "2024MM06"), "unknown gemeentecode 'GM9999'"),
        (("ep_bijstandsdossiers", "almelo", "2024MM06"), "did you mean GM0141?"),
        (("ep_bijstandsdossiers", "GM0141", "1990"), "no value of ep_bijstandsdossiers for GM0141 in period '1990JJ0"),
    ],
)
def test_explain_unknown_input_is_a_one_line_error(
    night: tuple[str, Settings, Path], args: tuple[str, ...], message: str
) -> None:
    url, _, _ = night
    result = explain(url, *args)
    assert result.returncode == 2 and not result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    if "dosiers" in args[0]:
        assert "ep_bijstandsdossiers" in lines[0]


def test_explain_never_prints_a_bsn_or_a_pseudonym(night: tuple[str, Settings, Path]) -> None:
    url, _, werkplein = night
    with psycopg.connect(url) as conn:
        cells = conn.execute(
            "select distinct indicator_code, gemeentecode, period_code from marts.fct_indicator_value"
            " where source_system = 'werkplein' and gemeentecode = 'GM0141'"
            " order by indicator_code, period_code desc"
        ).fetchall()
        pseudonyms = {r[0] for r in conn.execute("select distinct persoon_pseudoniem from raw.werkplein_uitkering")}
        registratienummers = {
            r[0] for r in conn.execute("select distinct registratienummer from raw.werkplein_uitkering")
        }
    bsns = bsns_in(werkplein)
    assert bsns and pseudonyms
    # every Werkplein indicator, its newest three periods (a month, a year, suppressed or not)
    chosen, seen = [], {}
    for code, gemeente, period in cells:
        if seen.setdefault(code, 0) < 3:
            chosen.append((code, gemeente, period))
            seen[code] += 1
    outputs = []
    for code, gemeente, period in chosen:
        result = explain(url, code, gemeente, period)
        assert result.returncode == 0, (code, period, result.stderr)
        outputs.append(result.stdout)
    text = "\n".join(outputs)
    assert "raw.werkplein_uitkering" in text
    assert not [b for b in bsns if b in text]
    assert not re.search(NINE_DIGITS, text), re.search(NINE_DIGITS, text)
    assert not [p for p in pseudonyms if p in text]
    assert not [r for r in registratienummers if re.search(rf"\b{re.escape(r)}\b", text)]
    assert "suppressed" in text, "a suppressed Werkplein value should have been explained too"


def test_explain_reads_as_bi_reader_only(night: tuple[str, Settings, Path]) -> None:
    """explain works from the marts alone: the BI role can read the lineage, not raw or audit."""
    url, _, _ = night
    from ingestion.report.data import read_as_bi

    with psycopg.connect(url) as conn:
        read_as_bi(conn)
        assert conn.execute("select count(*) from marts.indicator_value_lineage").fetchone()[0] > 1000
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from raw.cbs_observation")
