"""The Assets the DAGs exchange: one per raw entity (updated when a batch of it passed validation) and one per
drop folder (updated when a new file lies there). The transform DAG is scheduled on the raw ones.

A constant table rather than a lookup in ``ingestion``, so parsing does no project imports;
tests/dags/test_dag_integrity.py checks it against the sources' own entity lists.
"""

from __future__ import annotations

from airflow.sdk import Asset

# Raw entities per source, as the loaders name their tables (raw.<entity>).
RAW_ENTITIES: dict[str, tuple[str, ...]] = {
    "cbs": ("cbs_observation",),
    "uwv": ("uwv_spanningsindicator",),
    "kennispunt": ("kennispunt_waarde",),
    "werkplein": ("werkplein_uitkering", "werkplein_voorziening", "werkplein_activiteit"),
    "handmatig": ("handmatig_waarde",),
}
FILE_SOURCES: tuple[str, ...] = ("uwv", "kennispunt", "werkplein", "handmatig")


def raw_asset(entity: str) -> Asset:
    """raw.<entity> in the warehouse; an event means a batch of it was validated and published."""
    return Asset(name=f"raw.{entity}", uri=f"postgres://warehouse:5432/programmamonitor/raw/{entity}",
                 group="raw")


def drop_asset(source: str) -> Asset:
    """The drop folder of a file source; an event means a file lies there that was not loaded before."""
    return Asset(name=f"drop.{source}", uri=f"file:///programmamonitor/drop/{source}", group="drop")


def raw_assets(source: str) -> list[Asset]:
    return [raw_asset(entity) for entity in RAW_ENTITIES[source]]


ALL_RAW_ASSETS: list[Asset] = [raw_asset(e) for entities in RAW_ENTITIES.values() for e in entities]
