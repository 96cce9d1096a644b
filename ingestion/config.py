"""Settings read from the environment, in one place.

Every setting the code reads is named here (and in docs/configuration.md's table); nothing else reads
``os.environ`` for configuration. Tests override settings by setting environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

SOURCE_MODES = ("recorded", "live")
# What raw retention keeps of a batch older than RAW_RETENTION_MONTHS (ingestion/operator/retention.py).
RETENTION_KEEPS = ("in_use", "published")
DEFAULT_MAX_FILE_BYTES = 512 << 20


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; the message says which one and how to fix it."""


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None
    source_mode: str
    cbs_odata_url: str
    cbs_odata_v4_url: str
    cbs_recordings_dir: Path
    cbs_tables_file: Path
    dbt_project_dir: Path
    expectations_dir: Path
    local_dir: Path
    drop_dir: Path
    data_docs_dir: Path
    reports_dir: Path
    pseudonym_key: str | None = field(repr=False)  # secrets: never in a repr (a log line, a traceback)
    http_timeout_seconds: float
    http_retries: int
    http_backoff_seconds: float
    alert_connection_id: str
    bi_login_name: str
    bi_login_password: str | None = field(repr=False)
    small_number_threshold: int
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    file_settle_seconds: int = 0
    raw_retention_months: int = 0
    raw_retention_keep: str = "in_use"
    min_free_disk_gb: float = 2.0
    # CBS's second catalogue: tables CBS publishes for others (politie, RIVM), the same OData v3 API on another host
    cbs_dataderden_url: str = "https://dataderden.cbs.nl"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        mode = env.get("SOURCE_MODE", "recorded").strip().lower()
        if mode not in SOURCE_MODES:
            raise ConfigurationError(f"SOURCE_MODE={mode!r} is not one of {', '.join(SOURCE_MODES)}")
        local_dir = Path(env.get("PROGRAMMAMONITOR_LOCAL_DIR", PROJECT_ROOT / ".local"))
        threshold = env.get("SMALL_NUMBER_THRESHOLD", "10").strip()
        if not threshold.isdigit() or int(threshold) < 1:
            raise ConfigurationError(f"SMALL_NUMBER_THRESHOLD={threshold!r} is not a whole number >= 1")
        max_file_bytes = env.get("MAX_FILE_BYTES", str(DEFAULT_MAX_FILE_BYTES)).strip()
        if not max_file_bytes.isdigit() or int(max_file_bytes) < 1:
            raise ConfigurationError(f"MAX_FILE_BYTES={max_file_bytes!r} is not a whole number of bytes >= 1")
        # A live drop folder is written by other systems (SFTP, a share): a file changed this recently may still be
        # being written. The bundled demo files are copied in whole, so demo mode need not wait.
        settle = (env.get("FILE_SETTLE_SECONDS") or ("60" if mode == "live" else "0")).strip()  # empty: the default
        if not settle.isdigit():
            raise ConfigurationError(f"FILE_SETTLE_SECONDS={settle!r} is not a whole number of seconds (0 = no wait)")
        retention_months = env.get("RAW_RETENTION_MONTHS", "0").strip() or "0"
        if not retention_months.isdigit():
            raise ConfigurationError(f"RAW_RETENTION_MONTHS={retention_months!r} is not a whole number of months "
                                     "(0 = keep every batch)")
        retention_keep = env.get("RAW_RETENTION_KEEP", "in_use").strip().lower()
        if retention_keep not in RETENTION_KEEPS:
            raise ConfigurationError(
                f"RAW_RETENTION_KEEP={retention_keep!r} is not one of {', '.join(RETENTION_KEEPS)}"
            )
        return cls(
            # WAREHOUSE_URL wins; under Airflow the same URL may come as the connection AIRFLOW_CONN_WAREHOUSE.
            warehouse_url=env.get("WAREHOUSE_URL") or env.get("AIRFLOW_CONN_WAREHOUSE") or None,
            source_mode=mode,
            cbs_odata_url=env.get("CBS_ODATA_URL", "https://opendata.cbs.nl").rstrip("/"),
            cbs_odata_v4_url=env.get("CBS_ODATA_V4_URL", "https://datasets.cbs.nl/odata/v1/CBS").rstrip("/"),
            cbs_dataderden_url=env.get("CBS_DATADERDEN_URL", "https://dataderden.cbs.nl").rstrip("/"),
            cbs_recordings_dir=Path(env.get("CBS_RECORDINGS_DIR", PACKAGE_DIR / "dev" / "recordings" / "cbs")),
            cbs_tables_file=Path(env.get("CBS_TABLES_FILE", PACKAGE_DIR / "config" / "cbs_tables.yml")),
            # Installed as a package (the Docker image) the code is not beside these folders: say where they are.
            dbt_project_dir=Path(env.get("DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project")),
            expectations_dir=Path(env.get("EXPECTATIONS_DIR", PROJECT_ROOT / "expectations")),
            local_dir=local_dir,
            # One folder per file source below it (uwv/, kennispunt/, werkplein/, handmatig/), each with a quarantine/.
            drop_dir=Path(env.get("DROP_DIR", local_dir / "drop")),
            # HMAC key for BSN pseudonyms; a secret. Without it only demo mode (SOURCE_MODE=recorded) loads files.
            pseudonym_key=env.get("PSEUDONYM_KEY") or None,
            # GX validation results and the Data Docs site rendered from them (site/index.html).
            data_docs_dir=Path(env.get("DATA_DOCS_DIR", local_dir / "data_docs")),
            # The programme report (ingestion/report): a static folder, rewritten after every publish.
            reports_dir=Path(env.get("REPORTS_DIR", local_dir / "reports")),
            http_timeout_seconds=float(env.get("HTTP_TIMEOUT_SECONDS", "60")),
            http_retries=int(env.get("HTTP_RETRIES", "5")),
            http_backoff_seconds=float(env.get("HTTP_BACKOFF_SECONDS", "2")),
            # Airflow connection the failure alerts go to (ingestion/alerts.py); its conn_type picks the channel.
            alert_connection_id=env.get("ALERT_CONNECTION_ID", "programmamonitor_alerts").strip(),
            # A login role for the dashboards, member of bi_reader (read-only on the marts); `migrate` creates it, or
            # sets its password, only when the password is given.
            bi_login_name=env.get("BI_LOGIN_NAME", "bi_dashboard").strip(),
            bi_login_password=env.get("BI_LOGIN_PASSWORD") or None,
            # Werkplein counts (personal data) below this are suppressed in the marts (dbt var small_number_threshold).
            small_number_threshold=int(threshold),
            # A dropped file larger than this (or an XLSX unpacking to more) is rejected unread.
            max_file_bytes=int(max_file_bytes),
            # A file modified less than this many seconds ago is postponed to the next run (still being written?).
            file_settle_seconds=int(settle),
            # Raw retention (ingestion/operator/retention.py, DAG raw_retention): batches older than this many
            # months lose their rows unless kept (0 = keep everything); in_use = only what the marts and staging still
            # read, published = every published batch, superseded ones too.
            raw_retention_months=int(retention_months),
            raw_retention_keep=retention_keep,
            # `doctor` fails below this much free disk (GiB) under the drop folders, dbt target and Data Docs.
            min_free_disk_gb=float(env.get("MIN_FREE_DISK_GB", "2")),
        )

    @property
    def bi_login(self) -> tuple[str, str] | None:
        return (self.bi_login_name, self.bi_login_password) if self.bi_login_password else None

    def require_warehouse_url(self) -> str:
        if not self.warehouse_url:
            raise ConfigurationError(
                "No warehouse configured: set WAREHOUSE_URL (a libpq URL such as "
                "postgresql://user@127.0.0.1:5432/programmamonitor), or run through `make run`, "
                "which starts the embedded PostgreSQL and sets it."
            )
        return self.warehouse_url

    @cached_property
    def cbs_tables(self) -> dict:
        with self.cbs_tables_file.open(encoding="utf-8") as f:
            return yaml.safe_load(f)


def settings() -> Settings:
    """Fresh settings on every call, so tests (and Airflow tasks) see the current environment."""
    return Settings.from_env()
