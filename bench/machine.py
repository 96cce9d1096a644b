"""The machine a benchmark ran on: figures mean little without it."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def describe(server_url: str) -> dict[str, Any]:
    from ingestion.warehouse import connect

    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    with connect(server_url) as conn:
        server = conn.execute("show server_version").fetchone()[0]
        shared_buffers = conn.execute("show shared_buffers").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": server,
        "shared_buffers": shared_buffers,
    }


def _lines(path: str) -> list[str]:
    file = Path(path)
    return file.read_text().splitlines() if file.exists() else []
