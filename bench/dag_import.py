"""DAG import time per DAG file, as the DAG processor pays it: airflow itself already imported (the baseline,
measured in the same child), then the file executed. Each file in a fresh interpreter."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from bench.isolated import PROJECT_ROOT, measure

DAGS_DIR = PROJECT_ROOT / "dags"
TARGET_SECONDS = 1.0


def import_dag_file(path: str) -> dict[str, Any]:
    import importlib.util

    started = time.perf_counter()
    import airflow.sdk  # noqa: F401 - the processor has it loaded before it parses a file

    airflow_seconds = time.perf_counter() - started
    sys.path.append(str(DAGS_DIR))
    from airflow.sdk.definitions._internal.contextmanager import DagContext

    spec = importlib.util.spec_from_file_location("dag_file", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dag_file"] = module
    DagContext.current_autoregister_module_name = "dag_file"  # as the DAG processor does: collect every DAG made
    started = time.perf_counter()
    spec.loader.exec_module(module)
    seconds = time.perf_counter() - started
    dags = [dag for dag, _ in DagContext.autoregistered_dags]
    tasks = sum(len(d.tasks) for d in dags)
    return {"rows": tasks, "seconds": seconds, "airflow_seconds": airflow_seconds, "dags": len(dags)}


def measure_all(server_url: str, workdir: Path, *, quick: bool = False, progress: Any = print) -> list[dict]:
    progress("DAG import times")
    rows = []
    for path in sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_")):
        result = measure("bench.dag_import:import_dag_file", path=str(path))
        rows.append(
            {
                "group": "dag_import",
                "case": path.name,
                "variant": "import of the DAG file",
                "rows": result["rows"],
                "seconds": round(result["seconds"], 3),
                "rows_per_s": None,
                "peak_rss_mb": result["peak_rss_mb"],
                "baseline": "import airflow.sdk",
                "ratio": round(result["seconds"] / result["airflow_seconds"], 3),
                "target": f"< {TARGET_SECONDS:.0f} s",
                "meets_target": result["seconds"] < TARGET_SECONDS,
                "note": f"{result['dags']} DAG(s), {result['rows']} tasks;"
                f" airflow.sdk itself {result['airflow_seconds']:.2f} s",
            }
        )
    return rows
