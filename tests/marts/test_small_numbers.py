"""Small numbers: no Werkplein count below the threshold is visible in the marts, nor computable from them.

Two years of generated Werkplein exports at a small scale (so many monthly counts are small) go through the whole
chain: load, validate, dbt build, publish (the run's demo night).
The caseload per wijk is mostly above the threshold; the generator's small
wijk (WK014120) is below it in most months. The rule itself is documented and unit-tested in dbt
(int_werkplein__suppression); this checks its outcome in what BI reads.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.nights import Night

THRESHOLD = 10
# Werkplein measures that are a share, not a count: judged on their numerator (intermediate disclosure_count).
SHARES = ("aandeel_participatie_actief_pct_maand", "aandeel_participatie_actief_pct_jaar")
# Indicators whose value in programme_indicator_status is a Werkplein count.
COUNT_INDICATORS = ("ep_bijstandsdossiers", "ep_herinstroom_bijstand")
UITSTROOM_PARTS = (
    "uitstroom_arbeid_in_dienstbetrekking",
    "uitstroom_zelfstandig",
    "uitstroom_ww",
    "uitstroom_andere_uitkering",
    "uitstroom_administratief",
    "uitstroom_overig",
    "uitstroom_reden_onbekend",
)


@pytest.fixture(scope="module")
def warehouse(demo_night: Night) -> str:
    """The demo night (tests/support/nights.py): 24 generated months ending in December, so 2024 has a complete
    herinstroom year (12 months with a 12-month look-back), at a scale where many monthly counts are small. Read
    only."""
    assert demo_night.settings().small_number_threshold == THRESHOLD
    return demo_night.url


def marts_relations_with(conn: psycopg.Connection, *columns: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select table_name from information_schema.columns where table_schema = 'marts'"
            " group by table_name having array_agg(column_name::text) @> %s order by 1",
            (list(columns),),
        )
    ]


def test_no_werkplein_count_below_the_threshold_is_visible_in_any_mart(warehouse: str) -> None:
    with psycopg.connect(warehouse) as conn:
        with_measures = marts_relations_with(conn, "measure_code", "value", "source_system")
        assert "fct_indicator_value" in with_measures
        for table in with_measures:
            visible = conn.execute(
                f"select measure_code, period_code, value from marts.{table}"  # noqa: S608
                " where source_system = 'werkplein' and value is not null and value < %s"
                " and not (measure_code = any(%s))",
                (THRESHOLD, list(SHARES)),
            ).fetchall()
            assert not visible, f"marts.{table} shows Werkplein counts below {THRESHOLD}: {visible[:5]}"
        with_actuals = marts_relations_with(conn, "indicator_code", "gemeentecode", "actual_value")
        assert "programme_indicator_status" in with_actuals
        for table in with_actuals:
            visible = conn.execute(
                f"select indicator_code, actual_value from marts.{table}"  # noqa: S608
                " where indicator_code = any(%s) and actual_value < %s",
                (list(COUNT_INDICATORS), THRESHOLD),
            ).fetchall()
            assert not visible, f"marts.{table} shows Werkplein counts below {THRESHOLD}: {visible[:5]}"
        # A share is shown only when the persons it counts (its numerator) are not a small number.
        small_shares = conn.execute(
            "select f.measure_code, f.period_code, m.disclosure_count from marts.fct_indicator_value f"
            " join intermediate.int_werkplein__measure_values m using (measure_code, gemeentecode, period_code)"
            " where f.measure_code = any(%s) and f.value is not null and m.disclosure_count < %s",
            (list(SHARES), THRESHOLD),
        ).fetchall()
        assert not small_shares, small_shares
        # The data was small enough for the rule to matter: counts and shares were suppressed, with complements.
        suppressed = dict(
            conn.execute(
                "select s.suppression, count(*) from marts.fct_indicator_value f"
                " join intermediate.int_werkplein__suppression s using (gemeentecode, measure_code, period_code)"
                " where f.source_system = 'werkplein' and f.is_suppressed and f.value is null group by 1"
            ).fetchall()
        )
        assert suppressed.get("primary", 0) > 0 and suppressed.get("complementary", 0) > 0, suppressed
        shown = conn.execute(
            "select count(*) from marts.fct_indicator_value where source_system = 'werkplein' and value >= %s",
            (THRESHOLD,),
        ).fetchone()[0]
        assert shown > 0


def test_wijk_caseloads_reach_the_marts_suppressed_where_small(warehouse: str) -> None:
    """The generated exports carry wijkcodes: the caseload per wijk is in fct_indicator_value under the wijk's code,
    for every month, a wijk of GM0141 in dim_gemeente; the small wijk is suppressed, the others mostly shown; no
    wijk is judged in programme_indicator_status."""
    with psycopg.connect(warehouse) as conn:
        wijken = {
            code: (rows, shown, hidden)
            for code, rows, shown, hidden in conn.execute(
                "select f.gemeentecode, count(*), count(f.value), count(*) filter (where f.is_suppressed)"
                " from marts.fct_indicator_value f join marts.dim_gemeente d using (gemeentecode)"
                " where f.source_system = 'werkplein' and d.area_type = 'wijk' and d.parent_gemeentecode = 'GM0141'"
                " and f.indicator_code = 'ep_bijstandsdossiers' and f.measure_code = 'open_dossiers_algemene_bijstand'"
                " group by 1"
            )
        }
        others = conn.execute(
            "select distinct gemeentecode from marts.fct_indicator_value"
            " where source_system = 'werkplein' and substr(gemeentecode, 1, 2) = 'WK' and not (gemeentecode = any(%s))",
            (list(wijken),),
        ).fetchall()
        in_status = conn.execute(
            "select count(*) from marts.programme_indicator_status where substr(gemeentecode, 1, 2) in ('WK', 'BU')"
        ).fetchone()[0]
    assert set(wijken) == {f"WK0141{n}" for n in range(11, 21)}, sorted(wijken)
    assert not others, others
    for code, (rows, shown, hidden) in wijken.items():
        assert rows == 24 and shown + hidden == rows, (code, rows, shown, hidden)
    assert wijken["WK014120"][2] >= 12, wijken["WK014120"]
    assert sum(shown for _, shown, _ in wijken.values()) > 24 * 7, wijken
    assert in_status == 0


def test_no_suppressed_count_can_be_computed_back_from_the_marts(warehouse: str) -> None:
    """Straight from the marts, without the relation model: a published total with exactly one suppressed part, or a
    month whose caseload change, published caseloads and instroom/uitstroom leave one of the two suppressed."""
    with psycopg.connect(warehouse) as conn:
        cells = {
            (measure, period): value
            for measure, period, value in conn.execute(
                "select measure_code, period_code, value from marts.fct_indicator_value"
                " where source_system = 'werkplein' and gemeentecode = 'GM0141'"
            )
        }
    months = sorted({period for measure, period in cells if measure == "uitstroom_algemene_bijstand"})
    assert len(months) == 24
    checked = 0
    for month in months:
        total = cells[("uitstroom_algemene_bijstand", month)]
        parts = [cells[(part, month)] for part in UITSTROOM_PARTS]
        if total is not None:
            assert sum(p is None for p in parts) != 1, f"{month}: one uitstroom part = total - the others"
            checked += 1
        naar_werk = cells[("uitstroom_naar_werk", month)]
        if naar_werk is not None:
            assert sum(p is None for p in parts[:2]) != 1, f"{month}: one naar-werk part = naar werk - the other"
        previous = months[months.index(month) - 1] if months.index(month) else None
        if previous:
            mutatie = [
                cells[("open_dossiers_algemene_bijstand", month)],
                cells[("open_dossiers_algemene_bijstand", previous)],
                cells[("instroom_algemene_bijstand", month)],
                total,
            ]
            assert sum(v is None for v in mutatie) != 1, f"{month}: instroom/uitstroom = caseload change -/+ other"
    assert checked > 0
    year = [cells.get(("herinstroom_personen_maand", f"2024MM{m:02d}")) for m in range(1, 13)]
    if cells.get(("herinstroom_personen_jaar", "2024JJ00")) is not None:
        assert sum(v is None for v in year) != 1, "one herinstroom month = the year - the other months"


def test_no_suppressed_wijk_caseload_can_be_computed_back(warehouse: str) -> None:
    """The gemeente's caseload = the sum of its wijken + the part without wijkcode (never published, but a reader can
    compute it whenever all wijken are shown, so it counts as known unless it is small and suppressed itself). Per
    month, with the caseload shown, the hidden members are never exactly one: no single hidden wijk (nor the part
    without wijk) is the caseload minus the rest."""
    with psycopg.connect(warehouse) as conn:
        wijk_cells = conn.execute(
            "select period_code, value, is_suppressed from marts.fct_indicator_value"
            " where source_system = 'werkplein' and substr(gemeentecode, 1, 6) = 'WK0141'"
            " and measure_code = 'open_dossiers_algemene_bijstand'"
        ).fetchall()
        totals = dict(
            conn.execute(
                "select period_code, value from marts.fct_indicator_value where source_system = 'werkplein'"
                " and gemeentecode = 'GM0141' and measure_code = 'open_dossiers_algemene_bijstand'"
            ).fetchall()
        )
        zonder_wijk = dict(
            conn.execute(
                "select period_code, is_suppressed from intermediate.int_werkplein__suppression"
                " where gemeentecode = 'GM0141' and measure_code = 'open_dossiers_algemene_bijstand_zonder_wijk'"
            ).fetchall()
        )
    hidden: dict[str, int] = {}
    for period, value, is_suppressed in wijk_cells:
        assert (value is None) == is_suppressed
        hidden[period] = hidden.get(period, 0) + int(is_suppressed)
    assert len(hidden) == 24 and set(hidden) == set(zonder_wijk)
    checked = 0
    for period, hidden_wijken in hidden.items():
        if totals[period] is None:
            continue
        assert hidden_wijken + int(zonder_wijk[period]) != 1, f"{period}: one hidden member = caseload - the others"
        checked += 1
    assert checked == 24
