"""The dbt project's one layout rule (dbt_project.yml says it): intermediate models by subject, named after it,
documented and unit-tested in one yml per subject, materialized per folder; marts' yml per subject; every model
described. Reads the files only (no dbt, no warehouse)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"


def _yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def test_intermediate_models_are_named_after_their_subject_folder() -> None:
    wrong = []
    for sql in sorted((MODELS / "intermediate").rglob("*.sql")):
        parts = sql.relative_to(MODELS / "intermediate").parts
        if len(parts) < 2 or not re.fullmatch(rf"int_{parts[0]}__[a-z0-9_]+", sql.stem):
            wrong.append(str(sql.relative_to(MODELS)))
    assert not wrong, f"not intermediate/<subject>/.../int_<subject>__<entity>.sql: {wrong}"


def test_staging_models_are_named_after_their_source_folder() -> None:
    wrong = [str(p.relative_to(MODELS)) for p in sorted((MODELS / "staging").rglob("*.sql"))
             if not re.fullmatch(rf"stg_{p.parent.name}__[a-z0-9_]+", p.stem)]
    assert not wrong, f"not staging/<source>/stg_<source>__<entity>.sql: {wrong}"


def test_yml_files_follow_the_rule() -> None:
    expected = {
        "staging": r"_{folder}__(models|sources|unit_tests)\.yml",
        "intermediate": r"_int_{folder}__(models|unit_tests)\.yml",
        "marts": r"_marts_[a-z_]+?__(models|unit_tests)\.yml|_marts__exposures\.yml",
    }
    wrong = []
    for path in sorted(MODELS.rglob("*.yml")):
        layer, *rest = path.relative_to(MODELS).parts
        folder = rest[0] if len(rest) > 1 else layer
        if len(rest) > 2 or not re.fullmatch(expected[layer].format(folder=folder), path.name):
            wrong.append(str(path.relative_to(MODELS)))
    assert not wrong, f"yml files off the rule (dbt_project.yml): {wrong}"


def test_every_model_has_a_description_in_its_subjects_yml() -> None:
    described: dict[str, Path] = {}
    for path in MODELS.rglob("*__models.yml"):
        for model in _yml(path).get("models", []):
            if str(model.get("description") or "").strip():
                described[model["name"]] = path
    models = sorted(MODELS.rglob("*.sql"))
    assert not [p.stem for p in models if p.stem not in described], "models without a description"
    # an intermediate model's docs are in its own subject's yml
    for sql in (MODELS / "intermediate").rglob("*.sql"):
        subject = sql.relative_to(MODELS / "intermediate").parts[0]
        assert described[sql.stem] == MODELS / "intermediate" / subject / f"_int_{subject}__models.yml", sql.stem


def test_materialization_is_set_per_folder_not_per_model() -> None:
    overriding = [str(p.relative_to(MODELS)) for p in sorted(MODELS.rglob("*.sql"))
                  if re.search(r"config\([^)]*materialized", p.read_text(encoding="utf-8"))]
    assert not overriding, f"set the materialization in dbt_project.yml (per folder): {overriding}"
    for path in MODELS.rglob("*.yml"):
        for model in _yml(path).get("models", []):
            assert "materialized" not in (model.get("config") or {}), (path.name, model["name"])
