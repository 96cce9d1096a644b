"""`python -m ingestion doctor`: passes on a healthy set-up, and names cause and fix for each way a night breaks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from ingestion.config import PACKAGE_DIR, PROJECT_ROOT, Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.dev.recorded import serve
from ingestion.files.drop import load_path
from ingestion.operator.doctor import (
    FAIL,
    OK,
    WARN,
    check_cbs,
    check_dbt_project,
    check_drop_folders,
    check_pseudonym_history,
    check_pseudonym_key,
)
from ingestion.warehouse import connect
from tests.support.settings import LIVE

SECRET_KEY = "doctor-test-key-0123456789-must-never-show"
SECRET_PASSWORD = "doctor-pw-must-never-show"


def env_for(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PSEUDONYM_KEY", "WAREHOUSE_URL", "DROP_DIR")}
    return {**env, "WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "PSEUDONYM_KEY": SECRET_KEY,
            "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"), "DATA_DOCS_DIR": str(tmp_path / "docs"),
            "REPORTS_DIR": str(tmp_path / "reports"), **extra}


def run_doctor(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingestion", "doctor"], env=env, capture_output=True, text=True,
                          timeout=300)


def with_password(url: str, password: str) -> str:
    # The test server trusts local connections: a password in the URL is accepted and ignored, as in production
    # it would be checked. Either way it must never be printed.
    scheme, rest = url.split("://", 1)
    userinfo, host = rest.split("@", 1) if "@" in rest else ("postgres", rest)
    return f"{scheme}://{userinfo.split(':')[0]}:{password}@{host}"


def line_of(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.split()[1:2] == [name])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_doctor_passes_on_a_healthy_setup_and_prints_no_secret(fresh_warehouse_url: str, tmp_path: Path) -> None:
    done = run_doctor(env_for(with_password(fresh_warehouse_url, SECRET_PASSWORD), tmp_path,
                              DROP_DIR=str(tmp_path / "drop")))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout and "ready for tonight's run" in done.stdout
    for name in ("python", "packages", "warehouse", "drop-folders", "pseudonym-key", "cbs", "dbt-project",
                 "gx-suites", "disk"):
        assert line_of(done.stdout, name).split()[0] in ("OK", "WARN"), done.stdout
    assert line_of(done.stdout, "pseudonym-key").startswith("OK") and "never shown" in done.stdout
    assert line_of(done.stdout, "cbs").startswith("OK") and "demo mode" in line_of(done.stdout, "cbs")
    assert line_of(done.stdout, "dbt-project").startswith("OK")
    assert ":***@" in line_of(done.stdout, "warehouse")
    for secret in (SECRET_KEY, SECRET_PASSWORD):
        assert secret not in done.stdout and secret not in done.stderr
    # The probe files it wrote to prove the folders writable are gone again.
    assert not list((tmp_path / "drop").rglob(".doctor-probe-*"))


def test_warehouse_down_blocks_with_cause_and_fix(tmp_path: Path) -> None:
    url = f"postgresql://programmamonitor:{SECRET_PASSWORD}@127.0.0.1:{closed_port()}/programmamonitor"
    done = run_doctor(env_for(url, tmp_path, DROP_DIR=str(tmp_path / "drop")))
    assert done.returncode == 1, done.stdout + done.stderr
    line = line_of(done.stdout, "warehouse")
    assert line.startswith("FAIL") and "cannot connect" in line and "refused" in line.lower()
    assert "fix: start the warehouse PostgreSQL" in line and "WAREHOUSE_URL" in line
    assert "1 blocking problem" in done.stdout
    assert SECRET_PASSWORD not in done.stdout + done.stderr and SECRET_KEY not in done.stdout + done.stderr


def test_missing_key_blocks_outside_demo_mode(tmp_path: Path) -> None:
    live = Settings.from_env({**LIVE})
    check = check_pseudonym_key(live)
    assert check.status == FAIL and "PSEUDONYM_KEY is not set" in check.message
    assert "secrets store" in check.fix and "token_urlsafe" in check.fix
    short = check_pseudonym_key(Settings.from_env({**LIVE, "PSEUDONYM_KEY": "tooshort"}))
    assert short.status == FAIL and "8 characters" in short.message and "tooshort" not in short.line()
    # Demo mode works with the demo key: a warning, not a blocker.
    assert check_pseudonym_key(Settings.from_env({"SOURCE_MODE": "recorded"})).status == WARN
    assert check_pseudonym_key(Settings.from_env({"PSEUDONYM_KEY": SECRET_KEY})).status == OK


def test_unwritable_drop_folder_blocks(tmp_path: Path) -> None:
    # Root may write anywhere chmod forbids, so the folder is made impossible instead: its path goes through a file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the drop folder should be")
    check = check_drop_folders(Settings.from_env({"DROP_DIR": str(blocker / "drop")}))
    assert check.status == FAIL and str(blocker / "drop" / "uwv") in check.message
    assert "NotADirectoryError" in check.message or "FileExistsError" in check.message
    assert "DROP_DIR a folder" in check.fix
    # And DROP_DIR itself a file.
    assert check_drop_folders(Settings.from_env({"DROP_DIR": str(blocker)})).status == FAIL
    assert check_drop_folders(Settings.from_env({"DROP_DIR": str(tmp_path / "fine")})).status == OK


def test_broken_dbt_project_blocks_naming_the_model(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "broken_model.sql").write_text("select * from {{ ref('no_such_model') }}\n")
    cfg = Settings.from_env({"DBT_PROJECT_DIR": str(project), "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
    check = check_dbt_project(cfg)
    assert check.status == FAIL, check
    assert "broken_model" in check.message and "no_such_model" in check.message
    assert "python -m ingestion manifest" in check.fix
    (project / "models" / "marts" / "broken_model.sql").unlink()
    assert check_dbt_project(cfg).status == OK


def test_cbs_check_asks_the_live_api_once_with_a_short_timeout_and_honours_demo_mode(tmp_path: Path) -> None:
    server = serve(PACKAGE_DIR / "dev" / "recordings" / "cbs")
    try:
        live = Settings.from_env({**LIVE, "CBS_ODATA_URL": server.base_url})
        check = check_cbs(live)
        assert check.status == OK and "reachable" in check.message, check
        assert len(server.recordings.requests) == 1 and "TableInfos" in server.recordings.requests[0]
    finally:
        server.shutdown()
    down = check_cbs(Settings.from_env({**LIVE, "CBS_ODATA_URL": f"http://127.0.0.1:{closed_port()}"}))
    assert down.status == FAIL and "not reachable" in down.message and "outbound HTTPS" in down.fix
    # Demo mode asks nothing: every configured table must have a recording instead.
    empty = tmp_path / "recordings"
    empty.mkdir()
    demo = check_cbs(Settings.from_env({"SOURCE_MODE": "recorded", "CBS_RECORDINGS_DIR": str(empty)}))
    assert demo.status == FAIL and "no recording for" in demo.message and "86003NED" in demo.message


def test_a_key_other_than_the_published_historys_blocks(fresh_warehouse_url: str, tmp_path: Path) -> None:
    """Each batch records which key pseudonymised it (a fingerprint, not the key); a night with another key would
    break every flow, so doctor blocks it and says how to recover."""
    folder = tmp_path / "werkplein"
    generate_werkplein(folder, scale=0.05, months=1, end="2024-03", seed=5, gemeentecode="0141")
    loaded_with = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, **LIVE,
                                     "PSEUDONYM_KEY": SECRET_KEY, "DROP_DIR": str(tmp_path / "drop")})
    assert check_pseudonym_history(loaded_with).status == OK  # no history yet
    with connect(fresh_warehouse_url) as conn:
        outcomes = load_path(conn, loaded_with, "werkplein", folder)
        conn.execute("update audit.load_batch set status = 'published' where status = 'loaded'")
        conn.commit()
        stored = [r[0] for r in conn.execute("select request_params::text from audit.load_batch")]
    assert outcomes and {o.status for o in outcomes} == {"loaded"}
    assert SECRET_KEY not in " ".join(stored)

    assert check_pseudonym_history(loaded_with).status == OK
    rotated = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, **LIVE,
                                 "PSEUDONYM_KEY": "another-key-0123456789-abcdef", "DROP_DIR": str(tmp_path / "drop")})
    blocked = check_pseudonym_history(rotated)
    assert blocked.status == FAIL
    assert f"{len(outcomes)} published Werkplein batch(es)" in blocked.message
    assert "restore the previous key" in blocked.fix and "another-key" not in blocked.message + blocked.fix
