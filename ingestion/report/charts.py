"""Inline SVG charts of an indicator's series: no JavaScript and no external files, so the report works offline,
scales on a phone (viewBox) and prints as vectors.

Every value is a ``<circle class="punt">`` with ``data-reeks`` (almelo, twente, nl), ``data-periode`` (CBS period
code) and ``data-waarde`` (the number, with a decimal point): the browser test counts them against the marts.
The x axis is time (each value at its period's end), so years, quarters and months of one indicator line up.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from markupsafe import escape

from ingestion.report.data import DecompositionMonth, IndicatorReport, SeriesPoint
from ingestion.report.numbers import format_number, format_value

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 40
SERIES = (("almelo", "Almelo"), ("twente", "Twente"), ("nl", "Nederland"))


def period_end(text: str | None) -> date | None:
    """The end of a catalogue period as written: '2022' -> 2022-12-31, '2018-06' -> 2018-06-30, a date as is."""
    if not text:
        return None
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})", text):
        return date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        return date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.match(r"(\d{4})", text):  # '2019JJ00', '2022 (eind)': the year
        return date(int(m[1]), 12, 31)
    return None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 x 10^k) covering low..high."""
    if high <= low:
        high = low + (abs(low) or 1)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    first = math.floor(low / step) * step
    ticks, tick = [], first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def series_values(point: SeriesPoint, key: str) -> Decimal | None:
    return {"almelo": point.almelo, "twente": point.twente, "nl": point.nl}[key]


