"""Handmatige indicatorbestanden: every catalogue value no API or export delivers, typed in by programme staff.

Surveys, Klimaatmonitor and waarstaatjegemeente downloads, the MKB-Nederland ranking, own registrations and
milestones arrive in one long layout, one value per row::

    indicator_code;gemeentecode;periode;waarde;bron;toelichting

as ``handmatig_<onderwerp>_<jjjjmmdd>.csv|.xlsx``; a newer file of the same onderwerp replaces the older one
downstream (the delivery key is the onderwerp), as with Kennispunt exports.

Every row is checked against the indicator catalogue (``dbt_project/seeds/indicator_catalogue.csv``, read once per
file) before it lands; a row that fails goes to audit.quarantine naming file, row, column and reason, and the good
rows of the file load:

- ``indicator_code`` must be in the catalogue;
- ``gemeentecode`` a CBS code (GM0141; 0141 or 141 become GM0141; NL01 for Nederland);
- ``periode`` a year, quarter, month or date (a peildatum: the month it falls in), within the indicator's window
  (``indicator_window``) and not in the future;
- ``waarde`` must fit the indicator's unit (``UNIT_RULES``): a number in range, or a text label for a category;
  empty only with a ``toelichting`` saying why (a period not measured: landed, never a value in the marts). A
  percentage is written as the percentage (45, not 0,45); an XLSX cell formatted as a percentage reads as it is
  shown (``7,9%`` is 7.9, ``ingestion.files.reader.ShownPercent``), and only a ``percent`` indicator takes one;
- ``bron`` is required, ``toelichting`` optional.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingestion.files.contract import ParsedFile
from ingestion.files.reader import (
    Column,
    CouldBeBsn,
    OpenedFile,
    Problem,
    RowTyper,
    ShownPercent,
    UncomputedFormula,
    detect_decimal,
    parse_date,
    parse_decimal,
    storable,
)
from ingestion.privacy.pseudonym import Pseudonymiser
from ingestion.privacy.screen import replace_bsns

FILE_RE = re.compile(r"handmatig_(?P<onderwerp>[a-z0-9]+(?:[a-z0-9-]*))_(?P<date>\d{8})(?:[_-][^.]*)?\.(?:csv|xlsx)")

COLUMNS = (
    Column("indicator_code", nullable=False, aliases=("indicator", "indicatorcode")),
    Column("gemeentecode", nullable=False, aliases=("gemeente",)),
    Column("periode", nullable=False, aliases=("peildatum",)),
    Column("waarde"),  # typed by the indicator's unit below, not by the column
    Column("bron", nullable=False),
    Column("toelichting", required=False),
)
WAARDE = 3
RAW_COLUMNS = (
    "indicator_code",
    "gemeentecode",
    "periode",
    "period_code",
    "peildatum",
    "waarde",
    "waarde_label",
    "eenheid",
    "bron",
    "toelichting",
    "extra",
)


# --- units --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRule:
    """What a value of a catalogue unit looks like: a number in a range (whole or not), or a text label."""

    takes: str  # number | label
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    whole: bool = False
    meaning: str = ""

    def check(self, value: Decimal) -> str | None:
        """None when the number fits, else what is wrong with it."""
        if self.whole and value != value.to_integral_value():
            return f"not a whole number: the unit is {self.meaning}"
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            return f"out of range: the unit is {self.meaning}"
        return None


# The catalogue's units (CATALOGUE.md §2 `unit`). `other` is hours per week, weeks, GWh, million m3, a ratio or a
# survey scale (the catalogue's notes say which): all of them non-negative numbers.
UNIT_RULES: dict[str, UnitRule] = {
    "count": UnitRule("number", Decimal(0), whole=True, meaning="count: a whole number, 0 or more"),
    "percent": UnitRule("number", Decimal(0), Decimal(100), meaning="percent: 0 to 100 (45 or 45,5 - not 0,45)"),
    "rate_1_10": UnitRule("number", Decimal(1), Decimal(10), meaning="rate_1_10: a rapportcijfer from 1 to 10"),
    "per_10000_inhabitants": UnitRule(
        "number", Decimal(0), Decimal(10000), meaning="per_10000_inhabitants: 0 to 10 000"
    ),
    "per_1000_inhabitants": UnitRule("number", Decimal(0), Decimal(1000), meaning="per_1000_inhabitants: 0 to 1 000"),
    "euro": UnitRule("number", meaning="euro: an amount, e.g. 4800000 or 4.800.000 (negative for a shortfall)"),
    "m2": UnitRule("number", Decimal(0), meaning="m2: square metres, 0 or more"),
    "hectare": UnitRule("number", Decimal(0), meaning="hectare: 0 or more"),
    "rank": UnitRule("number", Decimal(1), whole=True, meaning="rank: a position, a whole number from 1"),
    "index": UnitRule("number", meaning="index: a number"),
    "other": UnitRule("number", Decimal(0), meaning="other: a number, 0 or more (the catalogue's notes name the unit)"),
    "category": UnitRule("label", meaning="category: a text label (a class, a milestone such as vastgesteld)"),
}
LABEL_MAX_LENGTH = 100
_NUMBER_LIKE_RE = re.compile(r"^[-+]?[\d.,\s]+%?$")


# --- periods ------------------------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^(\d{4})$")
_QUARTER_RE = re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:Q|K|KW)\s*0?([1-4])$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_CBS_RE = re.compile(r"^(\d{4})(JJ00|HJ0[12]|KW0[1-4]|MM(?:0[1-9]|1[0-2]))$", re.IGNORECASE)
PERIOD_FORMATS = "2021, 2021Q2 / 2021-K2, 2021-06, a date 31-12-2021 / 2021-12-31, or a CBS code 2021JJ00"


@dataclass(frozen=True)
class Period:
    code: str  # CBS style: 2021JJ00, 2021KW02, 2021MM06, 2021HJ01
    start: date
    end: date
    peildatum: date | None = None  # when the periode was a date


def _months(year: int, first_month: int, count: int) -> tuple[date, date]:
    start = date(year, first_month, 1)
    following = date(year + (first_month + count - 1) // 12, (first_month + count - 1) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def parse_period(raw: Any) -> Period:
    """A periode as programme staff write it -> its CBS period code and dates; ValueError naming the formats."""
    if isinstance(raw, datetime | date):  # an XLSX date cell
        day = raw.date() if isinstance(raw, datetime) else raw
        return Period(f"{day.year}MM{day.month:02d}", *_months(day.year, day.month, 1), peildatum=day)
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if match := _YEAR_RE.match(text):
        year = int(match[1])
        return Period(f"{year}JJ00", *_months(year, 1, 12))
    if match := _QUARTER_RE.match(text):
        year, quarter = int(match[1]), int(match[2])
        return Period(f"{year}KW{quarter:02d}", *_months(year, quarter * 3 - 2, 3))
    if (match := _MONTH_RE.match(text)) and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
        return Period(f"{year}MM{month:02d}", *_months(year, month, 1))
    if match := _CBS_RE.match(text):
        year, kind, number = int(match[1]), match[2][:2].upper(), int(match[2][2:])
        months = {"JJ": 12, "HJ": 6, "KW": 3, "MM": 1}[kind]
        first = 1 if kind == "JJ" else (number - 1) * months + 1
        return Period(f"{year}{match[2].upper()}", *_months(year, first, months))
    try:
        day = parse_date(text)
    except ValueError:
        raise ValueError(f"not a period: write {PERIOD_FORMATS}") from None
    return Period(f"{day.year}MM{day.month:02d}", *_months(day.year, day.month, 1), peildatum=day)


def document_period(text: str) -> tuple[date, date] | None:
    """A catalogue period ('2022', '2018-06', '2018-12-31') -> (first day, last day); None when empty."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return day, day
    period = parse_period(text)
    return period.start, period.end


