"""The embedded PostgreSQL, with real processes: a throwaway cluster under a temporary PROGRAMMAMONITOR_LOCAL_DIR.

The tests share one cluster (initdb takes a second or two) and run in file order; each still calls
ensure_running() itself, so each holds on its own. Run as root (CI), the server runs as an unprivileged user, and
embedded_pg makes pytest's private /tmp/pytest-of-root traversable (search permission only) for that user.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ingestion.dev import embedded_pg

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("embedded_pg") / "local"
    # Module-scoped monkeypatch: the cluster is shared by this file's tests, and never the repo's .local.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROGRAMMAMONITOR_LOCAL_DIR", str(directory))
        try:
            yield directory
        finally:
            embedded_pg.stop()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def _select_1(url: str) -> int:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute("select 1").fetchone()[0]


def _wait_dead(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while embedded_pg._pid_alive(pid):
        assert time.monotonic() < deadline, f"pid {pid} still alive"
        time.sleep(0.05)


def test_start_and_connect(local_dir: Path) -> None:
    url = embedded_pg.ensure_running()

    assert url == f"postgresql://programmamonitor@127.0.0.1:{_port(url)}/postgres"
    assert _select_1(url) == 1
    state = embedded_pg.status()
    assert state["running"] is True
    assert state["port"] == _port(url)
    assert state["data_dir"] == str(local_dir.resolve() / "pg" / "data")
    assert Path(state["bin_dir"], "postgres").exists()
    assert (local_dir / "pg" / "port").read_text().strip() == str(_port(url))


def test_not_the_default_port_and_loopback_tcp_only(local_dir: Path) -> None:
    url = embedded_pg.ensure_running()

    assert _port(url) != 5432
    with psycopg.connect(url) as conn:
        assert conn.execute("show listen_addresses").fetchone()[0] == "127.0.0.1"
        assert conn.execute("show unix_socket_directories").fetchone()[0] == ""
        assert conn.execute("select current_user").fetchone()[0] == "programmamonitor"
        assert conn.execute("show server_encoding").fetchone()[0] == "UTF8"
        assert conn.execute("select 1 from pg_database where datname = 'programmamonitor'").fetchone()


def test_ensure_running_is_idempotent(local_dir: Path) -> None:
    first = embedded_pg.ensure_running()
    pid = embedded_pg.status()["pid"]

    assert embedded_pg.ensure_running() == first
    assert embedded_pg.status()["pid"] == pid


def test_warehouse_url_creates_the_database_once(local_dir: Path) -> None:
    url = embedded_pg.warehouse_url("pm_embedded_check")

    assert url.endswith(f":{_port(url)}/pm_embedded_check")
    assert _select_1(url) == 1
    assert embedded_pg.warehouse_url("pm_embedded_check") == url
    assert embedded_pg.warehouse_url().endswith("/programmamonitor")


def test_stop_and_start_again_keeps_port_and_data(local_dir: Path) -> None:
    url = embedded_pg.warehouse_url("pm_embedded_keep")
    with psycopg.connect(url) as conn:
        conn.execute("create table kept (n int)")
        conn.execute("insert into kept values (42)")

    embedded_pg.stop()
    assert embedded_pg.status()["running"] is False
    embedded_pg.stop()  # not running: no error

    assert embedded_pg.warehouse_url("pm_embedded_keep") == url
    with psycopg.connect(url) as conn:
        assert conn.execute("select n from kept").fetchall() == [(42,)]


def test_moves_to_a_new_port_when_the_stored_one_is_taken(local_dir: Path) -> None:
    old_port = _port(embedded_pg.ensure_running())
    embedded_pg.stop()
    with socket.socket() as squatter:
        # SO_REUSEADDR: the server's closed connections may leave the port in TIME_WAIT, which would block bind().
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", old_port))
        squatter.listen()

        url = embedded_pg.ensure_running()

    assert _port(url) != old_port
    assert _select_1(url) == 1
    assert (local_dir / "pg" / "port").read_text().strip() == str(_port(url))


def test_recovers_after_the_postmaster_is_killed(local_dir: Path) -> None:
    url = embedded_pg.warehouse_url("pm_embedded_keep")
    pid = embedded_pg.status()["pid"]
    with psycopg.connect(url) as conn:
        conn.execute("insert into kept values (43)")

    os.kill(pid, signal.SIGKILL)
    _wait_dead(pid)
    assert embedded_pg.status()["running"] is False
    assert (local_dir / "pg" / "data" / "postmaster.pid").exists()  # left behind by the crash

    assert embedded_pg.ensure_running().rsplit("/", 1)[0] == url.rsplit("/", 1)[0]
    assert embedded_pg.status()["pid"] != pid
    with psycopg.connect(url) as conn:
        assert conn.execute("select n from kept order by n").fetchall() == [(42,), (43,)]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingestion.dev.embedded_pg", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env or dict(os.environ),
        timeout=120,
    )


def test_cli_url_prints_only_the_url(local_dir: Path) -> None:
    port = _port(embedded_pg.ensure_running())

    result = _cli("url", "pm_embedded_cli")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"postgresql://programmamonitor@127.0.0.1:{port}/pm_embedded_cli\n"
    assert _select_1(result.stdout.strip()) == 1


def test_cli_status_and_stop(local_dir: Path) -> None:
    embedded_pg.ensure_running()

    running = _cli("status")
    assert running.returncode == 0
    assert "running: True" in running.stdout

    assert _cli("stop").returncode == 0
    stopped = _cli("status")
    assert stopped.returncode == 3
    assert "running: False" in stopped.stdout


def test_cli_error_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")

    result = _cli("start", env={**os.environ, "PROGRAMMAMONITOR_LOCAL_DIR": str(not_a_dir)})

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("embedded_pg: error: start failed:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_stop_and_status_of_a_cluster_never_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMMAMONITOR_LOCAL_DIR", str(tmp_path / "nothing"))

    embedded_pg.stop()

    assert embedded_pg.status()["running"] is False
    assert not (tmp_path / "nothing").exists()