def render_chart(indicator: IndicatorReport) -> str:
    """The SVG of the indicator, or '' when it has no number to draw."""
    if not indicator.has_numbers:
        return ""
    points = indicator.series
    baseline_end = period_end(indicator.baseline_period) if indicator.baseline_value is not None else None
    target_end = period_end(indicator.target_period)
    dates = [p.middle for p in points] + [d for d in (baseline_end, target_end) if d]
    first, last = min(dates), max(dates)
    first = date(first.year, 1, 1)
    last = date(last.year, 12, 31)
    values = [float(v) for p in points for key, _ in SERIES if (v := series_values(p, key)) is not None]
    values += [float(v) for v in (indicator.baseline_value, indicator.target_value) if v is not None]
    values += projection_values(indicator)
    low, high = min(values), max(values)
    if low >= 0 and (high - low) > 0.3 * high:
        low = 0.0  # counts and shares read best from zero; a narrow band far from zero is zoomed instead
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1
    ticks = nice_ticks(low - (pad if low else 0), high + pad)
    y_min, y_max = ticks[0], ticks[-1]
    span_days = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (day - first).days / span_days * (WIDTH - LEFT - RIGHT), 1)

    def y(value: float | Decimal) -> float:
        return round(TOP + (y_max - float(value)) / ((y_max - y_min) or 1) * (HEIGHT - TOP - BOTTOM), 1)

    decimals = max(0, -int(math.floor(math.log10(ticks[1] - ticks[0])))) if len(ticks) > 1 else 0
    title = escape(f"{indicator.name}: Almelo, Twente en Nederland per periode")
    out = [
        f'<svg class="grafiek" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}"'
        f' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{title}</title>",
    ]
    # Grid and axes.
    for tick in ticks:
        out.append(f'<line class="raster" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}"/>')
        out.append(f'<text class="as-y" x="{LEFT - 6}" y="{y(tick) + 4}">{format_number(tick, decimals)}</text>')
    years = list(range(first.year, last.year + 1))
    label_every = max(1, math.ceil(len(years) / 8))
    for i, year in enumerate(years):
        start = x(date(year, 1, 1))
        out.append(f'<line class="jaargrens" x1="{start}" x2="{start}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>')
        if i % label_every == 0:
            middle = (start + x(date(year, 12, 31))) / 2
            out.append(f'<text class="as-x" x="{round(middle, 1)}" y="{HEIGHT - BOTTOM + 18}">{year}</text>')
    # Target year: the band of the target period's last year, labelled.
    if target_end:
        band = x(date(target_end.year, 1, 1))
        out.append(
            f'<rect class="doeljaar" x="{band}" y="{TOP}" width="{round(x(target_end) - band, 1)}"'
            f' height="{HEIGHT - TOP - BOTTOM}"><title>Doeljaar {target_end.year}</title></rect>'
        )
        out.append(f'<text class="doeljaar-label" x="{x(target_end) - 3}" y="{TOP + 12}">doel {target_end.year}</text>')
    # Baseline: a dashed line from its period on; target: a line over the target year with a marker at its end.
    if indicator.baseline_value is not None:
        # A baseline year sits where that year's value does (mid-year); a baseline date at its day.
        baseline_at = (
            date(baseline_end.year, 7, 1)
            if baseline_end and len(indicator.baseline_period or "") == 4
            else baseline_end
        )
        start = x(baseline_at) if baseline_at else LEFT
        yb = y(indicator.baseline_value)
        label = escape(
            f"Basiswaarde {format_value(indicator.baseline_value, indicator.unit)}"
            f" ({indicator.baseline_period or 'eerste waarneming'})"
        )
        out.append(
            f'<line class="basislijn" x1="{start}" x2="{WIDTH - RIGHT}" y1="{yb}" y2="{yb}"><title>{label}'
            f"</title></line>"
        )
        out.append(
            f'<rect class="basis" x="{start - 4}" y="{yb - 4}" width="8" height="8"><title>{label}</title></rect>'
        )
    if indicator.target_value is not None:
        yt = y(indicator.target_value)
        end = x(target_end) if target_end else WIDTH - RIGHT
        begin = x(date(target_end.year, 1, 1)) if target_end else LEFT
        label = escape(
            f"Doel {format_value(indicator.target_value, indicator.unit)}"
            f"{f' in {indicator.target_period}' if indicator.target_period else ''}"
        )
        out.append(f'<line class="doellijn" x1="{LEFT}" x2="{end}" y1="{yt}" y2="{yt}"><title>{label}</title></line>')
        out.append(f'<line class="doel" x1="{begin}" x2="{end}" y1="{yt}" y2="{yt}"/>')
        out.append(
            f'<path class="doel-markering" d="M{end} {yt - 6} L{end + 6} {yt} L{end} {yt + 6} L{end - 6} {yt} Z">'
            f"<title>{label}</title></path>"
        )
    out.extend(projection_svg(indicator, x, y))
    # The series: a line through consecutive values (broken where a period has none), then the points on top.
    for key, _label in SERIES:
        segments: list[list[str]] = [[]]
        for point in points:
            value = series_values(point, key)
            if value is None:
                if key == "almelo" and (point.is_suppressed or point.almelo_label) and segments[-1]:
                    segments.append([])
                continue
            segments[-1].append(f"{x(point.middle)},{y(value)}")
        for segment in segments:
            if len(segment) > 1:
                out.append(f'<polyline class="lijn lijn-{key}" points="{" ".join(segment)}"/>')
    for key, label in SERIES:
        for point in points:
            value = series_values(point, key)
            if value is None:
                continue
            classes = ["punt", f"punt-{key}"]
            extra = ""
            if key == "almelo" and point.almelo_source == "reported":
                classes.append("gerapporteerd")
                extra = " (uit de programmadocumenten)"
            if key == "almelo" and point.is_provisional:
                classes.append("voorlopig")
                extra += " (voorlopig)"
            tip = escape(f"{label}, {point.period_label}: {format_value(value, indicator.unit)}{extra}")
            out.append(
                f'<circle class="{" ".join(classes)}" cx="{x(point.middle)}" cy="{y(value)}" r="3.5"'
                f' data-reeks="{key}" data-periode="{escape(point.period_code)}" data-waarde="{value}">'
                f"<title>{tip}</title></circle>"
            )
    # Suppressed periods: a cross on the axis, never a value.
    for point in points:
        if point.is_suppressed and point.almelo is None:
            cx, cy = x(point.middle), HEIGHT - BOTTOM
            out.append(
                f'<path class="onderdrukt" data-periode="{escape(point.period_code)}"'
                f' d="M{cx - 3} {cy - 3} L{cx + 3} {cy + 3} M{cx - 3} {cy + 3} L{cx + 3} {cy - 3}">'
                f"<title>{escape(point.period_label)}: onderdrukt (klein aantal)</title></path>"
            )
    out.append("</svg>")
    return "\n".join(out)


def projection_values(indicator: IndicatorReport) -> list[float]:
    """The band's bounds, so the y axis covers the projection too."""
    projection = indicator.projection
    if projection is None or not projection.is_projected:
        return []
    return [float(v) for v in (projection.lower, projection.upper) if v is not None]


