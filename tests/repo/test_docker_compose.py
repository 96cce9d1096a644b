"""The production shape (docker-compose.yml, Dockerfile) stays consistent with the code, without a Docker engine.

The compose file is parsed with PyYAML (``safe_load`` resolves the ``<<: *anchor`` merge keys the file uses for
its shared Airflow settings); ``docker compose config`` runs too when the compose plugin is available.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
CONFIG_PY = REPO_ROOT / "ingestion" / "config.py"
INIT_SCRIPT = REPO_ROOT / "docker" / "airflow-init.sh"

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
LONG_RUNNING_AIRFLOW = tuple(s for s in AIRFLOW_SERVICES if s != "airflow-init")
EXPECTED_SERVICES = {"airflow-metadata-db", "warehouse-db", "redis", *AIRFLOW_SERVICES}

# Settings config.py reads that need not be set in compose: the code's defaults are right in production too.
NOT_DEPLOYMENT_SETTINGS = ("HTTP_*", "*_RECORDINGS_DIR", "*_TABLES_FILE")

# Environment names whose values are secrets: they must come from ${...} interpolation, never a literal.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|PSEUDONYM_KEY|_TOKEN|API_KEY")
# ${NAME}, ${NAME?msg}, ${NAME:?msg}, or ${NAME:-} for an optional secret; never a default value.
REQUIRED_VAR = re.compile(r"^\$\{[A-Z0-9_]+(:?\?[^}]*|:-)?\}$")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")
URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@]+:(\$\{[^}]*\}|[^@]*)@")


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def url(value: str) -> SplitResult:
    """urlsplit of a URL whose ${...} interpolations (which may hold '?' and ':') are replaced by a placeholder."""
    return urlsplit(INTERPOLATION.sub("interpolated", value))


def volume_targets(service: dict) -> dict[str, str]:
    """Container path -> source, for short ("src:/path[:ro]") and long ({type, source, target}) syntax."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        mounts[target] = source
    return mounts


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}" if pending else line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        keyword, _, args = pending.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    return instructions


def settings_read_by_config() -> set[str]:
    return set(re.findall(r'env\.get\("([A-Z_]+)"', CONFIG_PY.read_text(encoding="utf-8")))


def test_expected_services_exist(services: dict) -> None:
    assert set(services) >= EXPECTED_SERVICES, f"missing: {sorted(EXPECTED_SERVICES - set(services))}"


def test_compose_spec_without_version_key(compose: dict) -> None:
    assert "version" not in compose


def test_airflow_services_share_one_image_and_the_celery_executor(services: dict) -> None:
    images = {services[name].get("image") for name in AIRFLOW_SERVICES}
    assert len(images) == 1 and None not in images, f"Airflow services use different images: {images}"
    for name in AIRFLOW_SERVICES:
        assert environment(services[name]).get("AIRFLOW__CORE__EXECUTOR") == "CeleryExecutor", name


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("airflow-apiserver", "airflow api-server"),
        ("airflow-scheduler", "airflow scheduler"),
        ("airflow-dag-processor", "airflow dag-processor"),
        ("airflow-triggerer", "airflow triggerer"),
        ("airflow-worker", "airflow celery worker"),
    ],
)
def test_airflow_service_commands(services: dict, service: str, command: str) -> None:
    actual = services[service]["command"]
    assert (" ".join(actual) if isinstance(actual, list) else actual) == command


def test_airflow_points_at_its_own_metadata_db_and_redis(services: dict) -> None:
    env = environment(services["airflow-scheduler"])
    assert url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).hostname == "airflow-metadata-db"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert url(env["AIRFLOW__CELERY__RESULT_BACKEND"]).hostname == "airflow-metadata-db"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Europe/Amsterdam"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"


@pytest.mark.parametrize("service", ["airflow-worker", "airflow-scheduler"])
@pytest.mark.parametrize(
    "name", ["WAREHOUSE_URL", "AIRFLOW_CONN_WAREHOUSE", "SOURCE_MODE", "CBS_ODATA_URL", "DROP_DIR", "PSEUDONYM_KEY"]
)
def test_pipeline_settings_reach_worker_and_scheduler(services: dict, service: str, name: str) -> None:
    assert environment(services[service]).get(name), f"{service} lacks {name}"


def test_warehouse_url_points_at_the_warehouse_db(services: dict) -> None:
    env = environment(services["airflow-worker"])
    assert env["WAREHOUSE_URL"] == env["AIRFLOW_CONN_WAREHOUSE"]
    assert url(env["WAREHOUSE_URL"]).scheme == "postgresql"
    assert url(env["WAREHOUSE_URL"]).hostname == "warehouse-db"
    assert env["SOURCE_MODE"] == "${SOURCE_MODE:-live}"


def test_every_deployment_setting_config_reads_is_in_compose(services: dict) -> None:
    read = settings_read_by_config()
    # Guard against the regex silently matching nothing after a refactor of config.py.
    assert {"WAREHOUSE_URL", "SOURCE_MODE", "CBS_ODATA_URL"} <= read, f"config.py parse found only {sorted(read)}"
    deployment = {n for n in read if not any(fnmatch.fnmatchcase(n, p) for p in NOT_DEPLOYMENT_SETTINGS)}
    for service in ("airflow-worker", "airflow-scheduler"):
        missing = deployment - set(environment(services[service]))
        assert not missing, f"{service}: config.py reads {sorted(missing)}; set them in docker-compose.yml"


