"""CBS StatLine OData v3 (``opendata.cbs.nl`` and ``dataderden.cbs.nl`` ODataFeed): what a load asks of it, and
its wide TypedDataSet rows as the long raw rows every table lands as."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ingestion.sources.cbs.contract import TopicMeta, v3_topics
from ingestion.sources.cbs.odata import (
    MISSING,
    REGION_DIMENSION_TYPES,
    CbsClient,
    Layout,
    build_filter,
    property_row,
    strip_code,
    table_info_row,
)
from ingestion.sources.cbs.table_config import TableConfig

NUMERIC_DATATYPES = {"Long", "Double", "Integer", "Decimal", "Float", "Int32", "Int64", "Short", "Byte"}


def v3_layout(properties: list[dict[str, Any]]) -> Layout:
    region = next((p["Key"] for p in properties if p.get("Type") in REGION_DIMENSION_TYPES), None)
    period = next((p["Key"] for p in properties if p.get("Type") == "TimeDimension"), None)
    others = [p["Key"] for p in properties if p.get("Type") == "Dimension"]
    numeric = {
        p["Key"]
        for p in properties
        if p.get("Type") == "Topic" and (p.get("Datatype") in NUMERIC_DATATYPES or p.get("Datatype") is None)
    }
    return Layout(region, period, others, numeric)


def v3_observation_rows(
    table_id: str, rows: Iterator[dict[str, Any]], layout: Layout, measures: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    """TypedDataSet rows -> long rows (one per topic), codes stripped, null numbers flagged, never 0."""
    dims = {layout.region_dimension, layout.period_dimension, *layout.other_dimensions, "ID"}
    for row_number, row in enumerate(rows):
        region = strip_code(row.get(layout.region_dimension)) if layout.region_dimension else None
        period = strip_code(row.get(layout.period_dimension)) if layout.period_dimension else None
        others = json.dumps({d: strip_code(row.get(d)) for d in layout.other_dimensions}, sort_keys=True)
        for key, raw_value in row.items():
            if key in dims:
                continue
            if key in layout.numeric_topics:
                value, text = raw_value, None
                flag = MISSING if raw_value is None else None
            else:
                value, text, flag = None, strip_code(raw_value), None
            yield (
                table_id,
                row_number,
                row.get("ID"),
                region,
                period,
                others,
                key,
                measures.get(key),
                value,
                text,
                flag,
            )


class V3Api:
    """What a load asks of CBS OData v3 (opendata.cbs.nl ODataFeed)."""

    def __init__(self, client: CbsClient) -> None:
        self.client = client

    def table_info(self, table_id: str) -> tuple[str | None, list[tuple[Any, ...]]]:
        info = list(self.client.entity(table_id, "TableInfos"))
        return (info[0].get("Modified") if info else None), [table_info_row(table_id, i) for i in info]

    def structure(self, table_id: str) -> tuple[Layout, dict[str, TopicMeta], list[tuple[Any, ...]]]:
        properties = list(self.client.entity(table_id, "DataProperties"))
        return v3_layout(properties), v3_topics(properties), [property_row(table_id, p) for p in properties]

    def codes(self, table_id: str, dimension: str) -> list[dict[str, Any]]:
        return list(self.client.entity(table_id, dimension))

    def observations(
        self, cfg: TableConfig, layout: Layout, since: str | None, periods: list[str] | None
    ) -> tuple[dict[str, str], Iterator[tuple[Any, ...]]]:
        row_filter = build_filter(layout, cfg.regions, since, fixed_dimensions=cfg.fixed_dimensions, periods=periods,
                                  period_types=cfg.period_types)
        dimensions = [d for d in (layout.region_dimension, layout.period_dimension) if d]
        params = {"$select": ",".join(["ID", *dimensions, *layout.other_dimensions, *cfg.measures])}
        if row_filter:
            params["$filter"] = row_filter
        rows = self.client.entity(cfg.table_id, "TypedDataSet", params)
        return params, v3_observation_rows(cfg.table_id, rows, layout, cfg.measures)