def projection_svg(indicator: IndicatorReport, x: Callable[[date], float], y: Callable[[Decimal], float]) -> list[str]:
    """The projection (marts.indicator_projection): a shaded band widening from the last observation to the end of
    the target period, and a dashed line to the projected value; '' when the indicator is not projected."""
    projection = indicator.projection
    if (
        projection is None
        or not projection.is_projected
        or projection.last_period_end is None
        or projection.last_value is None
        or projection.target_period_end is None
    ):
        return []
    # The last value sits mid-period on the chart; the band starts there.
    last = next((p for p in reversed(indicator.series) if p.period_end == projection.last_period_end), None)
    start = x(last.middle) if last else x(projection.last_period_end)
    end = x(projection.target_period_end)
    y0 = y(projection.last_value)
    label = escape(
        f"Prognose {format_value(projection.value, indicator.unit)} in {projection.target_period_end.year}"
        f" (80%-band {format_value(projection.lower, indicator.unit)}"
        f" tot {format_value(projection.upper, indicator.unit)}): {projection.status}"
    )
    return [
        f'<path class="projectieband" data-status="{escape(projection.status or "")}"'
        f' data-onder="{projection.lower}" data-boven="{projection.upper}"'
        f' d="M{start} {y0} L{end} {y(projection.upper)} L{end} {y(projection.lower)} Z"><title>{label}</title></path>',
        f'<line class="projectielijn" x1="{start}" y1="{y0}" x2="{end}" y2="{y(projection.value)}"'
        f' data-waarde="{projection.value}"><title>{label}</title></line>',
    ]


def legend_items(indicator: IndicatorReport) -> Sequence[tuple[str, str]]:
    """(css class, label) of what the chart of this indicator shows, for the legend beside it."""
    shown = {key for p in indicator.series for key, _ in SERIES if series_values(p, key) is not None}
    items = [(f"legenda-{key}", label) for key, label in SERIES if key in shown]
    if indicator.reported_periods:
        items.append(("legenda-gerapporteerd", "Almelo uit de programmadocumenten"))
    if indicator.baseline_value is not None:
        items.append(("legenda-basis", "Basiswaarde"))
    if indicator.target_value is not None:
        items.append(("legenda-doel", "Doel"))
    if period_end(indicator.target_period):
        items.append(("legenda-doeljaar", "Doeljaar"))
    if indicator.suppressed_periods:
        items.append(("legenda-onderdrukt", "Onderdrukt (klein aantal)"))
    if indicator.projection is not None and indicator.projection.is_projected:
        items.append(("legenda-projectie", "Prognose bij huidig tempo (80%-band)"))
    return items


# The caseload decomposition (marts.bijstand_caseload_decomposition): per month a stacked bar, inflows up and
# outflows down, and the net change as a line. Each drawn part is a <rect class="segment"> with data-reeks (the
# mart's column), data-periode and data-waarde; each net change a <circle class="mutatie">: the browser test
# counts them against the mart. A suppressed part is never drawn (a cross under its month); where the total of a
# direction is published, what its shown parts leave of it is drawn as one "rest" segment (instroom_rest,
# uitstroom_rest): the sum of two or more suppressed parts, which the published total and parts already give.
DECOMPOSITION_FLOWS = (
    ("instroom_nieuw", "Instroom (nieuw)", 1),
    ("herinstroom", "Herinstroom (binnen 12 maanden)", 1),
    ("instroom_rest", "Instroom, niet uit te splitsen (kleine aantallen)", 1),
    ("uitstroom_werk", "Uitstroom naar werk", -1),
    ("uitstroom_andere_uitkering", "Uitstroom naar andere uitkering", -1),
    ("uitstroom_verhuizing", "Uitstroom door verhuizing", -1),
    ("uitstroom_overig", "Uitstroom overig", -1),
    ("uitstroom_rest", "Uitstroom, redenen samen (kleine aantallen)", -1),
)
DECOMPOSITION_TOTALS = {"instroom_rest": "instroom_totaal", "uitstroom_rest": "uitstroom_totaal"}
DECOMPOSITION_HEIGHT = 300


def decomposition_parts(month: DecompositionMonth) -> list[tuple[str, str, int, int]]:
    """(key, label, sign, value) of every part of the month's bar that may be shown."""
    parts: list[tuple[str, str, int, int]] = []
    for key, label, sign in DECOMPOSITION_FLOWS:
        if key in DECOMPOSITION_TOTALS:
            total = getattr(month, DECOMPOSITION_TOTALS[key])
            shown = sum(v for k, _, s, v in parts if s == sign)
            if total is not None and total > shown:
                parts.append((key, label, sign, total - shown))
        elif (value := getattr(month, key)) is not None:
            parts.append((key, label, sign, value))
    return parts


