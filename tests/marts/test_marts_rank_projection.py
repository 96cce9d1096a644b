"""marts.indicator_rank and marts.indicator_projection after a real load and transform.

The CBS tables loaded for all gemeenten (region set alle_gemeenten: arbeidsdeelname, bevolking per maand,
veiligheidsmonitor and the bijstand series of the wijken-en-buurten tables) and the handmatig sample are loaded
and validated through the pipeline, then transformed (with the other sources: the run's demo night).
The ranks are checked against a ranking computed here from
raw, the projection against a Theil-Sen fit computed here from the mart's own series.
"""

from __future__ import annotations

import bisect
import csv
import math
import statistics
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pytest

from tests.support.nights import Night

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
TABLES = ("86008NED", "37230ned", "85146NED", "85586NED", "86003NED")
# veiligheidsmonitor: the indicator is the published percentage, so raw holds its value as is. The table holds the
# gemeenten of 70 000 inhabitants or more (of Twente: Almelo, Enschede, Hengelo), so they are ranked among those.
VEILIGHEID = {
    "veil_vm_onveiligheidsgevoel_wel_eens_pct": "voelt_zich_wel_eens_onveilig_pct",
    "veil_vm_onveilig_in_buurt_wel_eens_pct": "voelt_zich_wel_eens_onveilig_in_buurt_pct",
}


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


TWENTE = {r["gemeente_code"] for r in read_seed("gemeenten_twente.csv")}
DIRECTION = {r["indicator_code"]: r["direction"] for r in read_seed("indicator_catalogue.csv")}


@pytest.fixture(scope="module")
def url(demo_night: Night) -> str:
    """The demo night (tests/support/nights.py): among its tables those loaded for all gemeenten (TABLES), one batch
    each, and the handmatig sample. Read only."""
    with psycopg.connect(demo_night.url) as conn:
        loaded = {r[0] for r in conn.execute("select distinct table_id from raw.cbs_observation")}
        handmatig = conn.execute("select count(*) from raw.handmatig_waarde").fetchone()[0]
    assert set(TABLES) <= loaded and handmatig > 0
    return demo_night.url


def raw_values(conn: psycopg.Connection, measure: str) -> dict[str, dict[str, Decimal]]:
    """period -> gemeente -> value, straight from raw (the one batch per table loaded here)."""
    values: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for period, region, value in conn.execute(
        "select period_code, region_code, value from raw.cbs_observation"
        " where measure_code = %s and region_code like 'GM%%' and value is not null",
        (measure,),
    ):
        values[period][region] = value
    return values


def expected_ranks(values: dict[str, Decimal], direction: str) -> dict[str, int]:
    """1 + the number of gemeenten that do strictly better: ties share the lowest rank."""
    better = (lambda a, b: b < a) if direction == "lower_is_better" else (lambda a, b: b > a)
    return {code: 1 + sum(better(v, other) for other in values.values()) for code, v in values.items()}


def mart_ranks(conn: psycopg.Connection, indicator: str) -> dict[str, dict[str, tuple]]:
    rows: dict[str, dict[str, tuple]] = defaultdict(dict)
    for period, code, rank, n, rank_twente, n_twente, klasse, rank_klasse, n_klasse in conn.execute(
        "select period_code, gemeentecode, rank_nederland, n_nederland, rank_twente, n_twente, grootteklasse,"
        " rank_grootteklasse, n_grootteklasse from marts.indicator_rank where indicator_code = %s",
        (indicator,),
    ):
        rows[period][code] = (rank, n, rank_twente, n_twente, klasse, rank_klasse, n_klasse)
    return rows


