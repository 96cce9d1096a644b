"""A real Airflow deployment for tests: API server, scheduler and DAG processor (plus a Celery worker when asked),
as separate processes on a PostgreSQL metadata database of their own — what production runs, minus the web UI
users. Runs are triggered and read through the CLI, as an operator would.
"""

from __future__ import annotations

import json
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
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
FINISHED = {"success", "failed"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _json_rows(out: str) -> list[dict]:
    """The JSON list a CLI command printed among its log lines ('No data found' instead of an empty list)."""
    for line in out.splitlines():
        if line.startswith(("[{", "[]")):
            return json.loads(line)
    return []


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
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

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

    def wait_for_dags(self, dag_ids: set[str], timeout: float = 240) -> None:
        """Until the DAG processor has serialised every one of ``dag_ids`` into the metadata database."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            listed = {d["dag_id"] for d in _json_rows(self.cli("dags", "list", "-o", "json"))}
            if dag_ids <= listed:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAGs not parsed after {timeout}s: {sorted(dag_ids - listed)}")
            time.sleep(3)

    def runs(self, dag_id: str) -> list[dict]:
        return _json_rows(self.cli("dags", "list-runs", dag_id, "-o", "json"))

    def trigger(self, dag_id: str, logical_date: str | None = None) -> str:
        args = ["dags", "trigger", dag_id, "-o", "json"]
        if logical_date:
            args += ["--logical-date", logical_date]
        return _json_rows(self.cli(*args))[0]["dag_run_id"]

    def wait_for_run(self, dag_id: str, *, run_id: str | None = None, after: int = 0, timeout: float = 900) -> dict:
        """The run ``run_id`` (or the first run beyond the ``after`` runs already there) once it finished."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            runs = sorted(self.runs(dag_id), key=lambda r: r.get("run_after") or r.get("queued_at") or "")
            found = [r for r in runs if r["run_id"] == run_id] if run_id else runs[after:after + 1]
            if found and found[0]["state"] in FINISHED:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} run {run_id or '#' + str(after + 1)} not finished after {timeout}s: "
                                   f"{found}\n{self.logs_tail()}")
            time.sleep(5)

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        rows = _json_rows(self.cli("tasks", "states-for-dag-run", dag_id, run_id, "-o", "json"))
        return {(r["task_id"] if str(r.get("map_index", -1)) in ("-1", "") else f"{r['task_id']}[{r['map_index']}]"):
                r["state"] for r in rows}


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
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "1",
        "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
    }
    if executor == "CeleryExecutor":
        env["AIRFLOW__CELERY__BROKER_URL"] = f"redis://127.0.0.1:6379/{int(uuid.uuid4().int % 15) + 1}"
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + parts._replace(path=f"/{meta_db}").geturl()
        env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = "2"
    cluster = AirflowCluster(home, env)
    try:
        cluster.cli("db", "migrate", timeout=600)
        cluster.cli("pools", "set", "cbs_api", "2", "Concurrent calls to the CBS OData API")
        cluster.start("api-server", "api-server", "--port", str(api_port), "--host", "127.0.0.1")
        cluster.start("dag-processor", "dag-processor")
        cluster.start("scheduler", "scheduler")
        if executor == "CeleryExecutor":
            cluster.start("celery-worker", "celery", "worker", "--concurrency", "2")
        yield cluster
    finally:
        cluster.stop()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{meta_db}" with (force)')
