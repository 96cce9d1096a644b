"""CBS StatLine OData v4 (``datasets.cbs.nl``): the client and the conversion to the v3 loader's raw rows.

v4 serves a table as entity sets under ``<base>/<TableId>/``: ``Observations`` (long form, one row per cell:
``Id, Measure, ValueAttribute, Value, StringValue, <one column per dimension>``), ``MeasureCodes``,
``Dimensions``, ``<Dim>Codes`` and the singleton ``Properties`` (one object, no ``value`` list). Pages are
linked with ``@odata.nextLink`` (with the ``@``, unlike v3). Everything here lands in the same raw tables, as the
same tuples, as v3 does (``v3.py``), so dbt does not need to know which API a table came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from ingestion.sources.cbs.contract import TopicMeta, v4_topics
from ingestion.sources.cbs.odata import (
    MISSING,
    CbsClient,
    CbsError,
    Layout,
    build_filter,
    checked_rows,
    code_row,
    odata_literal,
    property_row,
    selected_columns,
    strip_code,
)
from ingestion.sources.cbs.table_config import TableConfig

# ValueAttribute of an ordinary cell; anything else ("Missing", "Confidential", "Impossible", ...) is a flag.
PLAIN = "None"


@dataclass
class CbsV4Client(CbsClient):
    """OData v4 client for one CBS catalogue, e.g. ``https://datasets.cbs.nl/odata/v1/CBS``.

    Requests, retries and error messages are ``CbsClient.get_page``'s; only URLs and paging differ.
    """

    def table_url(self, table_id: str) -> str:
        return f"{self.base_url}/{table_id}"

    def entity(self, table_id: str, entity: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every row of an entity set, following ``@odata.nextLink`` until the last page."""
        url: str | None = f"{self.table_url(table_id)}/{entity}"
        query: dict[str, str] | None = dict(params or {})  # v4 answers JSON by default: no $format
        selected = selected_columns(query)
        while url:
            document = self.get_page(table_id, url, query)
            next_link = document.get("@odata.nextLink")
            yield from checked_rows(table_id, url, document["value"], next_link, selected)
            # The next link carries the whole query already; adding params again would duplicate them.
            # urljoin leaves an absolute link (what CBS sends) untouched and resolves a relative one.
            url, query = (urljoin(url, next_link) if next_link else None), None

    def properties(self, table_id: str) -> dict[str, Any]:
        """The table's ``Properties`` singleton: Title, Modified, ObservationCount, ..."""
        document = self.get_json(table_id, f"{self.table_url(table_id)}/Properties")
        if not isinstance(document, dict) or "value" in document:
            where = f"{self.table_url(table_id)}/Properties"
            raise CbsError(f"CBS table {table_id}: response from {where} is not a Properties object")
        return document


# --- layout and filter ---------------------------------------------------------------------------------------


def v4_layout(dimensions: Iterable[dict[str, Any]]) -> Layout:
    """Region, period and other dimensions from the ``Dimensions`` entity set (by ``Kind``).

    Every dimension that is not the region or the period counts as "other", whatever its Kind: each one is a
    column of ``Observations`` that tells cells apart, so leaving one out would merge distinct cells.
    ``numeric_topics`` is empty: v4 says per cell (Value vs StringValue) what v3 said per column.
    """
    dims = [d for d in dimensions if d.get("Identifier")]
    region = next((d["Identifier"] for d in dims if d.get("Kind") == "GeoDimension"), None)
    period = next((d["Identifier"] for d in dims if d.get("Kind") == "TimeDimension"), None)
    others = [d["Identifier"] for d in dims if d["Identifier"] not in (region, period)]
    return Layout(region, period, others, set())