def test_ranks_cover_every_gemeente_direction_aware_with_ties(url: str) -> None:
    with psycopg.connect(url) as conn:
        ties_seen = 0
        for indicator, measure in VEILIGHEID.items():
            direction = DIRECTION[indicator]
            assert direction == "lower_is_better"
            raw = raw_values(conn, measure)
            marts = mart_ranks(conn, indicator)
            assert set(marts) == set(raw) and raw
            for period, values in raw.items():
                assert len(values) > 30 and set(values) - TWENTE  # the country's large gemeenten, not only Twente
                ranks = expected_ranks(values, direction)
                assert {code: row[0] for code, row in marts[period].items()} == ranks
                assert {row[1] for row in marts[period].values()} == {len(values)}
                best = min(values.values())
                assert {code for code, rank in ranks.items() if rank == 1} == {
                    code for code, v in values.items() if v == best
                }
                ties_seen += len(values) - len(set(values.values()))
                # within Twente: the same rule over the Twente gemeenten the table holds only
                twente = {code: v for code, v in values.items() if code in TWENTE}
                assert set(twente) == {"GM0141", "GM0153", "GM0164"}
                assert {code: row[2] for code, row in marts[period].items() if code in TWENTE} == expected_ranks(
                    twente, direction
                )
                assert all(row[2] is None for code, row in marts[period].items() if code not in TWENTE)
                assert {row[3] for code, row in marts[period].items() if code in TWENTE} == {len(twente)}
        assert ties_seen > 0  # the synthetic percentages (one decimal) tie, so the tie rule was exercised


