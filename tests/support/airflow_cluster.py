"""A real Airflow deployment for tests: API server, scheduler, DAG processor and triggerer (plus a Celery worker when
asked), as separate processes on a PostgreSQL metadata database of their own — what production runs. Runs are
unpaused, cleared and read through the REST API, as an operator's UI does.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
FINISHED = {"success", "failed"}
TASK_SLOTS = 4  # parallelism, and the Celery worker's concurrency


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class AirflowCluster:
    home: Path
    env: dict[str, str]
    api_url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    phases: dict[str, float] = field(default_factory=dict)  # set-up phase -> seconds since the start, for the timeline

    def mark(self, phase: str) -> None:
        self.phases[phase] = time.monotonic() - self.started

    def cli(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            [AIRFLOW, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.home / f"{name}.log").read_text()[-3000:]
                raise RuntimeError(f"airflow {name} exited with {process.returncode}:\n{tail}")

    def logs_tail(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {name}\n" + "\n".join((self.home / f"{name}.log").read_text().splitlines()[-lines:])
            for name in self.processes
        )

    # The REST API (auth off for this local deployment: SIMPLE_AUTH_MANAGER_ALL_ADMINS) — what an operator's UI does.
    def api(self, method: str, path: str, **json_body: Any) -> Any:
        response = requests.request(method, f"{self.api_url}/api/v2/{path}", json=json_body or None, timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:2000]}")
        return response.json() if response.content else None

    def wait_for_api(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                if requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API server did not come up in {timeout}s\n{self.logs_tail()}")
            time.sleep(2)

    def wait_for_dags(self, dag_ids: set[str], timeout: float = 240) -> None:
        """Until the DAG processor has serialised every one of ``dag_ids`` into the metadata database."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            listed = {d["dag_id"] for d in self.api("GET", "dags?limit=100")["dags"]}
            if dag_ids <= listed:
                self.mark("DAGs parsed")
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAGs not parsed after {timeout}s: {sorted(dag_ids - listed)}")
            time.sleep(3)

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"dags/{dag_id}", is_paused=False)

    def runs(self, dag_id: str) -> list[dict]:
        """The DAG's runs, oldest first."""
        runs: list[dict] = []
        while True:
            page = self.api("GET", f"dags/{dag_id}/dagRuns?order_by=id&limit=100&offset={len(runs)}")
            runs += page["dag_runs"]
            if not page["dag_runs"] or len(runs) >= page["total_entries"]:
                return runs

    def wait_for_run(
        self, dag_id: str, *, run_id: str | None = None, run_type: str | None = None, timeout: float = 900
    ) -> dict:
        """The run ``run_id`` (or the first run, of ``run_type`` if given) once it has finished."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            found = [r for r in self.runs(dag_id) if (run_id is None or r["dag_run_id"] == run_id)
                     and (run_type is None or r["run_type"] == run_type)]
            if found and found[0]["state"] in FINISHED:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} run {run_id or run_type or ''} not finished after {timeout}s: "
                                   f"{found[:1]}\n{self.logs_tail()}")
            time.sleep(5)

    def wait_for_runs(self, dag_id: str, *, run_type: str, count: int, timeout: float = 1200) -> list[dict]:
        """The DAG's ``count`` runs of ``run_type`` once all of them have finished, oldest first."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            runs = [r for r in self.runs(dag_id) if r["run_type"] == run_type]
            if len(runs) >= count and all(r["state"] in FINISHED for r in runs):
                return runs
            if time.monotonic() > deadline:
                states = [r["state"] for r in runs]
                raise TimeoutError(f"{dag_id}: {len(runs)}/{count} {run_type} runs, {states}\n{self.logs_tail()}")
            time.sleep(5)

    def wait_for_started(self, dag_ids: list[str], timeout: float = 180) -> None:
        """Until each of ``dag_ids`` has a run (the scheduler has created it)."""
        deadline = time.monotonic() + timeout
        while missing := [dag_id for dag_id in dag_ids if not self.runs(dag_id)]:
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no run of {missing} after {timeout}s\n{self.logs_tail()}")
            time.sleep(2)

    def wait_until_settled(self, dag_id: str, timeout: float = 900) -> list[dict]:
        """The DAG's runs, oldest first, once no Asset event waits to start another and every run has finished."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            queued = self.api("GET", f"dags/{dag_id}/assets/queuedEvents")["total_entries"]
            runs = self.runs(dag_id)
            if not queued and runs and all(r["state"] in FINISHED for r in runs):
                return runs
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} not settled after {timeout}s: {queued} queued events, "
                                   f"{[r['state'] for r in runs]}\n{self.logs_tail()}")
            time.sleep(5)

    def consumed_events(self, dag_id: str, run_id: str) -> list[dict]:
        """The Asset events that triggered the run."""
        return self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}/upstreamAssetEvents")["asset_events"]

    def clear(self, dag_id: str, run_id: str) -> None:
        """Clear every task of a run (as "Clear run" in the UI): the scheduler runs it again."""
        self.api("POST", f"dags/{dag_id}/clearTaskInstances", dry_run=False, dag_run_id=run_id,
                 only_failed=False, reset_dag_runs=True)

    def timeline(self, dag_ids: list[str]) -> str:
        """Every run of ``dag_ids``, in start order: type, state, start, minutes (where the chain's time went)."""
        runs = sorted((r for dag_id in dag_ids for r in self.runs(dag_id)), key=lambda r: r["start_date"] or "~")
        lines = []
        for r in runs:
            start, end = r["start_date"], r["end_date"]
            minutes = ""
            if start and end:
                seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
                minutes = f"{seconds / 60:5.1f} min"
            lines.append(f"{(start or '-')[11:19]}  {minutes:>9}  {r['state']:<8} {r['run_type']:<15} {r['dag_id']}")
        setup = ", ".join(f"{phase} at {seconds:.0f} s" for phase, seconds in self.phases.items())
        return "\n".join([f"set-up: {setup}", *lines])

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        rows: list[dict] = []
        while True:  # the API pages at 100 (the transform alone has a task per dbt node)
            page = self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100&offset={len(rows)}")
            rows += page["task_instances"]
            if not page["task_instances"] or len(rows) >= page["total_entries"]:
                break
        return {(r["task_id"] if r.get("map_index", -1) == -1 else f"{r['task_id']}[{r['map_index']}]"): r["state"]
                for r in rows}


@contextmanager
def airflow_cluster(
    tmp: Path, server_url: str, extra_env: dict[str, str], *, executor: str = "LocalExecutor"
) -> Iterator[AirflowCluster]:
    """Airflow's processes on a fresh metadata database (on the test PostgreSQL server), stopped afterwards."""
    meta_db = f"airflow_meta_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'create database "{meta_db}"')
    parts = urlsplit(server_url)
    meta_url = parts._replace(scheme="postgresql+psycopg2", path=f"/{meta_db}").geturl()
    home = tmp / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    api_port = _free_port()
    env = {
        **os.environ,
        **extra_env,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": executor,
        # Four task slots on two cores: a task mostly waits (process start, the warehouse, the API), and
        # production's default is 32 (docker-compose.yml sets none).
        "AIRFLOW__CORE__PARALLELISM": str(TASK_SLOTS),
        # Paused until the test unpauses what it runs, as an operator would (an unpaused DAG starts its last run).
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "1",
        "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
    }
    if executor == "CeleryExecutor":
        env["AIRFLOW__CELERY__BROKER_URL"] = f"redis://127.0.0.1:6379/{int(uuid.uuid4().int % 15) + 1}"
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + parts._replace(path=f"/{meta_db}").geturl()
        env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = str(TASK_SLOTS)
    cluster = AirflowCluster(home, env, f"http://127.0.0.1:{api_port}")
    try:
        cluster.cli("db", "migrate", timeout=600)
        cluster.mark("metadata DB migrated")
        cluster.cli("pools", "set", "cbs_api", "2", "Concurrent calls to the CBS OData API")
        cluster.start("api-server", "api-server", "--port", str(api_port), "--host", "127.0.0.1")
        cluster.start("dag-processor", "dag-processor")
        cluster.start("scheduler", "scheduler")
        # Deferred tasks (Cosmos' per-model sensors wait for the dbt build there) need the triggerer.
        cluster.start("triggerer", "triggerer")
        if executor == "CeleryExecutor":
            cluster.start("celery-worker", "celery", "worker", "--concurrency", str(TASK_SLOTS))
        cluster.wait_for_api()
        cluster.mark("API server up")
        yield cluster
    finally:
        cluster.stop()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{meta_db}" with (force)')
