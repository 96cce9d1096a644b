"""The report's Dutch number formats and chart helpers, without a warehouse."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ingestion.report.charts import decomposition_legend, nice_ticks, period_end, render_decomposition_chart
from ingestion.report.data import DecompositionMonth
from ingestion.report.numbers import csv_number, format_date, format_number, format_value


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (Decimal("1234567.891"), 2, "1.234.567,89"),
        (Decimal("0.05"), 1, "0,1"),  # half up, not banker's rounding
        (Decimal("0.25"), 1, "0,3"),
        (-1234, 0, "-1.234"),
        (Decimal("-0.04"), 1, "0,0"),  # no "-0,0"
        (999, 0, "999"),
        (None, 1, "–"),
    ],
)
def test_format_number_is_dutch(value, decimals: int, expected: str) -> None:
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1187"), "count", "1.187"),
        (Decimal("12.345"), "percent", "12,3%"),
        (Decimal("523.17"), "per_10000_inhabitants", "523,2 per 10.000 inw."),
        (Decimal("7.25"), "rate_1_10", "7,3"),
        (Decimal("1500000"), "euro", "€ 1.500.000"),
        (Decimal("2500"), "m2", "2.500 m²"),
        (Decimal("1.5"), None, "1,5"),
        (None, "percent", "–"),
    ],
)
def test_format_value_by_unit(value, unit, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_csv_numbers_have_a_decimal_comma_and_no_grouping() -> None:
    assert csv_number(Decimal("1234.56"), "percent") == "1234,6"
    assert csv_number(Decimal("1187"), "count") == "1187"
    assert csv_number(None, "count") == ""


def test_dates_in_dutch_and_amsterdam_time() -> None:
    assert format_date(date(2025, 3, 1)) == "1 maart 2025"
    # 23:30 UTC on 31 December is 00:30 on New Year's Day in Amsterdam.
    assert format_date(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == "1 januari 2025 00:30"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022", date(2022, 12, 31)),
        ("2018-06", date(2018, 6, 30)),
        ("2024-02", date(2024, 2, 29)),
        ("2019-12-31", date(2019, 12, 31)),
        ("2019JJ00", date(2019, 12, 31)),
        ("", None),
        (None, None),
        ("onbekend", None),
    ],
)
def test_catalogue_periods_end_where_expected(text, expected) -> None:
    assert period_end(text) == expected


@pytest.mark.parametrize(("low", "high"), [(0, 97), (3.2, 3.9), (-12, 40), (1187, 1187), (0, 0.004)])
def test_ticks_are_round_and_cover_the_range(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and 2 <= len(ticks) <= 12


def _month(code: str, **cells: int | None) -> DecompositionMonth:
    year, month = int(code[:4]), int(code[-2:])
    base: dict = dict.fromkeys(
        ("caseload_begin", "instroom_totaal", "instroom_nieuw", "herinstroom", "uitstroom_totaal", "uitstroom_werk",
         "uitstroom_andere_uitkering", "uitstroom_verhuizing", "uitstroom_overig", "caseload_eind",
         "caseload_mutatie"),
    )
    base.update(cells)
    return DecompositionMonth(
        period_code=code, period_label=code, period_start=date(year, month, 1), period_end=date(year, month, 28),
        has_suppressed_cells=any(v is None for k, v in base.items() if k != "caseload_mutatie"),
        is_terugkijkperiode_volledig=True, source_mode="generated", **base,
    )


def test_the_decomposition_chart_draws_published_parts_and_what_a_published_total_leaves() -> None:
    months = [
        # everything published
        _month("2024MM01", caseload_begin=700, instroom_totaal=22, instroom_nieuw=12, herinstroom=10,
               uitstroom_totaal=44, uitstroom_werk=11, uitstroom_andere_uitkering=10, uitstroom_verhuizing=10,
               uitstroom_overig=13, caseload_eind=678, caseload_mutatie=-22),
        # the inflow's split and three outflow reasons suppressed, the totals published
        _month("2024MM02", caseload_begin=678, instroom_totaal=20, uitstroom_totaal=30, uitstroom_werk=14,
               caseload_eind=668, caseload_mutatie=-10),
        # every flow suppressed
        _month("2024MM03", caseload_begin=668, caseload_eind=670, caseload_mutatie=2),
    ]
    svg = render_decomposition_chart(months)
    assert "<title id=\"decompositie-titel\">" in svg and "<desc id=\"decompositie-beschrijving\">" in svg
    segments = re.findall(
        r'<rect class="segment [^"]*"[^>]*data-reeks="(\w+)" data-periode="(\w+)" data-waarde="(-?\d+)"', svg
    )
    drawn = {(period, key): int(value) for key, period, value in segments}
    assert drawn == {
        ("2024MM01", "instroom_nieuw"): 12, ("2024MM01", "herinstroom"): 10, ("2024MM01", "uitstroom_werk"): 11,
        ("2024MM01", "uitstroom_andere_uitkering"): 10, ("2024MM01", "uitstroom_verhuizing"): 10,
        ("2024MM01", "uitstroom_overig"): 13,
        ("2024MM02", "instroom_rest"): 20, ("2024MM02", "uitstroom_werk"): 14, ("2024MM02", "uitstroom_rest"): 16,
    }
    assert re.findall(r'<circle class="mutatie"[^>]*data-periode="(\w+)" data-waarde="(-?\d+)"', svg) == [
        ("2024MM01", "-22"), ("2024MM02", "-10"), ("2024MM03", "2")]
    assert re.findall(r'<path class="onderdrukt" data-periode="(\w+)"', svg) == ["2024MM02", "2024MM03"]
    # the outflow of 2024MM02 stacks to its total: its two segments are as tall as 30 of the axis
    heights = re.findall(r'height="([\d.]+)" data-reeks="uitstroom_\w+" data-periode="2024MM02"', svg)
    inflow = re.findall(r'height="([\d.]+)" data-reeks="instroom_rest" data-periode="2024MM02"', svg)
    assert len(heights) == 2
    assert abs(sum(map(float, heights)) / float(inflow[0]) - 30 / 20) < 0.02
    legend = dict(decomposition_legend(months))
    assert "legenda-uitstroom_rest" in legend and "legenda-onderdrukt" in legend
    assert render_decomposition_chart([]) == ""
