"""Demo data for the file sources: what the drop folders hold when SOURCE_MODE=recorded (the default).

The UWV and Kennispunt folders get the hand-written samples of ``ingestion/dev/samples``; the Werkplein folder gets a
generated export (``ingestion.dev.generate``). Each folder gets a ``GENERATED.md``, and every batch loaded from such a
folder is labelled ``source_mode = 'generated'``, which the marts carry on. Seeding never overwrites a file, so
a rerun finds the same bytes and records them as 'unchanged'.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from ingestion.config import Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.files.drop import GENERATED_MARKER, drop_folder, is_generated

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
# Four years at Almelo's scale: enough history for herinstroom within 12 months and the 2022 programme targets.
DEMO_WERKPLEIN = {"scale": 1.0, "months": 48, "end": "2024-12", "seed": 141, "gemeentecode": "0141"}

SAMPLE_MARKER = """# Demo data: synthetic samples, not a delivery

Copied from `ingestion/dev/samples/{source}/` because SOURCE_MODE=recorded (demo mode). Every figure is synthetic
(see ingestion/dev/samples/README.md); batches loaded from this folder are labelled source_mode = 'generated'.
"""


def seed_demo_files(settings: Settings, source: str) -> Path:
    """Fill the source's drop folder with demo files (once); returns the folder."""
    folder = drop_folder(settings, source)
    folder.mkdir(parents=True, exist_ok=True)
    if source == "werkplein":
        if not is_generated(folder):
            log.info("generating demo Werkplein exports in %s (%s)", folder, DEMO_WERKPLEIN)
            generate_werkplein(folder, **DEMO_WERKPLEIN)
        return folder
    for sample in sorted((SAMPLES_DIR / source).glob("*.*")):
        target = folder / sample.name
        if not target.exists():
            shutil.copy2(sample, target)
    if not is_generated(folder):
        (folder / GENERATED_MARKER).write_text(SAMPLE_MARKER.format(source=source), encoding="utf-8")
    return folder
