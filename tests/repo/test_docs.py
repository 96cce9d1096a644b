"""The runbook and checklists describe what the code does: every `python -m ingestion` command (and option) they name
exists in the CLI, every DAG they name exists, every file they point to is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingestion.__main__ import build_parser
from ingestion.config import PROJECT_ROOT

DOCS = sorted((PROJECT_ROOT / "docs").rglob("*.md"))
DAGS_DIR = PROJECT_ROOT / "dags"
COMMAND = re.compile(r"python -m ingestion ((?:-v )?)([a-z_]+)((?: [^\s`]+)*)", re.M)
# DAG ids the docs name: the first column of the DAG table, and `name` right after "DAG"/"DAGs" or before "'s run".
DAG_REFERENCE = re.compile(r"DAGs? `(\w+)`|`(\w+)`'s run|(?:trigger|clear) `(\w+)`")
TABLE_FIRST_CELL = re.compile(r"^\| (`[^|]+)\|", re.M)


def dag_ids() -> set[str]:
    ids = set()
    for path in DAGS_DIR.glob("*.py"):
        ids |= set(re.findall(r'(?:dag_id=|DAG_ID = )"(\w+)"', path.read_text(encoding="utf-8")))
    assets = (DAGS_DIR / "programmamonitor" / "assets.py").read_text(encoding="utf-8")
    sources = re.search(r"FILE_SOURCES: tuple\[str, \.\.\.\] = \(([^)]*)\)", assets).group(1)
    ids |= {f"source_{s}" for s in re.findall(r'"(\w+)"', sources)}  # source_files.py: dag_id=f"source_{source}"
    return ids


def subcommands() -> dict[str, set[str]]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {name: {o for a in sub._actions for o in a.option_strings} for name, sub in action.choices.items()}


def test_there_are_a_runbook_and_three_checklists() -> None:
    names = {p.relative_to(PROJECT_ROOT / "docs").as_posix() for p in DOCS}
    assert {"runbook.md", "checklists/adding-a-cbs-table.md", "checklists/adding-a-werkplein-column.md",
            "checklists/adding-an-indicator.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_named_exists(doc: Path) -> None:
    commands = subcommands()
    found = COMMAND.findall(doc.read_text(encoding="utf-8"))
    for _, name, rest in found:
        assert name in commands, f"{doc.name}: `python -m ingestion {name}` is no command ({sorted(commands)})"
        for option in re.findall(r"(?<!\S)(--[a-z][\w-]*)", rest):
            assert option in commands[name], f"{doc.name}: `{name}` has no option {option}"
    if doc.name == "runbook.md":
        assert {"doctor", "retention", "cbs", "files", "transform", "summary"} <= {n for _, n, _ in found}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_dag_named_exists(doc: Path) -> None:
    known = dag_ids()
    text = doc.read_text(encoding="utf-8")
    named = {next(g for g in match if g) for match in DAG_REFERENCE.findall(text)}
    if "## The DAGs" in text:
        table = text.split("## The DAGs", 1)[1].split("\n## ", 1)[0]
        named |= {t for cell in TABLE_FIRST_CELL.findall(table) for t in re.findall(r"`(\w+)`", cell)}
    assert named <= known, f"{doc.name} names DAGs that do not exist: {sorted(named - known)}"
    if doc.name == "runbook.md":
        assert named == known, f"the runbook leaves out DAGs: {sorted(known - named)}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_repository_path_named_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:ingestion|dags|dbt_project|expectations|tests|docs)/[\w./-]+?)`", text))
    paths |= {f"dbt_project/{p}" for p in re.findall(r"`((?:seeds|models)/[\w./-]+?)`", text)}
    missing = [p for p in sorted(paths) if "<" not in p and "00N" not in p and not (PROJECT_ROOT / p).exists()]
    assert not missing, f"{doc.name} points to files that do not exist: {missing}"
