"""The drop-folder sources by name: the one place that knows them all (the file loading, validation and the doctor
ask it). Adding a source: its module under ``ingestion/sources/`` and one entry here."""

from __future__ import annotations

from ingestion.files.contract import FileSource
from ingestion.sources import handmatig, kennispunt, uwv, werkplein


def file_sources() -> dict[str, FileSource]:
    return {s.SOURCE.name: s.SOURCE for s in (uwv, kennispunt, werkplein, handmatig)}