def test_rank_one_holds_the_best_value_of_every_indicator(url: str) -> None:
    """Every ranked indicator and period: rank 1 holds the extreme value in the catalogue's direction (the CBS-fed
    indicators ranked here are all lower-is-better; higher-is-better is in the dbt unit test
    rank_is_direction_aware_with_ties)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select indicator_code, period_code, direction, min(value), max(value),"
            " min(value) filter (where rank_nederland = 1), max(value) filter (where rank_nederland = 1),"
            " max(rank_nederland), max(n_nederland)"
            " from marts.indicator_rank group by 1, 2, 3"
        ).fetchall()
    assert rows
    for indicator, period, direction, low, high, best_low, best_high, worst_rank, n in rows:
        assert direction == DIRECTION[indicator], indicator
        best = low if direction == "lower_is_better" else high
        assert best_low == best_high == best, (indicator, period)
        assert worst_rank <= n


def test_bijstand_per_10000_is_ranked_among_the_whole_country(url: str) -> None:
    """The bijstand indicators are a ratio of two topics of the wijken-en-buurten tables (the editions 2023, 2024 and
    2025): ranked from raw, per peildatum, over every gemeente the tables hold."""
    with psycopg.connect(url) as conn:
        bijstand, inwoners = raw_values(conn, "personen_met_bijstand"), raw_values(conn, "inwoners_15_plus")
        for indicator in ("ep_bijstand_per_10000_inwoners", "ea_bijstand_per_10000_inwoners"):
            marts = mart_ranks(conn, indicator)
            assert {p[:4] for p in marts} == {"2023", "2024", "2025"}, indicator
            for period, ranked in marts.items():
                per_10000 = {code: bijstand[period][code] * 10000 / inwoners[period][code] for code in bijstand[period]}
                # rounded to 4 decimals, as int_cbs__indicator_values computes it
                rates = {code: v.quantize(Decimal("0.0001"), ROUND_HALF_UP) for code, v in per_10000.items()}
                assert len(rates) > 300
                ranks = expected_ranks(rates, DIRECTION[indicator])
                assert {code: row[0] for code, row in ranked.items()} == ranks, (indicator, period)
                assert {row[3] for code, row in ranked.items() if code in TWENTE} == {len(TWENTE)}


def test_no_indicator_is_ranked_among_twente_only(url: str) -> None:
    """rank_nederland means the country: every ranked indicator and period has more gemeenten than Twente."""
    with psycopg.connect(url) as conn:
        narrow = conn.execute(
            "select indicator_code, period_code, n_nederland from marts.indicator_rank"
            " group by 1, 2, 3 having n_nederland <= max(n_twente)"
        ).fetchall()
        indicators = {r[0] for r in conn.execute("select distinct indicator_code from marts.indicator_rank")}
    assert narrow == []
    assert {"ep_bijstand_per_10000_inwoners", "ea_bijstand_per_10000_inwoners"} <= indicators


def test_size_class_from_the_latest_population(url: str) -> None:
    klassen = read_seed("gemeentegrootteklasse.csv")
    bounds = [int(k["min_inhabitants"]) for k in klassen[1:]]
    with psycopg.connect(url) as conn:
        population = dict(
            conn.execute(
                "select distinct on (region_code) region_code, value from raw.cbs_observation"
                " where measure_code = 'inwoners_einde_periode' and value is not null and region_code like 'GM%'"
                " order by region_code, period_code desc"
            ).fetchall()
        )
        marts = mart_ranks(conn, "ep_bijstand_per_10000_inwoners")  # ranked among every gemeente
    period = max(marts)
    classes: dict[int, list[str]] = defaultdict(list)
    for code, row in marts[period].items():
        expected = int(klassen[bisect.bisect_right(bounds, float(population[code]))]["grootteklasse"])
        assert row[4] == expected, code
        classes[expected].append(code)
    assert len(classes) >= 5  # the generated country spreads over the size classes
    for members in classes.values():
        assert {marts[period][code][6] for code in members} == {len(members)}
        assert min(marts[period][code][5] for code in members) == 1
    assert marts[period]["GM0141"][4] == 5  # Almelo: 50 000 - 100 000 inhabitants


def test_gemeenten_outside_twente_stay_out_of_the_other_marts(url: str) -> None:
    with psycopg.connect(url) as conn:
        outside = conn.execute(
            "select count(*) from marts.fct_indicator_value where gemeentecode like 'GM%%'"
            " and gemeentecode <> all(%s)",
            (sorted(TWENTE),),
        ).fetchone()[0]
        areas = conn.execute("select count(*) from marts.dim_gemeente where area_type = 'gemeente'").fetchone()[0]
        ranked = conn.execute("select max(n_nederland) from marts.indicator_rank").fetchone()[0]
    assert outside == 0 and areas == len(TWENTE)
    assert ranked > 300


def theil_sen(points: list[tuple[date, float]], target: date) -> tuple[float, float, float]:
    """(projected, lower, upper): the method of marts.indicator_projection, written out independently."""
    xs = [(d - date(2000, 1, 1)).days / 365.25 for d, _ in points]
    ys = [v for _, v in points]
    n = len(points)
    slope = statistics.median((ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(n) for j in range(i + 1, n))
    intercept = statistics.median(y - slope * x for x, y in zip(xs, ys, strict=True))
    mean_x = sum(xs) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sd = math.sqrt(sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)) / (n - 2))
    t = {int(r["degrees_of_freedom"]): float(r["t_two_sided_80"]) for r in read_seed("student_t_quantile.csv")}[n - 2]
    x0 = (target - date(2000, 1, 1)).days / 365.25
    projected = intercept + slope * x0
    half = t * sd * math.sqrt(1 + 1 / n + (x0 - mean_x) ** 2 / sxx)
    return projected, projected - half, projected + half


def test_projection_follows_the_documented_method(url: str) -> None:
    with psycopg.connect(url) as conn:
        projected = conn.execute(
            "select indicator_code, n_used, target_period_end, target_value, direction, projected_value,"
            " projected_lower, projected_upper, projected_status from marts.indicator_projection"
            " where projected_status is not null"
        ).fetchall()
        assert projected, "the demo data gives at least one projection"
        for code, n_used, target_end, target, direction, value, lower, upper, status in projected:
            series = conn.execute(
                "select distinct on (period_end) period_end, value from marts.fct_indicator_value"
                " where indicator_code = %s and gemeentecode = 'GM0141' and is_primary_measure and value is not null"
                " order by period_end, value_source = 'reported'",
                (code,),
            ).fetchall()
            window = [(d, float(v)) for d, v in series][-8:]
            assert n_used == len(window) >= 4
            expected = theil_sen(window, target_end)
            assert [float(v) for v in (value, lower, upper)] == pytest.approx(expected, abs=1e-3)
            good_low = direction == "higher_is_better"
            if (lower if good_low else -upper) >= (target if good_low else -target):
                assert status == "haalbaar"
            elif (upper if good_low else -lower) < (target if good_low else -target):
                assert status == "niet haalbaar"
            else:
                assert status == "onzeker"
        reasons = dict(
            conn.execute(
                "select indicator_code, projection_reason from marts.indicator_projection"
                " where projected_status is null"
            ).fetchall()
        )
    assert all(reasons.values())
    assert reasons["ep_uwv_spanningsindicator"].startswith("categoriedoel")