def render_decomposition_chart(months: Sequence[DecompositionMonth]) -> str:
    """The SVG of the caseload decomposition, or '' without months."""
    if not months:
        return ""
    height = DECOMPOSITION_HEIGHT
    bars = [decomposition_parts(m) for m in months]
    ups = [sum(v for _, _, sign, v in parts if sign > 0) for parts in bars]
    downs = [sum(v for _, _, sign, v in parts if sign < 0) for parts in bars]
    nets = [m.caseload_mutatie for m in months if m.caseload_mutatie is not None]
    ticks = nice_ticks(min([-d for d in downs] + nets + [0]), max(ups + nets + [1]))
    y_min, y_max = ticks[0], ticks[-1]
    band = (WIDTH - LEFT - RIGHT) / len(months)
    bar = max(band * 0.7, 1)

    def x(index: int) -> float:
        return round(LEFT + band * index + band / 2, 1)

    def y(value: float) -> float:
        return round(TOP + (y_max - value) / ((y_max - y_min) or 1) * (height - TOP - BOTTOM), 1)

    title = escape("Bijstand: verandering van het aantal uitkeringen per maand, naar instroom en uitstroom")
    desc = escape(
        "Per maand gestapelde staven: instroom en herinstroom omhoog, uitstroom naar reden omlaag; de lijn is de"
        " netto verandering van het aantal lopende uitkeringen."
    )
    out = [
        f'<svg class="grafiek decompositie" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-labelledby="decompositie-titel decompositie-beschrijving"'
        f' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="decompositie-titel">{title}</title>',
        f'<desc id="decompositie-beschrijving">{desc}</desc>',
    ]
    for tick in ticks:
        out.append(f'<line class="raster" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}"/>')
        out.append(f'<text class="as-y" x="{LEFT - 6}" y="{y(tick) + 4}">{format_number(tick, 0)}</text>')
    out.append(f'<line class="nullijn" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0)}" y2="{y(0)}"/>')
    for index, (month, parts) in enumerate(zip(months, bars, strict=True)):
        if month.period_start.month == 1 or index == 0:
            out.append(
                f'<text class="as-x" x="{x(index)}" y="{height - BOTTOM + 18}">{month.period_start.year}</text>'
            )
        up, down = 0, 0
        for key, label, sign, value in parts:
            if sign > 0:
                top, bottom = up + value, up
                up += value
            else:
                top, bottom = -down, -down - value
                down += value
            tip = escape(f"{month.period_label}: {label[0].lower()}{label[1:]} {format_number(value)}")
            out.append(
                f'<rect class="segment segment-{key}" x="{round(x(index) - bar / 2, 1)}" y="{y(top)}"'
                f' width="{round(bar, 1)}" height="{round(y(bottom) - y(top), 1)}" data-reeks="{key}"'
                f' data-periode="{escape(month.period_code)}" data-waarde="{value}"><title>{tip}</title></rect>'
            )
        if month.has_suppressed_cells:
            cx, cy = x(index), height - BOTTOM
            out.append(
                f'<path class="onderdrukt" data-periode="{escape(month.period_code)}"'
                f' d="M{cx - 3} {cy - 3} L{cx + 3} {cy + 3} M{cx - 3} {cy + 3} L{cx + 3} {cy - 3}">'
                f"<title>{escape(month.period_label)}: deels onderdrukt (klein aantal)</title></path>"
            )
    segment: list[str] = []
    segments = [segment]
    for index, month in enumerate(months):
        if month.caseload_mutatie is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{x(index)},{y(month.caseload_mutatie)}")
    for points in segments:
        if len(points) > 1:
            out.append(f'<polyline class="lijn lijn-mutatie" points="{" ".join(points)}"/>')
    for index, month in enumerate(months):
        if month.caseload_mutatie is None:
            continue
        tip = escape(f"{month.period_label}: netto verandering {month.caseload_mutatie:+d}")
        out.append(
            f'<circle class="mutatie" cx="{x(index)}" cy="{y(month.caseload_mutatie)}" r="3"'
            f' data-periode="{escape(month.period_code)}" data-waarde="{month.caseload_mutatie}">'
            f"<title>{tip}</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out)


def decomposition_legend(months: Sequence[DecompositionMonth]) -> Sequence[tuple[str, str]]:
    """(css class, label) of what the decomposition chart shows."""
    shown = {key for m in months for key, _, _, _ in decomposition_parts(m)}
    items = [(f"legenda-{key}", label) for key, label, _ in DECOMPOSITION_FLOWS if key in shown]
    items.append(("legenda-mutatie", "Netto verandering"))
    if any(m.has_suppressed_cells for m in months):
        items.append(("legenda-onderdrukt", "Deels onderdrukt (klein aantal)"))
    return items
