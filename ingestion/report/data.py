"""What the programme report shows, read from the published marts as the BI role reads them.

Every query runs in one read-only transaction after ``SET ROLE bi_reader``: the report sees exactly what the
dashboards may see (schema ``marts``, nothing below it), and one consistent version of it even when a publish
swaps the marts meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ingestion.warehouse import BI_ROLE, connect

STATUSES = ("behaald", "op koers", "achter", "niet te beoordelen")

# The status rows of the contract gemeente, with what dim_indicator adds (programme_short, goal, feed, source).
STATUS_SQL = """
select s.programme, d.programme_short, d.programme_period, d.goal_nl, s.indicator_code, s.indicator_name,
       s.unit, s.direction, s.actual_value, s.actual_value_label, s.actual_period_code,
       p.label_nl as actual_period_label,
       s.actual_period_end, s.is_provisional, s.actual_value_source, s.definition_status, s.baseline_value,
       coalesce(bp.label_nl, s.baseline_period) as baseline_period, s.baseline_source,
       s.target_value, s.target_value_text, s.target_kind, s.target_period,
       s.status, s.status_reason, d.feed, d.source_system as catalogue_source_system, d.source_dataset,
       d.definition_open_question, d.definition_choice, s.gemeentecode
from marts.programme_indicator_status s
join marts.dim_indicator d on d.indicator_code = s.indicator_code
left join marts.dim_period p on p.period_code = s.actual_period_code
left join marts.dim_period bp on bp.period_code = s.baseline_period
where s.is_contract_gemeente
order by s.programme, s.indicator_code
"""

# Almelo's series of each indicator's primary measure: one row per period, a number before a class before a suppressed
# cell, computed before reported (as programme_indicator_overview's trend).
SERIES_SQL = """
select distinct on (f.indicator_code, f.period_code)
       f.indicator_code, f.period_code, p.label_nl as period_label, f.period_start, f.period_end, f.value,
       f.value_label,
       f.is_suppressed, f.is_provisional, f.value_source, f.source_system, f.source_title, f.source_mode, f.loaded_at
from marts.fct_indicator_value f
join marts.dim_gemeente g on g.gemeentecode = f.gemeentecode and g.is_contract_gemeente
left join marts.dim_period p on p.period_code = f.period_code
where f.is_primary_measure
order by f.indicator_code, f.period_code, f.value is null, f.value_label is null, f.value_source = 'reported'
"""

PEERS_SQL = """
select v.indicator_code, v.period_code, p.label_nl as period_label, p.period_start, v.period_end,
       v.twente_value, v.twente_method, v.nl_value
from marts.indicator_peer_value v
left join marts.dim_period p on p.period_code = v.period_code
where v.is_primary_measure and (v.twente_value is not null or v.nl_value is not null)
"""

MARTS_MOMENT_SQL = "select max(checked_at) from marts.data_quality"

# The projection to the target period (marts.indicator_projection: one row per indicator, the contract gemeente).
PROJECTION_SQL = """
select indicator_code, method, n_used, n_available, last_period_end, last_value, slope_per_year, target_period_end,
       projected_value, projected_lower, projected_upper, interval_level, projected_status, projection_reason
from marts.indicator_projection
"""

# Almelo's rank at the latest ranked period of each indicator (marts.indicator_rank).
RANK_SQL = """
select distinct on (r.indicator_code)
       r.indicator_code, r.period_code, p.label_nl as period_label, r.rank_nederland, r.n_nederland,
       r.percentile_nederland, r.rank_twente, r.n_twente, r.rank_grootteklasse, r.n_grootteklasse,
       r.grootteklasse_label
