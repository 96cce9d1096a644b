"""The CBS tables as configured (``ingestion/config/cbs_tables.yml``): one edition of a series per table id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ingestion.config import Settings
from ingestion.sources.cbs.contract import Measure, parse_measures
from ingestion.sources.cbs.odata import CbsError

CATALOGUES = ("opendata", "dataderden")


@dataclass(frozen=True)
class TableConfig:
    """One CBS table as configured: an edition of a series (ingestion/config/cbs_tables.yml)."""

    table_id: str
    series: str
    edition: int | None
    api: str
    regions: list[str]
    period_grain: str
    fixed_dimensions: dict[str, str]
    measures: dict[str, str]  # topic key -> our measure code
    value_range: tuple[float | None, float | None]
    title: str = ""
    kinds: dict[str, str] = field(default_factory=dict)  # topic key -> declared kind (contract.MEASURE_KINDS)
    # Only periods of these types (JJ, HJ, KW, MM), for tables that mix them (37230ned: months and whole years).
    period_types: tuple[str, ...] = ()
    # opendata (CBS's own tables) or dataderden (tables CBS publishes for others: politie, RIVM), both OData v3
    catalogue: str = "opendata"

    def wants_period(self, code: str) -> bool:
        return not self.period_types or code[4:6] in self.period_types

    @property
    def declared(self) -> dict[str, Measure]:
        """Each configured topic key with its measure code and declared kind."""
        return {key: Measure(code, self.kinds.get(key, "")) for key, code in self.measures.items()}

    @property
    def selection(self) -> str:
        """What the configuration asks of the table (regions, fixed dimensions, topic keys), as a short digest: a
        load after the selection changed (a region set widened, a topic mapped) cannot be incremental."""
        asked = {"regions": sorted(self.regions), "fixed_dimensions": self.fixed_dimensions,
                 "measures": sorted(self.measures)}
        if self.period_types:
            asked["period_types"] = sorted(self.period_types)
        return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_settings(cls, settings: Settings, table_id: str) -> TableConfig:
        catalogue = settings.cbs_tables
        for series_name, series in catalogue.get("series", {}).items():
            editions = series.get("editions") or {}
            if table_id not in editions:
                continue
            cfg = {**{k: v for k, v in series.items() if k != "editions"}, **(editions[table_id] or {})}
            regions = _regions(cfg.get("regions", []), catalogue.get("region_sets", {}))
            try:
                measures = parse_measures(table_id, cfg.get("measures"), str(settings.cbs_tables_file))
            except ValueError as exc:
                raise CbsError(str(exc)) from None
            low, high = (list(cfg.get("value_range") or []) + [None, None])[:2]
            return cls(
                table_id=table_id,
                series=series_name,
                edition=cfg.get("year"),
                api=cfg.get("api", "v3"),
                regions=[str(r) for r in regions],
                period_grain=cfg.get("period_grain", "year"),
                fixed_dimensions={str(k): str(v) for k, v in (cfg.get("fixed_dimensions") or {}).items()},
                measures={key: m.code for key, m in measures.items()},
                value_range=(low, high),
                title=cfg.get("title", ""),
                kinds={key: m.kind for key, m in measures.items()},
                period_types=tuple(str(t) for t in cfg.get("period_types") or ()),
                catalogue=str(cfg.get("catalogue", "opendata")),
            )
        known = ", ".join(configured_tables(settings)) or "none"
        raise CbsError(f"CBS table {table_id} is not configured in {settings.cbs_tables_file} (configured: {known})")


def _regions(spec: str | list[str], region_sets: dict[str, list[str]], seen: tuple[str, ...] = ()) -> list[str]:
    """A region set's name, or a list of set names and region code prefixes, as one list of prefixes (a set may
    name other sets)."""
    items = [spec] if isinstance(spec, str) else list(spec)
    regions: list[str] = []
    for item in map(str, items):
        if item in seen:
            raise CbsError(f"region set {item} in cbs_tables.yml names itself (through {' -> '.join(seen)})")
        regions += _regions(region_sets[item], region_sets, (*seen, item)) if item in region_sets else [item]
    return list(dict.fromkeys(regions))


def measure_kinds(settings: Settings) -> dict[str, dict[str, set[str]]]:
    """series -> measure code -> the kinds its editions declare, for checking the formulas that read them."""
    kinds: dict[str, dict[str, set[str]]] = {}
    for table_id in configured_tables(settings):
        cfg = TableConfig.from_settings(settings, table_id)
        for key, code in cfg.measures.items():
            kinds.setdefault(cfg.series, {}).setdefault(code, set()).add(cfg.kinds[key])
    return kinds


def configured_tables(settings: Settings) -> list[str]:
    """Every configured table id, series by series, editions oldest first."""
    tables: list[str] = []
    for series in settings.cbs_tables.get("series", {}).values():
        editions = series.get("editions") or {}
        tables += sorted(editions, key=lambda t: ((editions[t] or {}).get("year") or 0, t))
    return tables
