"""Dutch number formats for the programme report: 1.234,5 on the page, 1234,5 in the CSVs (Excel-NL).

Decimals follow the catalogue unit, so a value reads the same everywhere in the report (and the CSV carries the
same rounding the page shows).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

Number = Decimal | int | float

# Catalogue units (CATALOGUE.md §2) -> decimals shown.
UNIT_DECIMALS = {
    "count": 0,
    "percent": 1,
    "per_10000_inhabitants": 1,
    "rate_1_10": 1,
    "euro": 0,
    "m2": 0,
    "hectare": 1,
    "rank": 0,
    "index": 1,
    "other": 1,
}
# Shown after a value (a space before a unit word, none before %).
UNIT_SUFFIX = {
    "percent": "%",
    "per_10000_inhabitants": " per 10.000 inw.",
    "m2": " m²",
    "hectare": " ha",
}
UNIT_LABEL = {
    "count": "aantal",
    "percent": "procent",
    "per_10000_inhabitants": "per 10.000 inwoners",
    "rate_1_10": "rapportcijfer (1-10)",
    "euro": "euro",
    "m2": "m²",
    "hectare": "hectare",
    "rank": "positie",
    "category": "klasse",
    "index": "index",
    "other": "zie toelichting",
}
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MISSING = "–"


def decimals_for(unit: str | None) -> int:
    return UNIT_DECIMALS.get(unit or "", 1)


def _rounded(value: Number, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded + 0 if rounded else abs(rounded)  # no "-0,0"


def format_number(value: Number | None, decimals: int = 0, *, grouping: bool = True) -> str:
    """1234.5 -> '1.234,5'; grouping=False -> '1234,5' (for CSV). None -> '–'."""
    if value is None:
        return MISSING
    text = f"{_rounded(value, decimals):,.{decimals}f}" if grouping else f"{_rounded(value, decimals):.{decimals}f}"
    return text.translate(str.maketrans({",": ".", ".": ","}))


def format_value(value: Number | None, unit: str | None) -> str:
    """A value in its catalogue unit as the page shows it: '12,3%', '€ 1.234', '123,4 per 10.000 inw.'."""
    if value is None:
        return MISSING
    text = format_number(value, decimals_for(unit))
    if unit == "euro":
        return f"€ {text}"
    return text + UNIT_SUFFIX.get(unit or "", "")


def csv_number(value: Number | None, unit: str | None) -> str:
    """The CSV cell: decimal comma, no thousands separator, the page's rounding; empty for no value."""
    return "" if value is None else format_number(value, decimals_for(unit), grouping=False)


def format_date(moment: date | datetime | None) -> str:
    """'3 maart 2025' (a timestamp in Amsterdam time, with its hour)."""
    if moment is None:
        return MISSING
    if isinstance(moment, datetime):
        local = moment.astimezone(AMSTERDAM) if moment.tzinfo else moment
        return f"{local.day} {MONTHS_NL[local.month - 1]} {local.year} {local:%H:%M}"
    return f"{moment.day} {MONTHS_NL[moment.month - 1]} {moment.year}"
