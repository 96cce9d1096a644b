"""One measurement in a child process of its own, so its peak memory (ru_maxrss) is its own and nothing it
imported or cached is shared with the next one.

    result = measure("bench.werkplein:load_with_loader", url=..., path=...)

The function runs in the child with the keyword arguments (JSON), returns a dict with at least ``rows``; it may
set ``seconds`` itself (to leave its set-up out of the timing), otherwise the whole call is timed. The child adds
``peak_rss_mb``.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "BENCH-RESULT "


class BenchError(RuntimeError):
    """A measurement failed; the message carries the end of the child's output."""


def measure(target: str, env: dict[str, str] | None = None, timeout: float = 3600, **kwargs: Any) -> dict[str, Any]:
    """Run ``module:function(**kwargs)`` in a fresh Python and return its result with ``seconds`` and memory."""
    command = [sys.executable, "-m", "bench.isolated", target, json.dumps(kwargs, default=str)]
    child_env = {**os.environ, **(env or {}), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=child_env, timeout=timeout, cwd=PROJECT_ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
        raise BenchError(f"{target} failed (exit {done.returncode}):\n{tail}")
    return json.loads(lines[-1][len(RESULT_MARK) :])


def rows_row(group: str, case: str, variant: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A result of a benchmark that counts rows, as a row of its group's table (``extra``: baseline, ratio, ...)."""
    rows, seconds = result["rows"], result["seconds"]
    return {
        "group": group,
        "case": case,
        "variant": variant,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_rss_mb": result["peak_rss_mb"],
        "baseline": None,
        "ratio": None,
        "target": None,
        "meets_target": None,
        "note": "",
        **extra,
    }


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MiB: VmHWM. Not ru_maxrss, which Linux carries from the parent
    across fork + exec, so a child could never report less than the orchestrator's size when it was started."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def main(argv: list[str]) -> int:
    target, arguments = argv
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    started = time.perf_counter()
    result = dict(function(**json.loads(arguments)))
    result.setdefault("seconds", time.perf_counter() - started)
    result["peak_rss_mb"] = peak_rss_mb()
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