from marts.indicator_rank r
join marts.dim_gemeente g on g.gemeentecode = r.gemeentecode and g.is_contract_gemeente
left join marts.dim_period p on p.period_code = r.period_code
order by r.indicator_code, r.period_end desc
"""

# The caseload decomposition of the contract gemeente (marts.bijstand_caseload_decomposition), month by month.
DECOMPOSITION_SQL = """
select d.period_code, coalesce(p.label_nl, d.period_code) as period_label, d.period_start, d.period_end,
       d.caseload_begin, d.instroom_totaal, d.instroom_nieuw, d.herinstroom, d.uitstroom_totaal, d.uitstroom_werk,
       d.uitstroom_andere_uitkering,
       d.uitstroom_verhuizing, d.uitstroom_overig, d.caseload_eind, d.caseload_mutatie, d.has_suppressed_cells,
       d.is_terugkijkperiode_volledig, d.source_mode
from marts.bijstand_caseload_decomposition d
left join marts.dim_period p on p.period_code = d.period_code
where d.gemeentecode = %s
order by d.period_start
"""


class ReportAccessError(RuntimeError):
    """The pipeline's connection cannot switch to the BI role."""


@dataclass
class SeriesPoint:
    """One period of an indicator: Almelo's value (or why there is none) beside Twente and Nederland."""

    period_code: str
    period_label: str
    period_start: date
    period_end: date
    almelo: Decimal | None = None
    almelo_label: str | None = None
    almelo_source: str | None = None  # computed / reported
    is_suppressed: bool = False
    is_provisional: bool = False
    twente: Decimal | None = None
    twente_method: str | None = None
    nl: Decimal | None = None

    @property
    def middle(self) -> date:
        """Where the period sits on a time axis: a year's value in the middle of its year."""
        return self.period_start + (self.period_end - self.period_start) / 2


@dataclass
class Projection:
    """The trend carried on to the end of the target period, with its 80 % band (null values: not projected)."""

    status: str | None
    reason: str | None
    method: str | None = None
    n_used: int | None = None
    last_period_end: date | None = None
    last_value: Decimal | None = None
    slope_per_year: Decimal | None = None
    target_period_end: date | None = None
    value: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    interval_level: Decimal | None = None

    @property
    def is_projected(self) -> bool:
        return self.status is not None and self.value is not None


@dataclass
class Rank:
    """Almelo among all gemeenten loaded, within Twente and within its size class, at one period (1 = best)."""

    period_code: str
    period_label: str
    rank_nederland: int
    n_nederland: int
    rank_twente: int | None
    n_twente: int | None
    rank_grootteklasse: int | None
    n_grootteklasse: int | None
    grootteklasse_label: str | None

    @property
    def is_national(self) -> bool:
        """More gemeenten than Twente's were ranked: the national and size-class ranks mean something."""
        return self.n_nederland > (self.n_twente or 0)

    @property
    def parts_nl(self) -> list[str]:
        """'12e van 342 gemeenten', '3e van 14 in Twente', '5e van 40 in grootteklasse 50 000 - 100 000 inwoners':
        the national and size-class ranks only where more than the Twente gemeenten were ranked."""
        parts = []
        if self.is_national:
            parts.append(f"{self.rank_nederland}e van {self.n_nederland} gemeenten")
        if self.rank_twente is not None:
            parts.append(f"{self.rank_twente}e van {self.n_twente} in Twente")
        if self.is_national and self.rank_grootteklasse is not None and self.grootteklasse_label:
            parts.append(
                f"{self.rank_grootteklasse}e van {self.n_grootteklasse} in grootteklasse "
                f"{self.grootteklasse_label} inwoners"
            )
        return parts


