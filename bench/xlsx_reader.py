"""The XLSX reader: openpyxl read-only (before) against python-calamine (now), on the same generated workbook.

The measured file is the generator's June werkplein uitkeringen export (an XLSX: dates as date cells, BSNs and amounts
as numbers, 18 columns), at scale 1 and 10 (10 ~ 26 000 rows). Each variant reads every row through
``open_file(path).rows`` (the old reader: ``bench.xlsx_openpyxl``) in a child process of its own; the libraries are
imported before the clock starts. A second case styles the amount column ``0.00%``: every row has a percent cell, the
reader's style scan at its most expensive (the export itself has no percent style).
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Any

from bench.isolated import measure, rows_row

SCALES = (1, 10)
QUICK_SCALES = (1,)
MONTH = "2024-06"  # June's export is an XLSX (generate.dialect_for_month)
TARGET = 5.0  # times the old reader's rows/s, at the largest scale


def generate(workdir: Path, scale: float) -> Path:
    from ingestion.dev.generate import generate_werkplein

    folder = workdir / f"werkplein_xlsx_scale_{scale:g}"
    if not any(folder.glob("werkplein_uitkeringen_*.xlsx")):
        generate_werkplein(folder, scale=scale, months=1, end=MONTH, seed=141, gemeentecode="0141")
    return next(folder.glob("werkplein_uitkeringen_*.xlsx"))


def with_percent_column(path: Path) -> Path | None:
    """The workbook with its amount style (built-in format 2, ``0.00``) made ``0.00%`` (built-in 10)."""
    target = path.with_name(path.stem + "_percent.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/styles.xml":
                if b'<xf numFmtId="2" ' not in data:
                    return None
                data = data.replace(b'<xf numFmtId="2" ', b'<xf numFmtId="10" ')
            out.writestr(info.filename, data)
    return target


# --- measured in a child process each ---------------------------------------------------------------------------


def read(path: str, reader: str) -> dict[str, Any]:
    import openpyxl  # noqa: F401 - imported before the clock, as a long-running loader has it
    import python_calamine  # noqa: F401

    from bench.xlsx_openpyxl import open_xlsx
    from ingestion.files.reader import open_file

    opener = open_xlsx if reader == "openpyxl" else open_file
    started = time.perf_counter()
    opened = opener(Path(path))
    rows = sum(1 for _ in opened.rows)
    return {"rows": rows, "seconds": time.perf_counter() - started}


# --- the figures ------------------------------------------------------------------------------------------------


def _row(case: str, variant: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return rows_row("xlsx_reader", case, variant, result, **extra)


def measure_all(server_url: str, workdir: Path, *, quick: bool = False, progress: Any = print) -> list[dict]:
    results: list[dict] = []
    scales = QUICK_SCALES if quick else SCALES
    for scale in scales:
        path = generate(workdir, scale)
        cases = [(f"scale {scale:g} ({path.stat().st_size / 2**20:.1f} MiB)", path)]
        if (percent := with_percent_column(path)) is not None:
            cases.append((f"scale {scale:g}, amounts styled 0.00%", percent))
        for case, file in cases:
            progress(f"xlsx reader {case}: openpyxl, calamine")
            before = measure("bench.xlsx_reader:read", path=str(file), reader="openpyxl")
            now = measure("bench.xlsx_reader:read", path=str(file), reader="calamine")
            if now["rows"] != before["rows"]:
                raise RuntimeError(f"{file}: openpyxl read {before['rows']} rows, calamine {now['rows']}")
            ratio = round(before["seconds"] / now["seconds"], 2) if now["seconds"] else None
            is_target = scale == scales[-1] and file == path
            results += [
                _row(case, "openpyxl read-only (before)", before),
                _row(
                    case,
                    "python-calamine (now)",
                    now,
                    baseline="openpyxl read-only (before)",
                    ratio=ratio,
                    target=f">= {TARGET:g}x openpyxl" if is_target else None,
                    meets_target=(ratio or 0) >= TARGET if is_target else None,
                ),
            ]
    return results
