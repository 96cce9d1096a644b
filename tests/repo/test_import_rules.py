"""The picture of docs/architecture.md holds: every module of `ingestion` is in one room, imports run only in the
directions the rooms table allows (besides the two demo switches it names), no module reaches itself again through
its imports (also through imports inside functions), no private name is imported from another module, and DAG files
import nothing of `ingestion` but its entry points. The rules are read from the document, not repeated here."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from ingestion.config import PROJECT_ROOT

ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"
PACKAGE = PROJECT_ROOT / "ingestion"
DAGS = PROJECT_ROOT / "dags"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the ingestion module imported (a package's __init__ as the package name)
    names: tuple[str, ...]  # the names taken from it (from-imports)
    line: int


def table(text: str, marker: str) -> list[list[str]]:
    """The rows of the first markdown table after ``marker`` in ``text``, cells stripped, without the header."""
    lines = text.split(marker, 1)[1].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not set("".join(cells)) <= set("-: "):
            rows.append(cells)
    return rows[1:]  # without the header


@cache
def rules() -> tuple[dict[str, list[str]], dict[str, set[str]], set[tuple[str, str]], set[str]]:
    """(room -> module patterns, room -> rooms it may import, allowed demo switches, DAG entry points)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rooms, allowed = {}, {}
    for room, modules, may in table(text, "## Rooms and the import direction"):
        rooms[room] = re.findall(r"`([\w.*]+)`", modules)
        allowed[room] = set() if may in ("—", "-", "") else {r.strip() for r in may.split(",")}
    switches = {(m.strip("`"), t.strip("`")) for m, t, _ in table(text, "reaches into `ingestion/dev/`")}
    entry_points = {row[0].strip("`") for row in table(text, "they import these entry points")}
    return rooms, allowed, switches, entry_points


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, module: str) -> list[Import]:
    """Every import of an ``ingestion`` module in the file, at any depth (functions too)."""
    known = package_modules()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names
                      if a.name.split(".")[0] == "ingestion"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "ingestion":
                continue
            names = tuple(a.name for a in node.names)
            # `from ingestion.report import charts` imports the module ingestion.report.charts
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in known]
            found += [Import(module, s, (), node.lineno) for s in submodules]
            rest = tuple(n for n in names if f"{node.module}.{n}" not in known)
            if rest or not submodules:
                found.append(Import(module, node.module, rest, node.lineno))
    return found


def room_of(module: str) -> str | None:
    """The room whose most specific pattern matches the module (``x.*`` matches x and everything under it)."""
    best, best_length = None, -1
    for room, patterns in rules()[0].items():
        for pattern in patterns:
            base = pattern.removesuffix(".*")
            matches = module == base or (pattern.endswith(".*") and module.startswith(base + "."))
            if matches and len(base) > best_length:
                best, best_length = room, len(base)
    return best


def all_imports() -> list[Import]:
    return [i for name, path in package_modules().items() for i in imports_of(path, name)]


def test_the_rules_are_read_from_the_document() -> None:
    rooms, allowed, switches, entry_points = rules()
    assert {"privacy", "core", "file contract", "file sources", "cbs", "registry", "pipeline", "operator",
            "dev"} <= set(rooms)
    assert all(set(may) <= set(rooms) for may in allowed.values()), "a room may import an unknown room"
    assert ("ingestion.http", "ingestion.dev.recorded") in switches
    assert "ingestion.pipeline" in entry_points


@pytest.mark.parametrize("module", sorted(package_modules()))
def test_every_module_is_in_a_room(module: str) -> None:
    assert room_of(module), f"{module} is in no room of docs/architecture.md: add it to the rooms table"


def test_imports_run_only_in_the_allowed_directions() -> None:
    _, allowed, switches, _ = rules()
    wrong = []
    for imp in all_imports():
        source, target = room_of(imp.module), room_of(imp.target)
        if source == target or target in allowed.get(source, set()) or (imp.module, imp.target) in switches:
            continue
        wrong.append(f"{imp.module} ({source}) imports {imp.target} ({target}), line {imp.line}")
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_no_module_reaches_itself_through_its_imports() -> None:
    graph: dict[str, set[str]] = {}
    for imp in all_imports():
        if imp.target != imp.module:
            graph.setdefault(imp.module, set()).add(imp.target)
    circles = set()
    for start in graph:
        stack = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    circles.add(" -> ".join((*path, start)))
                elif nxt not in path and len(path) < 12:
                    stack.append((nxt, (*path, nxt)))
    shortest = sorted(circles, key=len)[:5]
    assert not circles, "import circles:\n" + "\n".join(shortest)


def test_no_private_name_is_imported_from_another_module() -> None:
    private = [f"{i.module} imports {n} from {i.target} (line {i.line})" for i in all_imports() for n in i.names
               if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]
    dag_files = sorted(DAGS.rglob("*.py"))
    private += [f"{module_name(p)} imports {n} from {i.target} (line {i.line})" for p in dag_files
                for i in imports_of(p, module_name(p)) for n in i.names if n.startswith("_") and n != "__version__"]
    assert not private, "private names used across modules (make them public or move the code):\n" + "\n".join(private)


@pytest.mark.parametrize("dag_file", sorted(DAGS.rglob("*.py")), ids=lambda p: p.relative_to(DAGS).as_posix())
def test_dag_files_import_only_the_entry_points(dag_file: Path) -> None:
    entry_points = rules()[3]
    wrong = [f"{i.target} (line {i.line})" for i in imports_of(dag_file, module_name(dag_file))
             if i.target not in entry_points]
    assert not wrong, f"{dag_file.name} imports {wrong}: DAG files may import only {sorted(entry_points)}"


def test_the_rules_catch_what_they_are_for(tmp_path: Path) -> None:
    """The checks fail on the kinds of import they exist for: a file source reaching into the loader, the runtime
    importing an operator tool, a private helper taken across modules."""
    source = tmp_path / "werkplein.py"
    source.write_text("from ingestion.loader import _describe\n\ndef f():\n    from ingestion.operator import doctor\n")
    found = imports_of(source, "ingestion.sources.werkplein")
    _, allowed, _, _ = rules()
    rooms = {(room_of(i.module), room_of(i.target)) for i in found}
    assert ("file sources", "loader") in rooms and "loader" not in allowed["file sources"]
    assert ("file sources", "operator") in rooms and "operator" not in allowed["file sources"]
    assert any(n.startswith("_") for i in found for n in i.names)