@dataclass
class IndicatorReport:
    code: str
    name: str
    goal: str | None
    unit: str | None
    direction: str | None
    status: str
    status_reason: str | None
    actual_value: Decimal | None
    actual_label: str | None
    actual_period_code: str | None
    actual_period_label: str | None
    actual_period_end: date | None
    actual_is_provisional: bool
    actual_value_source: str | None
    baseline_value: Decimal | None
    baseline_period: str | None
    baseline_source: str | None
    target_value: Decimal | None
    target_text: str | None
    target_kind: str | None
    target_period: str | None
    feed: str
    definition_status: str
    definition_question: str | None
    definition_choice: str | None
    catalogue_source: str | None
    source_dataset: str | None
    source_title: str | None = None
    source_system: str | None = None
    source_mode: str | None = None
    loaded_at: datetime | None = None
    series: list[SeriesPoint] = field(default_factory=list)
    projection: Projection | None = None
    rank: Rank | None = None

    @property
    def suppressed_periods(self) -> list[SeriesPoint]:
        return [p for p in self.series if p.is_suppressed]

    @property
    def reported_periods(self) -> list[SeriesPoint]:
        return [p for p in self.series if p.almelo_source == "reported"]

    @property
    def has_numbers(self) -> bool:
        return any(v is not None for p in self.series for v in (p.almelo, p.twente, p.nl))


@dataclass
class ProgrammeReport:
    name: str
    short: str
    period: str | None
    indicators: list[IndicatorReport] = field(default_factory=list)

    @property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for indicator in self.indicators:
            counts[indicator.status] = counts.get(indicator.status, 0) + 1
        return counts


@dataclass
class DecompositionMonth:
    """One month of marts.bijstand_caseload_decomposition; a suppressed cell is None (the mart holds no number)."""

    period_code: str
    period_label: str
    period_start: date
    period_end: date
    caseload_begin: int | None
    instroom_totaal: int | None
    instroom_nieuw: int | None
    herinstroom: int | None
    uitstroom_totaal: int | None
    uitstroom_werk: int | None
    uitstroom_andere_uitkering: int | None
    uitstroom_verhuizing: int | None
    uitstroom_overig: int | None
    caseload_eind: int | None
    caseload_mutatie: int | None
    has_suppressed_cells: bool
    is_terugkijkperiode_volledig: bool
    source_mode: str | None


@dataclass
class ReportData:
    programmes: list[ProgrammeReport]
    marts_checked_at: datetime | None
    contract_gemeente: str
    source_modes: set[str]
    decomposition: list[DecompositionMonth] = field(default_factory=list)


def read_as_bi(conn: psycopg.Connection) -> None:
    """Switch the transaction to the BI role, read-only; a clear error when the pipeline's role may not."""
    try:
        conn.execute("set transaction read only")
        conn.execute(f"set local role {BI_ROLE}")
    except psycopg.errors.InsufficientPrivilege as exc:
        user = conn.info.user
        raise ReportAccessError(
            f"the report reads the marts as {BI_ROLE}, but {user!r} may not SET ROLE {BI_ROLE}: run "
            f"`grant {BI_ROLE} to {user}` as a superuser (migrate does it where it may)"
        ) from exc


def load(url: str) -> ReportData:
    with connect(url, application_name="programmamonitor-report") as conn:
        read_as_bi(conn)
        with conn.cursor(row_factory=dict_row) as cur:
            statuses = cur.execute(STATUS_SQL).fetchall()
            series = cur.execute(SERIES_SQL).fetchall()
            peers = cur.execute(PEERS_SQL).fetchall()
            checked_at = cur.execute(MARTS_MOMENT_SQL).fetchone()["max"]
            projections = cur.execute(PROJECTION_SQL).fetchall()
            ranks = cur.execute(RANK_SQL).fetchall()
            report = assemble(statuses, series, peers, checked_at, projections, ranks)
            report.decomposition = [
                DecompositionMonth(**row) for row in cur.execute(DECOMPOSITION_SQL, (report.contract_gemeente,))
            ]
    return report


def _projection(row: dict[str, Any]) -> Projection:
    return Projection(
        status=row["projected_status"],
        reason=row["projection_reason"],
        method=row["method"],
        n_used=row["n_used"],
        last_period_end=row["last_period_end"],
        last_value=row["last_value"],
        slope_per_year=row["slope_per_year"],
        target_period_end=row["target_period_end"],
        value=row["projected_value"],
        lower=row["projected_lower"],
        upper=row["projected_upper"],
        interval_level=row["interval_level"],
    )


