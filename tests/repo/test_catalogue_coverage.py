"""Every CBS-fed indicator in the catalogue is computed from a configured CBS series, or says why not."""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.config import Settings
from ingestion.sources.cbs.contract import formula_problems
from ingestion.sources.cbs.table_config import measure_kinds

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# CBS-fed in the catalogue, but no CBS table can feed them yet, each with the reason (also in the issue notes).
NOT_YET_FED: dict[str, str] = {
    "ep_werkloosheidspercentage": (
        "published per gemeente only in 'Arbeidsdeelname; regionale indeling' (84703NED .. 86088NED), whose keys were "
        "seen nowhere; the binding-arbeidsmarkt tables have no beroepsbevolking to divide by "
        "(cbs_evidence/werkloosheid_leads.md)"
    ),
    "ea_beroepsbevolking_ontwikkeling": (
        "werkzame, werkloze and niet-beroepsbevolking (x 1 000) per gemeente are in the regionale-indeling and "
        "binding-arbeidsmarkt tables, none of whose keys is verified (cbs_evidence/werkloosheid_leads.md)"
    ),
    "ea_onbenut_arbeidspotentieel": (
        "CBS publishes onbenut arbeidspotentieel per gemeente only as maatwerk, not in a StatLine table "
        "(cbs_evidence/86008NED.md S10)"
    ),
    "zorg_jeugdhulp_clienten_0_17": (
        "85098NED gives the share of under-18s with jeugdhulp in natura (%), not a number of clients; 85099NED counts "
        "ages 0-22 without an age split, and of 85100NED (with the age classes) no key or code was seen "
        "(cbs_evidence/50150NED.md, part B)"
    ),
    "veil_vm_sociale_overlast_veel_pct": (
        "no 'veel sociale overlast' topic is known in 85146NED; EenOfMeerVormenVanSocialeOverlast_34 may mean "
        "'komt voor' (cbs_evidence/85146NED.md)"
    ),
    "veil_vm_fysieke_verloedering_veel_pct": (
        "no 'veel fysieke verloedering' topic is known in 85146NED; EenOfMeerVormenFysiekeVerloedering_26 is "
        "unverified in meaning and unit (cbs_evidence/85146NED.md)"
    ),
    "veil_vm_totaal_overlast_veel_pct": (
        "no 'veel overlast' topic is known in 85146NED; ErvaartEenOfMeerVormenVanOverlast_21 ('ervaart overlast') "
        "is another question (cbs_evidence/85146NED.md)"
    ),
}


def read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_cbs_fed_indicator_has_a_formula_or_a_reason() -> None:
    cbs_fed = {r["indicator_code"] for r in read("indicator_catalogue.csv") if r["source_system"] == "cbs"}
    with_formula = {r["indicator_code"] for r in read("indicator_formula.csv")}
    assert cbs_fed - with_formula == set(NOT_YET_FED)


def test_every_formula_reads_configured_measures_of_the_right_kind() -> None:
    """Each formula's measures are configured, and a ratio divides counts, never a percentage or a score."""
    codes = {r["indicator_code"] for r in read("indicator_catalogue.csv")}
    formulas = read("indicator_formula.csv")
    assert {f["indicator_code"] for f in formulas} <= codes
    assert formula_problems(measure_kinds(Settings.from_env({})), formulas) == []
    primaries = {}
    for formula in read("indicator_formula.csv"):
        primaries.setdefault(formula["indicator_code"], 0)
        primaries[formula["indicator_code"]] += formula["is_primary_measure"] == "true"
    assert set(primaries.values()) == {1}, "each indicator needs exactly one primary measure"
