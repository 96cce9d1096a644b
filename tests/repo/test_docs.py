"""The README and the docs describe what the code does: every `python -m ingestion` command (and option) they name
exists in the CLI, every `make` target is in the Makefile, every DAG they name exists, every file they point to is in
the repository, and every link between them leads to a file (and heading) that is there. The README stays short: what
it does not say, a page under docs/ it links to does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingestion.__main__ import build_parser
from ingestion.config import PROJECT_ROOT

DOCS = sorted((PROJECT_ROOT / "docs").rglob("*.md"))
README = PROJECT_ROOT / "README.md"
CHECKED = [README, *DOCS]  # the README is held to the same checks as the docs
README_MAX_LINES = 200
DAGS_DIR = PROJECT_ROOT / "dags"
COMMAND = re.compile(r"python -m ingestion ((?:-v )?)([a-z_]+)((?: [^\s`]+)*)", re.M)
# DAG ids the docs name: the first column of the DAG table, and `name` right after "DAG"/"DAGs" or before "'s run".
DAG_REFERENCE = re.compile(r"DAGs? `(\w+)`|`(\w+)`'s run|(?:trigger|clear) `(\w+)`")
TABLE_FIRST_CELL = re.compile(r"^\| (`[^|]+)\|", re.M)
MODULE = re.compile(r"python -m (ingestion\.[\w.]+)")
MAKE = re.compile(r"`(?:[A-Z_]+=\S+ )*make ([a-z][\w-]*)")
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.M)


def doc_id(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


def prose(path: Path) -> str:
    """The text outside fenced code blocks (where `# ...` is a shell comment, not a heading)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as '-', repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path)):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def links(path: Path) -> list[str]:
    """Relative links of a page (web addresses left out), outside code."""
    targets = LINK.findall(CODE_SPAN.sub("", prose(path)))
    return [t for t in targets if not re.match(r"[a-z][a-z+.-]*:", t)]


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


@pytest.mark.parametrize("doc", CHECKED, ids=doc_id)
def test_every_command_named_exists(doc: Path) -> None:
    commands = subcommands()
    found = COMMAND.findall(doc.read_text(encoding="utf-8"))
    for _, name, rest in found:
        assert name in commands, f"{doc.name}: `python -m ingestion {name}` is no command ({sorted(commands)})"
        for option in re.findall(r"(?<!\S)(--[a-z][\w-]*)", rest):
            assert option in commands[name], f"{doc.name}: `{name}` has no option {option}"
    if doc.name == "runbook.md":
        assert {"doctor", "retention", "cbs", "files", "transform", "summary"} <= {n for _, n, _ in found}


@pytest.mark.parametrize("doc", CHECKED, ids=doc_id)
def test_every_module_and_make_target_named_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for module in MODULE.findall(text):
        path = PROJECT_ROOT / module.replace(".", "/")
        assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), \
            f"{doc_id(doc)}: `python -m {module}`: no such module"
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    named = set(MAKE.findall(text))
    assert named <= targets, f"{doc_id(doc)} names make targets that do not exist: {sorted(named - targets)}"
    if doc == README:
        assert {"run", "test", "test-e2e", "bench"} <= named


@pytest.mark.parametrize("doc", CHECKED, ids=doc_id)
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


@pytest.mark.parametrize("doc", CHECKED, ids=doc_id)
def test_every_repository_path_named_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:ingestion|dags|dbt_project|expectations|tests|docs)/[\w./-]+?)`", text))
    paths |= {f"dbt_project/{p}" for p in re.findall(r"`((?:seeds|models)/[\w./-]+?)`", text)}
    missing = [p for p in sorted(paths) if "<" not in p and "00N" not in p and not (PROJECT_ROOT / p).exists()]
    assert not missing, f"{doc_id(doc)} points to files that do not exist: {missing}"


@pytest.mark.parametrize("doc", CHECKED, ids=doc_id)
def test_every_relative_link_leads_to_a_file_and_heading(doc: Path) -> None:
    broken = []
    for target in links(doc):
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no such heading in {doc_id(path)}")
    assert not broken, f"{doc_id(doc)} has broken links: {broken}"


def test_the_link_checker_reads_links_and_headings_as_github_does(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Rotating the key (`PSEUDONYM_KEY`)\n\n## First: what is wrong?\n\n## Notes\n\n## Notes\n\n"
                    "```bash\n# a shell comment\n[not](a-link.md)\n```\n\n"
                    "See [a](other.md#x), [b](#notes-1), [web](https://example.org) and `[code](no.md)`.\n",
                    encoding="utf-8")
    assert anchors(page) == {"rotating-the-key-pseudonym_key", "first-what-is-wrong", "notes", "notes-1"}
    assert links(page) == ["other.md#x", "#notes-1"]
    assert "docs/README.md" in links(README)


def test_the_readme_fits_on_a_screen_or_two() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to a page under docs/ and link it"


def test_every_doc_is_reachable_from_the_readme() -> None:
    reached, todo = set(), [README]
    while todo:
        page = todo.pop()
        if page in reached:
            continue
        reached.add(page)
        for target in links(page):
            path = (page.parent / target.partition("#")[0]).resolve()
            if path.suffix == ".md" and path.is_file():
                todo.append(path)
    unreached = [doc_id(p) for p in DOCS if p.resolve() not in reached]
    assert not unreached, f"no chain of links from README.md leads to {unreached}"


NOTES = sorted(p for folder in ("ingestion", "dbt_project", "expectations", "tests") for p in
               (PROJECT_ROOT / folder).rglob("*.md") if not {"target", "dbt_packages"} & set(p.parts))
RELATIVE_PATH = re.compile(r"`(\.\.?/[\w./-]+)`")


@pytest.mark.parametrize("note", NOTES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_notes_beside_the_code_point_to_what_exists(note: Path) -> None:
    """The READMEs and evidence files beside the code (a moved folder leaves their relative paths behind). Paths
    under docs/ or tests/ are left out: the evidence files cite those of other repositories."""
    text = note.read_text(encoding="utf-8")
    targets = [*links(note), *RELATIVE_PATH.findall(text)]
    paths = set(re.findall(r"`((?:ingestion|dags|dbt_project|expectations)/[\w./-]+?)`", text))
    missing = [t for t in targets if not (note.parent / t.partition("#")[0]).exists()]
    missing += [p for p in sorted(paths) if "<" not in p and not (PROJECT_ROOT / p).exists()]
    assert not missing, f"{note.relative_to(PROJECT_ROOT)} points to what does not exist: {missing}"