def v4_filter(
    layout: Layout,
    regions: list[str],
    since: str | None = None,
    *,
    fixed_dimensions: dict[str, str] | None = None,
    periods: list[str] | None = None,
    measures: Iterable[str] | None = None,
) -> str | None:
    """The ``Observations`` $filter: odata.py's ``build_filter`` plus the measures wanted.

    ``build_filter`` is reused as is: ``startswith``, ``eq``, ``ge``, ``and``, ``or`` and ``'quoted'`` literals
    are the same in OData 3 and 4 (only ``substringof`` became ``contains``, and it is not used). v3 picks topics
    with $select (they are columns); in v4 they are rows, so they are picked by ``Measure eq``.
    """
    terms = []
    base = build_filter(layout, regions, since, fixed_dimensions=fixed_dimensions, periods=periods)
    if base:
        terms.append(base)
    wanted = sorted(set(measures or ()))
    if wanted:
        terms.append("(" + " or ".join(f"Measure eq '{odata_literal(m)}'" for m in wanted) + ")")
    return " and ".join(terms) or None


# --- rows for the raw tables (same tuples as v3.py writes) -------------------------------------------


def edition_period(table_id: str, edition: int | None) -> str:
    """The period code of a table without a time dimension: its edition year as a whole year (``2025JJ00``).

    The Kerncijfers wijken en buurten tables (one per year) have ``WijkenEnBuurten`` as their only dimension: the
    year is the edition's, not a column (cbs_evidence/86165NED.md, "Periods"). Every other table and the marts
    key on a period code, so the edition year is written in the format CBS uses for a year.
    """
    if edition is None:
        raise CbsError(
            f"CBS table {table_id} has no period dimension and no edition year in cbs_tables.yml: "
            "give the edition its `year` so its rows get a period"
        )
    return f"{edition}JJ00"


