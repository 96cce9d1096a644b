"""docs/checklists/adding-a-cbs-table.md, followed step by step: a CBS table the warehouse never loaded (83648NED,
Geregistreerde criminaliteit) adds CBS's own count of registered crimes as a second measure of a catalogue indicator
(veil_misdrijven, whose primary measure comes from the politie table 47018NED) with configuration, a recorded
response and a seed row only — in copies pointed to by settings, no code changed — through the same commands an
operator runs: `python -m ingestion cbs <table>` then `python -m ingestion transform`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from ingestion.config import PACKAGE_DIR, PROJECT_ROOT

TABLE_ID = "83648NED"
INDICATOR = "veil_misdrijven"
MEASURE = "geregistreerde_misdrijven_cbs"
RECORDED = Path(__file__).parent / "fixtures" / "cbs_new_table"

# Step 1 of the checklist: the table as a new series in cbs_tables.yml.
SERIES_YAML = f"""
  geregistreerde_criminaliteit:
    title: Geregistreerde criminaliteit; soort misdrijf, regio
    api: v3
    regions: twente_en_nederland
    period_grain: year
    fixed_dimensions: {{SoortMisdrijf: T001161}}  # totaal misdrijven
    value_range: [0, null]
    editions:
      {TABLE_ID}:
        measures:
          TotaalGeregistreerdeMisdrijven_1: {{measure: {MEASURE}, kind: count}}
"""
# Step 3: the indicator's formula row (a count as published: no denominator, multiplier 1; not the primary measure).
FORMULA_ROW = f"{INDICATOR},{MEASURE},false,geregistreerde_criminaliteit,{MEASURE},,,1\n"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingestion", *args], env=env, capture_output=True, text=True,
                          timeout=900)


def test_a_new_cbs_table_reaches_the_marts_with_configuration_only(fresh_warehouse_url: str, tmp_path: Path) -> None:
    # The copies an operator's change would be made in (here: temporary, pointed to by settings).
    tables_file = tmp_path / "cbs_tables.yml"
    shutil.copy(PACKAGE_DIR / "config" / "cbs_tables.yml", tables_file)
    recordings = tmp_path / "recordings"
    shutil.copytree(PACKAGE_DIR / "dev" / "recordings" / "cbs", recordings)
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    assert TABLE_ID not in tables_file.read_text() and MEASURE not in (project / "seeds" / "indicator_formula.csv"
                                                                       ).read_text()

    # 1. configuration, 2. the recorded response in the recordings layout, 3. the formula seed row.
    with tables_file.open("a", encoding="utf-8") as f:
        f.write(SERIES_YAML)
    shutil.copytree(RECORDED / "v3" / TABLE_ID, recordings / "v3" / TABLE_ID)
    with (project / "seeds" / "indicator_formula.csv").open("a", encoding="utf-8") as f:
        f.write(FORMULA_ROW)

    env = {**os.environ, "WAREHOUSE_URL": fresh_warehouse_url, "SOURCE_MODE": "recorded",
           "CBS_TABLES_FILE": str(tables_file), "CBS_RECORDINGS_DIR": str(recordings),
           "DBT_PROJECT_DIR": str(project), "PROGRAMMAMONITOR_LOCAL_DIR": str(tmp_path / "local"),
           "DATA_DOCS_DIR": str(tmp_path / "data_docs"), "DROP_DIR": str(tmp_path / "drop")}

    # 4. load and validate the table; 5. build and publish the marts.
    loaded = cli(env, "cbs", TABLE_ID)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    batch = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert batch["status"] == "published", batch
    built = cli(env, "transform")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]

    # 6. the proof: the indicator has values and a status, and counts as fed.
    recorded = {
        row["Perioden"]: row["TotaalGeregistreerdeMisdrijven_1"]
        for row in json.loads((RECORDED / "v3" / TABLE_ID / "TypedDataSet.json").read_text())["value"]
        if row["RegioS"] == "GM0141"
    }
    with psycopg.connect(fresh_warehouse_url) as conn:
        values = dict(conn.execute(
            "select period_code, value from marts.fct_indicator_value where indicator_code = %s"
            " and measure_code = %s and gemeentecode = 'GM0141' and value_source = 'computed'"
            " and source_system = 'cbs'",
            (INDICATOR, MEASURE),
        ).fetchall())
        status = conn.execute(
            "select status from marts.programme_indicator_status where indicator_code = %s and gemeentecode = 'GM0141'",
            (INDICATOR,),
        ).fetchone()
        feed = conn.execute("select feed from marts.dim_indicator where indicator_code = %s", (INDICATOR,)).fetchone()
        peers = conn.execute(
            "select count(distinct gemeentecode) from marts.fct_indicator_value where indicator_code = %s"
            " and measure_code = %s", (INDICATOR, MEASURE),
        ).fetchone()[0]
    assert {k: float(v) for k, v in values.items()} == {k: float(v) for k, v in recorded.items()}
    assert status is not None and status[0] in ("behaald", "op koers", "achter", "niet te beoordelen")
    assert feed == ("automatisch",)
    assert peers >= 15  # Almelo, the other Twente gemeenten and Nederland, as configured
    # Nothing in the checkout changed: the new table lives only in the copies.
    assert TABLE_ID not in (PACKAGE_DIR / "config" / "cbs_tables.yml").read_text()
    assert MEASURE not in (PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_formula.csv").read_text()