def _rank(row: dict[str, Any]) -> Rank:
    return Rank(
        period_code=row["period_code"],
        period_label=row["period_label"] or row["period_code"],
        rank_nederland=row["rank_nederland"],
        n_nederland=row["n_nederland"],
        rank_twente=row["rank_twente"],
        n_twente=row["n_twente"],
        rank_grootteklasse=row["rank_grootteklasse"],
        n_grootteklasse=row["n_grootteklasse"],
        grootteklasse_label=row["grootteklasse_label"],
    )


def assemble(
    statuses: list[dict[str, Any]],
    series: list[dict[str, Any]],
    peers: list[dict[str, Any]],
    checked_at: datetime | None,
    projections: list[dict[str, Any]] | None = None,
    ranks: list[dict[str, Any]] | None = None,
) -> ReportData:
    projection_by_code = {row["indicator_code"]: _projection(row) for row in projections or []}
    rank_by_code = {row["indicator_code"]: _rank(row) for row in ranks or []}
    points: dict[str, dict[str, SeriesPoint]] = defaultdict(dict)
    actual_rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    modes: set[str] = set()
    for row in series:
        point = SeriesPoint(
            period_code=row["period_code"],
            period_label=row["period_label"] or row["period_code"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            almelo=row["value"],
            almelo_label=row["value_label"],
            almelo_source=row["value_source"],
            is_suppressed=row["is_suppressed"],
            is_provisional=bool(row["is_provisional"]),
        )
        points[row["indicator_code"]][row["period_code"]] = point
        actual_rows[(row["indicator_code"], row["period_code"], row["value_source"])] = row
        if row["source_mode"]:
            modes.add(row["source_mode"])
    for row in peers:
        point = points[row["indicator_code"]].setdefault(
            row["period_code"],
            SeriesPoint(
                row["period_code"], row["period_label"] or row["period_code"], row["period_start"], row["period_end"]
            ),
        )
        point.twente, point.twente_method, point.nl = row["twente_value"], row["twente_method"], row["nl_value"]

    programmes: dict[str, ProgrammeReport] = {}
    contract = statuses[0]["gemeentecode"] if statuses else ""
    for row in statuses:
        programme = programmes.setdefault(
            row["programme"], ProgrammeReport(row["programme"], row["programme_short"], row["programme_period"])
        )
        indicator = IndicatorReport(
            code=row["indicator_code"],
            name=row["indicator_name"],
            goal=row["goal_nl"],
            unit=row["unit"],
            direction=row["direction"],
            status=row["status"],
            status_reason=row["status_reason"],
            actual_value=row["actual_value"],
            actual_label=row["actual_value_label"],
            actual_period_code=row["actual_period_code"],
            actual_period_label=row["actual_period_label"],
            actual_period_end=row["actual_period_end"],
            actual_is_provisional=bool(row["is_provisional"]),
            actual_value_source=row["actual_value_source"],
            baseline_value=row["baseline_value"],
            baseline_period=row["baseline_period"],
            baseline_source=row["baseline_source"],
            target_value=row["target_value"],
            target_text=row["target_value_text"],
            target_kind=row["target_kind"],
            target_period=row["target_period"],
            feed=row["feed"],
            definition_status=row["definition_status"],
            definition_question=row["definition_open_question"],
            definition_choice=row["definition_choice"],
            catalogue_source=row["catalogue_source_system"],
            source_dataset=row["source_dataset"],
            series=sorted(points.get(row["indicator_code"], {}).values(), key=lambda p: (p.period_end, p.period_code)),
            projection=projection_by_code.get(row["indicator_code"]),
            rank=rank_by_code.get(row["indicator_code"]),
        )
        source = actual_rows.get((row["indicator_code"], row["actual_period_code"], row["actual_value_source"]))
        if source:
            indicator.source_title = source["source_title"]
            indicator.source_system = source["source_system"]
            indicator.source_mode = source["source_mode"]
            indicator.loaded_at = source["loaded_at"]
        programme.indicators.append(indicator)
    return ReportData(list(programmes.values()), checked_at, contract, modes)