def v4_observation_rows(
    table_id: str,
    rows: Iterable[dict[str, Any]],
    *,
    region_dimension: str | None,
    period_dimension: str | None,
    other_dimensions: list[str],
    measures: dict[str, str],
    period_code: str | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Observations rows -> ``OBSERVATION_COLUMNS`` tuples: codes stripped, flags kept, never 0 for missing.

    ``ValueAttribute`` "None" (or null) is an ordinary cell: value_attribute NULL, except that a cell without
    any value gets "Missing" as v3 does for a null number. Any other attribute ("Confidential", "Missing",
    "Impossible", ...) is kept as the flag, and Value is left as CBS sent it (null for suppressed cells).
    ``period_code`` is every row's period when the table has no period dimension (``edition_period``).
    """
    for row_number, row in enumerate(rows):
        region = strip_code(row.get(region_dimension)) if region_dimension else None
        period = strip_code(row.get(period_dimension)) if period_dimension else period_code
        others = json.dumps({d: strip_code(row.get(d)) for d in other_dimensions}, sort_keys=True)
        measure = strip_code(row.get("Measure"))
        value, text = row.get("Value"), strip_code(row.get("StringValue"))
        attribute = row.get("ValueAttribute")
        if attribute is None or attribute == PLAIN:
            flag = MISSING if value is None and text is None else None
        else:
            flag = attribute
        yield (
            table_id,
            row_number,
            row.get("Id"),
            region,
            period,
            others,
            measure,
            measures.get(measure),
            value,
            text,
            flag,
        )


def v4_table_info_row(table_id: str, properties: dict[str, Any]) -> tuple[Any, ...]:
    """``Properties`` -> the ``cbs_table_info`` tuple of odata.py's ``table_info_row``.

    v4 has no ShortTitle, Period or MetaDataModified: the period is ``TemporalCoverage``; metadata changes
    move ``Modified`` (data changes move ``ObservationsModified`` too), so Modified fills both dates and
    incremental loads compare ``info ->> 'Modified'`` exactly as for v3. ``info`` is the object as served,
    minus the ``@odata.*`` annotations (they name the host, which would make a recorded and a live load of
    the same table differ).
    """
    info = {k: v for k, v in properties.items() if not k.startswith("@odata.")}
    return (
        table_id,
        info.get("Title"),
        info.get("ShortTitle"),
        info.get("Modified"),
        info.get("MetaDataModified") or info.get("Modified"),
        info.get("Period") or info.get("TemporalCoverage"),
        info.get("Frequency"),
        info.get("Summary"),
        json.dumps(info, sort_keys=True),
    )


def v4_property_rows(
    table_id: str, measure_codes: Iterable[dict[str, Any]], dimensions: Iterable[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """``Dimensions`` (type = Kind) then ``MeasureCodes`` (type 'Topic') -> ``cbs_data_property`` tuples.

    Positions run over both, dimensions first, like v3's DataProperties positions.
    """
    props: list[dict[str, Any]] = [
        {
            "Key": d.get("Identifier"),
            "Type": d.get("Kind"),
            "Title": d.get("Title"),
            "Description": d.get("Description"),
        }
        for d in dimensions
    ]
    props += [
        {
            "Key": m.get("Identifier"),
            "Type": "Topic",
            "Title": m.get("Title"),
            "Description": m.get("Description"),
            "Unit": m.get("Unit"),
            "Decimals": m.get("Decimals"),
            "Datatype": m.get("DataType"),
        }
        for m in measure_codes
    ]
    return [property_row(table_id, {**p, "Position": position}) for position, p in enumerate(props)]


def v4_code_rows(table_id: str, dimension: str, codes: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """``<Dim>Codes`` -> ``cbs_dimension_code`` tuples (key = Identifier, stripped; Status kept)."""
    return [
        code_row(
            table_id,
            dimension,
            {
                "Key": c.get("Identifier"),
                "Title": c.get("Title"),
                "Description": c.get("Description"),
                "Status": c.get("Status"),
            },
        )
        for c in codes
    ]


def v4_period_status(codes: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Period code -> Status ("Voorlopig"/"Definitief") from ``<PeriodDim>Codes``, for incremental loads."""
    return {strip_code(c.get("Identifier")): c.get("Status") or "" for c in codes}


class V4Api:
    """What a load asks of CBS OData v4 (datasets.cbs.nl): long Observations, Properties, <Dim>Codes."""

    def __init__(self, client: CbsV4Client) -> None:
        self.client = client

    def table_info(self, table_id: str) -> tuple[str | None, list[tuple[Any, ...]]]:
        properties = self.client.properties(table_id)
        return properties.get("Modified"), [v4_table_info_row(table_id, properties)]

    def structure(self, table_id: str) -> tuple[Layout, dict[str, TopicMeta], list[tuple[Any, ...]]]:
        dimensions = list(self.client.entity(table_id, "Dimensions"))
        measures = list(self.client.entity(table_id, "MeasureCodes"))
        return v4_layout(dimensions), v4_topics(measures), v4_property_rows(table_id, measures, dimensions)

    def codes(self, table_id: str, dimension: str) -> list[dict[str, Any]]:
        # Same row shape as v3's code lists for the loader: Identifier is v4's Key.
        return [{**c, "Key": c.get("Identifier")} for c in self.client.entity(table_id, f"{dimension}Codes")]

    def observations(
        self, cfg: TableConfig, layout: Layout, since: str | None, periods: list[str] | None
    ) -> tuple[dict[str, str], Iterator[tuple[Any, ...]]]:
        # A table without a time dimension (the Kerncijfers wijken en buurten) is about its edition's year.
        period = None if layout.period_dimension else edition_period(cfg.table_id, cfg.edition)
        row_filter = v4_filter(
            layout, cfg.regions, since, fixed_dimensions=cfg.fixed_dimensions, periods=periods, measures=cfg.measures
        )
        # No $select: Observations is narrow already, and v4 rejects selecting a column a table lacks.
        params = {"$filter": row_filter} if row_filter else {}
        rows = self.client.entity(cfg.table_id, "Observations", params)
        return params, v4_observation_rows(
            cfg.table_id,
            rows,
            region_dimension=layout.region_dimension,
            period_dimension=layout.period_dimension,
            other_dimensions=layout.other_dimensions,
            measures=cfg.measures,
            period_code=period,
        )
