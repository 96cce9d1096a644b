"""The settings factory of the tests: ``Settings`` for a warehouse of the test's own in demo mode (recorded CBS
responses), its local folder (dbt target, Data Docs) under the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

from ingestion.config import PACKAGE_DIR, Settings

RECORDINGS = PACKAGE_DIR / "dev" / "recordings" / "cbs"
# Live mode as the file tests use it: the files a test writes are loaded at once (no FILE_SETTLE_SECONDS wait).
LIVE = {"SOURCE_MODE": "live", "FILE_SETTLE_SECONDS": "0"}


def settings_for(url: str, tmp_path: Path, recordings: Path = RECORDINGS) -> Settings:
    """Settings for the warehouse at ``url``: SOURCE_MODE=recorded over ``recordings`` (the package's by default, or
    a test's edited copy), PROGRAMMAMONITOR_LOCAL_DIR under ``tmp_path``."""
    return Settings.from_env({"WAREHOUSE_URL": url, "SOURCE_MODE": "recorded", "CBS_RECORDINGS_DIR": str(recordings),
                              "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local")})
