"""The bad-input corpus (tests/reliability/corpus/): every file through the loader and validation, as the pipeline
runs them.

For each file: the outcome and a fragment of its reason are what tests/reliability/corpus/expected.yml says; every
data row is accounted for (rows in = rows loaded + rows quarantined; a rejected or failed file counts whole as
quarantined, and must lie unchanged in <drop>/quarantine/); no BSN, and nothing else the file marks personal, reaches
the warehouse, a reason or this output. One line per file is printed (``-s``) and recorded in the reliability ledger.

Each file gets a warehouse of its own (a database costs ~0.1 s): the suites compare a batch with the previous
published batch of its stream, and re-delivery is recognised by checksum, so a shared warehouse would make one
file's outcome depend on the files before it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from ingestion import pipeline
from ingestion.config import ConfigurationError, Settings
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.privacy.bsn import elfproef
from tests.reliability.corpus.make_corpus import GENERATED, SOURCES, corpus_files
from tests.support.ledger import record
from tests.support.privacy import decode
from tests.support.settings import LIVE

CORPUS = Path(__file__).resolve().parent / "corpus"
KEY = "corpus-pseudonym-key-0123456789"
OUTCOMES = ("loaded", "loaded-with-quarantine", "rejected", "failed")
# As tests/support/privacy.py: a number standing on its own (not inside a checksum or a longer number).
NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])")
# The corpus's synthetic BSNs in every shape it writes them: plain, with dots, with a tenth digit.
BSN_SHAPES = re.compile(r"(?<![0-9A-Za-z.])9[0-9]{2}[. ]?[0-9]{3}[. ]?[0-9]{3}[0-9]?(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Case:
    file: str  # <source>/<name>
    outcome: str
    rows_in: int | str
    case: str = ""
    reason: str = ""
    quarantined: int | None = None
    generated: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    must_not_store: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return self.file.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.file.split("/", 1)[1]


def _cases() -> list[Case]:
    with (CORPUS / "expected.yml").open(encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    cases = []
    for file, spec in entries.items():
        spec = {**spec, "must_not_store": tuple(spec.get("must_not_store", ()))}
        cases.append(Case(file=file, **spec))
    return cases


CASES = _cases()


def test_the_corpus_is_what_make_corpus_writes_and_every_file_has_an_expectation() -> None:
    files = corpus_files()
    committed = {f"{s}/{p.name}" for s in SOURCES for p in (CORPUS / s).glob("*")}
    assert committed == set(files), "run `python tests/reliability/corpus/make_corpus.py` and commit the corpus"
    changed = [name for name, data in files.items() if (CORPUS / name).read_bytes() != data]
    assert not changed, f"committed corpus files differ from make_corpus.py: {changed}"
    expected = {c.file for c in CASES if not c.generated}
    assert expected == committed, f"without expectation: {committed - expected}; missing: {expected - committed}"
    for case in CASES:
        assert case.outcome in OUTCOMES, case
        assert case.generated is None or case.generated in GENERATED, case
        assert (case.quarantined is not None) == (case.outcome == "loaded-with-quarantine"), case
        assert case.outcome == "loaded" or case.reason, case
    assert len(CASES) >= 30 and {c.source for c in CASES} == set(SOURCES)


def test_synthetic_bsns_are_elfproef_valid_9_series_only() -> None:
    """The corpus's BSNs: the 9-series of the generator, nothing that could be a real person's number."""
    found = set()
    for name, data in corpus_files().items():
        if name.startswith("werkplein/") and name.endswith(".csv"):
            text, _ = decode(data)
            found |= {n for n in NINE_DIGITS.findall(text.replace(".", "")) if elfproef(n)}
    assert len(found) > 10 and all(n.startswith("9") for n in found)


def test_max_file_bytes_setting() -> None:
    assert Settings.from_env({}).max_file_bytes == 512 << 20
    assert Settings.from_env({"MAX_FILE_BYTES": "1048576"}).max_file_bytes == 1 << 20
    for bad in ("0", "-1", "1MB", ""):
        with pytest.raises(ConfigurationError, match="MAX_FILE_BYTES"):
            Settings.from_env({"MAX_FILE_BYTES": bad})


# --- every file ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus_data_docs")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _facts(url: str, result: dict[str, Any]) -> dict[str, Any]:
    """What the warehouse holds of the file's batch: its raw rows, quarantined rows and reasons, warnings, and all
    text of the raw and audit schemas (for the privacy checks)."""
    batch_id = result["batch_id"]
    with psycopg.connect(url) as conn:
        entity = conn.execute("select entity from audit.load_batch where batch_id = %s", (batch_id,)).fetchone()[0]
        raw = set()
        if conn.execute("select to_regclass(%s)", (f"raw.{entity}",)).fetchone()[0] is not None:
            raw = {r[0] for r in conn.execute(
                f"select distinct row_number from raw.{entity} where batch_id = %s", (batch_id,))}  # noqa: S608
        quarantine = conn.execute(
            "select row_number, column_name, reason, quarantine_path from audit.quarantine where batch_id = %s"
            " order by quarantine_id", (batch_id,)).fetchall()
        warnings = [f"warning {e}({c})" for e, c in conn.execute(
            "select expectation, column_name from audit.validation_result where batch_id = %s and not success"
            " and severity = 'warning' order by 1, 2", (batch_id,))]
        tables = conn.execute("select table_schema, table_name from information_schema.tables"
                              " where table_schema in ('raw', 'audit') order by 1, 2").fetchall()
        text = "\n".join(str(r[0]) for s, t in tables
                         for r in conn.execute(f'select t::text from "{s}"."{t}" as t'))  # noqa: S608
    return {"raw": raw, "quarantine": quarantine, "warnings": warnings, "stored": text}


def _outcome(result: dict[str, Any], facts: dict[str, Any]) -> tuple[str, str]:
    status = result["status"]
    rows = sorted({(n, c or "row", r) for n, c, r, _ in facts["quarantine"] if n is not None})
    if status == "published":
        if rows:
            return "loaded-with-quarantine", "; ".join(f"row {n} {c}: {r}" for n, c, r in rows)
        return "loaded", "; ".join(facts["warnings"])
    return status, result.get("reason") or ""


def _leaks(text: str, case: Case) -> list[str]:
    """BSN-like numbers (9-series, with or without separators, elfproef or not) and must-not-store text."""
    found = [m for m in BSN_SHAPES.findall(text) if case.source == "werkplein"]
    found += [n for n in NINE_DIGITS.findall(text) if elfproef(n)]
    return found + [s for s in case.must_not_store if s in text]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_corpus_file(pg_server_url: str, tmp_path: Path, docs_dir: Path, case: Case) -> None:
    drop = tmp_path / "drop"
    path = drop / case.source / case.name
    path.parent.mkdir(parents=True)
    if case.generated:
        rows_in = GENERATED[case.generated](path)
    else:
        shutil.copyfile(CORPUS / case.file, path)
        rows_in = int(case.rows_in)
    checksum = _sha256(path)

    with throwaway_warehouse(pg_server_url, "pm_corpus") as url:
        cfg = Settings.from_env({"WAREHOUSE_URL": url, "DROP_DIR": str(drop), "PSEUDONYM_KEY": KEY,
                                 **LIVE, "DATA_DOCS_DIR": str(docs_dir), **case.env})
        try:
            [result] = pipeline.validate_files(pipeline.load_files(case.source, str(path), cfg=cfg), cfg=cfg)
        except Exception as exc:
            # A crash is the worst outcome: on record (the message may hold file content, so only its type).
            record("bad_file", case.file, handled=False, outcome=f"crash: {type(exc).__name__}", rows_in=rows_in,
                   rows_loaded=0, rows_quarantined=0)
            raise
        facts = _facts(url, result)

    outcome, reason = _outcome(result, facts)
    quarantined_rows = {n for n, _, _, _ in facts["quarantine"] if n is not None}
    if outcome in ("rejected", "failed"):
        moved = Path(result.get("quarantine_path") or "")
        kept = moved.is_file() and moved.parent == path.parent / "quarantine" and _sha256(moved) == checksum
        # The loader's own account before validation failed it: every row in raw or in quarantine.
        accounted = len(facts["raw"]) + len(quarantined_rows) if outcome == "failed" else rows_in
        rows_loaded, rows_quarantined = 0, rows_in if kept and accounted == rows_in else 0
    else:
        kept = path.is_file()  # a loaded file stays where it was dropped
        rows_loaded, rows_quarantined = len(facts["raw"]), len(quarantined_rows)
    overlap = facts["raw"] & quarantined_rows
    leaks = _leaks(reason, case) + _leaks(facts["stored"], case)
    checks = {
        "outcome": outcome == case.outcome,
        "reason": case.reason in reason,
        "rows": rows_loaded + rows_quarantined == rows_in and not overlap,
        "quarantined": case.quarantined is None or rows_quarantined == case.quarantined,
        "file kept": kept,
        "privacy": not leaks,
    }
    shown = reason if not leaks else "<withheld: it holds personal data>"
    line = (f"{case.file}: {outcome} ({rows_loaded} loaded + {rows_quarantined} quarantined of {rows_in})"
            f"{': ' + shown if shown else ''}")
    failed = [name for name, ok in checks.items() if not ok]
    print(f"{line}  [NOT AS EXPECTED: {', '.join(failed)}]" if failed else line)
    record("bad_file", case.file, handled=all(checks.values()), outcome=f"{outcome}: {shown or 'no warnings'}",
           rows_in=rows_in, rows_loaded=rows_loaded, rows_quarantined=rows_quarantined)

    assert not leaks, f"personal data reached the warehouse or the reason ({len(leaks)} finding(s))"
    assert outcome == case.outcome, f"{case.case}: {outcome}: {reason}"
    assert case.reason in reason, f"{case.case}: expected {case.reason!r} in {reason!r}"
    assert not overlap, f"rows both loaded and quarantined: {sorted(overlap)}"
    assert kept, f"the file is not kept unchanged in quarantine: {result}"
    assert rows_loaded + rows_quarantined == rows_in, (rows_in, rows_loaded, rows_quarantined, result)
    assert case.quarantined is None or rows_quarantined == case.quarantined, (rows_quarantined, facts["quarantine"])