# --- the catalogue ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    window_start: date
    window_end: date
    window_says: str  # for a message: where the window comes from


def indicator_window(row: dict[str, str]) -> tuple[date, date, str]:
    """The periods a value of this indicator may be for.

    From the earlier of the programme's first year and the baseline period, to the later of the programme's last
    year and the target period. Realised values the catalogue quotes (e.g. police woonoverlast 2016-2019, before a
    2019-2022 programme) widen it: they are the history the programme reports on.
    """
    first, last = (int(y) for y in row["programme_period"].split("-"))
    starts, ends = [date(first, 1, 1)], [date(last, 12, 31)]
    said = [f"programme {row['programme_period']}"]
    for label, text in (("baseline", row["baseline_period"]), ("target", row["target_period"])):
        if span := document_period(text):
            starts.append(span[0])
            ends.append(span[1])
            said.append(f"{label} {text}")
    realised = [pair.split("=", 1)[0] for pair in row["realised_values"].split(";") if "=" in pair]
    for text in realised:
        if span := document_period(text):
            starts.append(span[0])
            ends.append(span[1])
    if realised:
        said.append(f"realised values {realised[0]}..{realised[-1]}")
    return min(starts), max(ends), ", ".join(said)


def read_catalogue(path: Path) -> dict[str, Indicator]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    indicators = {}
    for row in rows:
        start, end, said = indicator_window(row)
        indicators[row["indicator_code"]] = Indicator(row["indicator_code"], row["unit"], start, end, said)
    return indicators


