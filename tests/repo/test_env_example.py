""".env.example lists exactly the environment variables the code reads, each with a comment: a new setting without
documentation fails here, and so does documentation of a setting that is gone."""

from __future__ import annotations

import re
from pathlib import Path

from ingestion.config import PROJECT_ROOT

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
# Where settings are read: the package, the DAGs, the benchmarks and their development machinery, the test fixtures
# (TEST_WAREHOUSE_URL).
CODE = [*sorted((PROJECT_ROOT / "ingestion").rglob("*.py")), *sorted((PROJECT_ROOT / "dags").rglob("*.py")),
        *sorted((PROJECT_ROOT / "bench").rglob("*.py")),
        PROJECT_ROOT / "tests" / "conftest.py"]
# env.get("X"), os.environ.get("X"), os.getenv("X"), os.environ["X"] (read, not assigned).
READ = re.compile(r"""(?:\benv\.get|environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
                  r"""|environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\](?!\s*=[^=])""")
# docker-compose.yml's ${NAME}, ${NAME:-default}, ${NAME:?message}; $${NAME} is the container shell's, not ours.
COMPOSE = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")
LISTED = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.M)


def names_read() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in CODE:
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), str(path.relative_to(PROJECT_ROOT)))
    for name in COMPOSE.findall((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")):
        found.setdefault(name, "docker-compose.yml")
    return found


def test_the_collector_sees_the_known_reads() -> None:
    read = names_read()
    for name in ("WAREHOUSE_URL", "PSEUDONYM_KEY", "DBT_PROJECT_DIR", "PROGRAMMAMONITOR_REFRESH_DEADLINE",
                 "AIRFLOW_FERNET_KEY", "TEST_WAREHOUSE_URL", "RAW_RETENTION_MONTHS"):
        assert name in read, name
    assert "HOSTNAME" not in read  # $${HOSTNAME} in a healthcheck is the container's


def test_env_example_lists_exactly_the_settings_the_code_reads() -> None:
    listed = LISTED.findall(ENV_EXAMPLE.read_text(encoding="utf-8"))
    read = names_read()
    undocumented = {name: where for name, where in read.items() if name not in listed}
    assert not undocumented, f"read by the code but not in .env.example: {undocumented}"
    assert not set(listed) - set(read), f"in .env.example but read nowhere: {sorted(set(listed) - set(read))}"
    assert len(listed) == len(set(listed)), "a setting is listed twice"


def test_every_setting_has_a_comment_and_no_secret_has_a_value() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = LISTED.match(line)
        if not match:
            continue
        # The comment above a group of settings (e.g. the three HTTP_* lines) covers the group.
        above = next(lines[j] for j in range(i - 1, -1, -1) if not LISTED.match(lines[j]))
        assert above.startswith("# ") and len(above) > 10, f"{match.group(1)} has no comment above it"
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", "\n".join(lines), re.M))
    for secret in ("PSEUDONYM_KEY", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET"):
        assert values.get(secret, "") == "", f"{secret} must be empty in the example"
    assert ".env" in Path(PROJECT_ROOT / ".gitignore").read_text().splitlines(), ".env (secrets) must be ignored by git"