def _secret_values(services: dict) -> list[tuple[str, str, str]]:
    """(service, name, value) for every value that is, or embeds, a secret."""
    found = []
    for service_name, service in services.items():
        for name, value in environment(service).items():
            if SECRET_NAME.search(name):
                found.append((service_name, name, value))
            if match := URL_PASSWORD.match(value):
                found.append((service_name, f"{name} (URL password)", match.group(1)))
    return found


def test_no_secret_has_a_literal_value(services: dict) -> None:
    secrets = _secret_values(services)
    names = {name for _, name, _ in secrets}
    assert {"PSEUDONYM_KEY", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "POSTGRES_PASSWORD"} <= names
    literal = [(s, n, v) for s, n, v in secrets if not REQUIRED_VAR.match(v)]
    assert not literal, f"secrets must be required ${{VAR:?...}} interpolations, without defaults: {literal}"


def test_airflow_services_wait_for_init_broker_and_metadata_db(services: dict) -> None:
    for name in LONG_RUNNING_AIRFLOW:
        depends_on = services[name].get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        assert depends_on.get("airflow-init", {}).get("condition") == "service_completed_successfully", name
        assert depends_on.get("redis", {}).get("condition") == "service_healthy", name
        assert depends_on.get("airflow-metadata-db", {}).get("condition") == "service_healthy", name
    init_deps = services["airflow-init"]["depends_on"]
    for db in ("airflow-metadata-db", "warehouse-db"):
        assert init_deps[db]["condition"] == "service_healthy"


def test_services_that_others_wait_on_have_healthchecks(services: dict) -> None:
    for name in ("airflow-metadata-db", "warehouse-db", "redis", *LONG_RUNNING_AIRFLOW):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/api/v2/monitor/health" in " ".join(services["airflow-apiserver"]["healthcheck"]["test"])
    scheduler_check = " ".join(services["airflow-scheduler"]["healthcheck"]["test"])
    assert "jobs check --job-type SchedulerJob --local" in scheduler_check


def test_init_migrates_both_databases_and_creates_roles(services: dict) -> None:
    command = " ".join(services["airflow-init"]["command"])
    script = INIT_SCRIPT.read_text(encoding="utf-8") if INIT_SCRIPT.name in command else command
    assert "airflow db migrate" in script
    # The warehouse migrate also creates the role bi_reader and its grants (tests/integration/test_access.py).
    assert "python -m ingestion migrate" in script
    assert "create role bi_reader" in (REPO_ROOT / "ingestion" / "sql" / "access.sql").read_text(encoding="utf-8")


def test_databases_keep_their_data_in_named_volumes(compose: dict, services: dict) -> None:
    for name in ("airflow-metadata-db", "warehouse-db"):
        source = volume_targets(services[name]).get("/var/lib/postgresql/data")
        assert source in (compose.get("volumes") or {}), f"{name}: data not on a named volume"


def test_worker_mounts_drop_folders_and_reports(services: dict) -> None:
    env = environment(services["airflow-worker"])
    mounts = volume_targets(services["airflow-worker"])
    assert env["DROP_DIR"] in mounts, "the drop folders are not mounted in the worker"
    assert env["REPORTS_DIR"] in mounts, "the reports folder is not mounted in the worker"


def test_dockerfile_installs_the_lock_and_does_not_run_as_root() -> None:
    instructions = dockerfile_instructions()
    base = next(args for keyword, args in instructions if keyword == "FROM")
    assert base.startswith("python:3.11") and "slim" in base, base
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    assert any(re.search(r"pip install .*-r \S*requirements\.lock", r) for r in runs), "requirements.lock not installed"
    assert any("pip install --no-deps ." in r for r in runs), "project not installed with --no-deps"
    assert any("postgresql-client" in r for r in runs)
    copied = " ".join(args for keyword, args in instructions if keyword == "COPY")
    for folder in ("dags/", "dbt_project/", "expectations/", "ingestion/", "requirements.lock"):
        assert folder in copied, f"Dockerfile does not copy {folder}"
    users = [args.split(":")[0] for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), f"image runs as {users[-1] if users else 'root'}"
    env = " ".join(args for keyword, args in instructions if keyword == "ENV")
    assert "AIRFLOW_HOME=/opt/airflow" in env


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    lines = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in lines, ".dockerignore should be an allow-list (start by ignoring everything)"
    assert not any(line.startswith("!") and line.lstrip("!").startswith((".local", ".venv", ".git")) for line in lines)


def test_docker_compose_config_validates() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI not installed")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=10)
    if probe.returncode != 0:
        pytest.skip("docker compose plugin not available")
    dummy = {
        name: "x"
        for name in (
            "AIRFLOW_DB_PASSWORD",
            "WAREHOUSE_PASSWORD",
            "AIRFLOW_FERNET_KEY",
            "AIRFLOW_JWT_SECRET",
            "PSEUDONYM_KEY",
        )
    }
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", **dummy},
    )
    assert result.returncode == 0, result.stderr