def catalogue_path() -> Path:
    from ingestion.config import settings

    return settings().dbt_project_dir / "seeds" / "indicator_catalogue.csv"


# --- values -------------------------------------------------------------------------------------------------------


def read_number(raw: Any, decimal: str) -> Decimal:
    """A number cell as it is; text with the file's decimal mark, else the other one ('7,5' and '7.5' both 7.5
    when unambiguous; '1.234' in a decimal-comma file is 1234)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return storable(Decimal(str(raw)))
    text = str(raw).strip().removesuffix("%").strip()
    try:
        return parse_decimal(text, decimal)
    except ValueError:
        return parse_decimal(text, "." if decimal == "," else ",")


def read_waarde(raw: Any, unit: str, decimal: str) -> tuple[Decimal | None, str | None]:
    """(number, label) for a filled waarde cell of this unit; ValueError saying what the unit takes."""
    rule = UNIT_RULES.get(unit)
    if rule is None:
        raise ValueError(f"the catalogue's unit {unit!r} has no rule in ingestion/sources/handmatig.py UNIT_RULES")
    text = str(raw).strip() if isinstance(raw, str) else raw
    if rule.takes == "label":
        label = " ".join(str(text).split())
        if isinstance(raw, int | float) or _NUMBER_LIKE_RE.match(label):
            raise ValueError(f"a number, but the unit is {rule.meaning}")
        if len(label) > LABEL_MAX_LENGTH:
            raise ValueError(f"a label of more than {LABEL_MAX_LENGTH} characters")
        return None, replace_bsns(label)
    # '7,9%' typed as text, or an XLSX cell formatted as a percentage (read as shown: 7.9)
    shown_percent = isinstance(raw, ShownPercent) or isinstance(raw, str) and raw.strip().endswith("%")
    if shown_percent and unit != "percent":
        raise ValueError(f"a percentage, but the unit is {rule.meaning}")
    try:
        number = read_number(raw, decimal)
    except CouldBeBsn:
        raise
    except ValueError:
        raise ValueError(f"not a number, but the unit is {rule.meaning}") from None
    if problem := rule.check(number):
        raise ValueError(problem)
    return number, None


def gemeentecode(text: str) -> str | None:
    """GM0141 / gm0141 / 0141 / 141 -> GM0141; NL01 stays; None for anything else."""
    code = text.strip().upper().replace(" ", "")
    if re.fullmatch(r"GM\d{4}", code) or code == "NL01":
        return code
    if re.fullmatch(r"\d{1,4}", code):
        return "GM" + code.zfill(4)
    return None


# --- the source ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandmatigSource:
    name: str = "handmatig"
    personal_data: bool = False
    example_file_name: str = "handmatig_programmas_20240601.csv"
    today: Callable[[], date] = field(default=date.today, compare=False)
    catalogue: Callable[[], Path] = field(default=catalogue_path, compare=False)

    def delivery(self, file_name: str) -> tuple[str, str] | None:
        match = FILE_RE.fullmatch(file_name.lower())
        # A newer file of the same onderwerp holds all of its values: it replaces the older one downstream.
        return ("handmatig_waarde", match["onderwerp"]) if match else None

    def name_facts(self, file_name: str) -> dict[str, str]:
        # The name says no gemeente, and the date is the file's: it holds every period of the onderwerp.
        return {}

    def parse(self, opened: OpenedFile, entity: str, pseudonymiser: Pseudonymiser | None) -> ParsedFile:
        typer = RowTyper(opened.name, COLUMNS, opened.header)
        typer.decimal, rows = detect_decimal(opened, [p for p in typer.positions[WAARDE : WAARDE + 1] if p is not None])
        path = self.catalogue()
        parsed = ParsedFile(
            entity,
            RAW_COLUMNS,
            iter(()),
            params={
                "dialect": {**opened.dialect.as_dict(), "decimal": typer.decimal},
                "extra_columns": list(typer.extra),
                "catalogue": str(path),
            },
        )
        parsed.rows = self._rows(typer, rows, parsed, read_catalogue(path), self.today())
        return parsed

    def _rows(
        self,
        typer: RowTyper,
        rows: Iterator[tuple[int, list[Any]]],
        parsed: ParsedFile,
        catalogue: dict[str, Indicator],
        today: date,
    ) -> Iterator[tuple]:
        for number, cells in rows:
            (code, gemeente, periode, _, bron, toelichting), problems = typer.type_row(number, cells)
            position = typer.positions[WAARDE]
            raw_waarde = cells[position] if position is not None and position < len(cells) else None
            raw_periode = cells[typer.positions[2]] if typer.positions[2] < len(cells) else None
            indicator = catalogue.get(code) if code else None
            if code and indicator is None:
                problems.append(
                    Problem(
                        number,
                        "indicator_code",
                        code,
                        "not an indicator_code of the catalogue (dbt_project/seeds/indicator_catalogue.csv)",
                    )
                )
            region = gemeentecode(gemeente) if gemeente else None
            if gemeente and region is None:
                problems.append(
                    Problem(number, "gemeentecode", gemeente, "not a CBS gemeentecode (GM0141, or 0141) nor NL01")
                )
            period = self._period(number, raw_periode, periode, indicator, today, problems)
            value = label = None
            if raw_waarde is None or not str(raw_waarde).strip():
                if not toelichting:
                    problems.append(
                        Problem(
                            number,
                            "waarde",
                            None,
                            "empty: fill in the value, or say in toelichting why there is none (not measured)",
                        )
                    )
            elif indicator is not None and not isinstance(raw_waarde, UncomputedFormula):  # the typer said so
                try:
                    value, label = read_waarde(raw_waarde, indicator.unit, typer.decimal)
                except ValueError as exc:
                    problems.append(Problem(number, "waarde", str(raw_waarde).strip(), str(exc)))
            record = {
                "indicator_code": code,
                "gemeentecode": region or gemeente,
                "periode": periode,
                "period_code": period.code if period else None,
                "waarde": value,
                "waarde_label": label,
                "bron": bron,
            }
            if problems:
                parsed.reject_row(problems, record)
                continue
            extra = json.dumps(typer.extras(cells), ensure_ascii=False)
            yield (
                number,
                code,
                region,
                periode,
                period.code,
                period.peildatum,
                value,
                label,
                indicator.unit,
                bron,
                toelichting,
                extra,
            )

    @staticmethod
    def _period(
        number: int, raw: Any, periode: str | None, indicator: Indicator | None, today: date, problems: list[Problem]
    ) -> Period | None:
        if not periode:
            return None
        try:
            period = parse_period(raw if isinstance(raw, datetime | date | float) else periode)
        except ValueError as exc:
            problems.append(Problem(number, "periode", periode, str(exc)))
            return None
        if period.start > today:
            problems.append(Problem(number, "periode", periode, f"in the future ({period.code} starts after {today})"))
        elif indicator is not None and (period.end < indicator.window_start or period.start > indicator.window_end):
            problems.append(
                Problem(
                    number,
                    "periode",
                    periode,
                    f"outside the programme: {indicator.code} takes periods from {indicator.window_start} to "
                    f"{indicator.window_end} ({indicator.window_says})",
                )
            )
        return period


SOURCE = HandmatigSource()
