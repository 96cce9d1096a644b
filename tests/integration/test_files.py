"""The file sources end to end against a real PostgreSQL: samples in every dialect, bad input, re-delivery, privacy."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import psycopg
import pytest

from ingestion.config import Settings
from ingestion.dev.generate import generate_werkplein
from ingestion.files.drop import load_path
from ingestion.privacy.bsn import elfproef
from ingestion.warehouse import connect
from tests.support.privacy import bsns_in, decode, nine_digit_numbers
from tests.support.settings import LIVE

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "ingestion" / "dev" / "samples"
KEY = "test-pseudonym-key-0123456789"
SAMPLE_FILES = sorted(p.relative_to(SAMPLES) for p in SAMPLES.glob("*/*.csv"))
RAW_TABLE = {"uwv": "uwv_spanningsindicator", "kennispunt": "kennispunt_waarde", "handmatig": "handmatig_waarde"}


def _settings(url: str, drop: Path, **extra: str) -> Settings:
    return Settings.from_env({"WAREHOUSE_URL": url, "DROP_DIR": str(drop), "PSEUDONYM_KEY": KEY,
                              **LIVE, **extra})


def _load(url: str, drop: Path, source: str, path: Path | None = None) -> list[dict]:
    with connect(url) as conn:
        return [o.as_dict() for o in load_path(conn, _settings(url, drop), source, path)]


def _raw_rows(url: str, table: str, batch_id: int) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(f"select * from raw.{table} where batch_id = %s order by 2, 3", (batch_id,))  # noqa: S608
        names = [d.name for d in cur.description]
        return [tuple(v for n, v in zip(names, row, strict=True) if n != "batch_id") for row in cur]


# --- variants of a sample: the other encoding, and XLSX ------------------------------------------------------------


def _other_encoding(source: Path, target: Path) -> str:
    text, encoding = decode(source.read_bytes())
    other = "cp1252" if encoding == "utf-8-sig" else "utf-8-sig"  # plain ASCII in cp1252 would be the same bytes
    target.write_bytes(text.encode(other))
    return other


def _as_xlsx(source: Path, target: Path) -> None:
    """What a spreadsheet export of the sample looks like: numbers as numbers, the rest as text."""
    text, _ = decode(source.read_bytes())
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    decimal = "," if delimiter == ";" else "."
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        cells: list[object] = []
        for cell in row:
            value: object = cell or None
            if number and cell and re.fullmatch(r"-?\d+([.,]\d+)?", cell):
                try:
                    parsed = Decimal(cell.replace(decimal, ".")) if decimal in cell or cell.isdigit() else None
                except InvalidOperation:
                    parsed = None
                if parsed is not None:
                    value = int(parsed) if parsed == parsed.to_integral() and "." not in cell and "," not in cell \
                        else float(parsed)
            cells.append(value)
        sheet.append(cells)
    workbook.save(target)


@pytest.mark.parametrize("variant", ["other encoding", "xlsx"])
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=str)
def test_every_sample_loads_in_both_encodings_and_both_file_types(
    fresh_warehouse_url: str, tmp_path: Path, sample: Path, variant: str
) -> None:
    source = sample.parts[0]
    original = tmp_path / "original" / source / sample.name
    original.parent.mkdir(parents=True)
    shutil.copy(SAMPLES / sample, original)
    [first] = _load(fresh_warehouse_url, tmp_path / "original", source, original)
    assert first["status"] == "loaded" and first["rows_quarantined"] == 0, first

    # Another name (a suffix the contract allows), so the loader does not see it as the same delivery re-sent.
    other = tmp_path / "variant" / source / f"{sample.stem}_variant{sample.suffix}"
    other.parent.mkdir(parents=True)
    if variant == "other encoding":
        _other_encoding(SAMPLES / sample, other)
    else:
        other = other.with_suffix(".xlsx")
        _as_xlsx(SAMPLES / sample, other)
    [second] = _load(fresh_warehouse_url, tmp_path / "variant", source, other)
    assert second["status"] == "loaded" and second["rows_quarantined"] == 0, second
    assert second["rows_loaded"] == first["rows_loaded"] > 0
    table = RAW_TABLE[source]
    assert _raw_rows(fresh_warehouse_url, table, second["batch_id"]) == _raw_rows(
        fresh_warehouse_url, table, first["batch_id"]
    )


def test_sample_specifics_land_as_the_contract_says(fresh_warehouse_url: str, tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "drop", ignore=shutil.ignore_patterns("*.md"))
    for source in ("uwv", "kennispunt"):
        assert {o["status"] for o in _load(fresh_warehouse_url, tmp_path / "drop", source)} == {"loaded"}
    with psycopg.connect(fresh_warehouse_url) as conn:
        suppressed = conn.execute(
            "select waarde, suppressed_as from raw.kennispunt_waarde where is_suppressed").fetchall()
        assert suppressed and all(w is None and s == "<10" for w, s in suppressed)  # never 0, never 10
        periods = {r[0] for r in conn.execute("select distinct period_code from raw.uwv_spanningsindicator")}
        assert periods == {"2022KW04", "2023KW01"}
        empty_typering = conn.execute(
            "select count(*) from raw.uwv_spanningsindicator where typering is null").fetchone()[0]
        assert empty_typering == 1  # kept empty in raw; staging derives it from the bands
        extra = conn.execute("select extra ->> 'Toelichting' from raw.uwv_spanningsindicator"
                             " where extra ? 'Toelichting' limit 1").fetchone()
        assert extra is not None  # extra columns are kept in raw
        header = conn.execute("select distinct indicator from raw.kennispunt_waarde where indicator like 'Vest%'"
                              ).fetchone()[0]
        assert header == "Vestigingen (één of meer werkzame personen)"  # Windows-1252 decoded right


# --- Werkplein: generated exports, bad input -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def werkplein_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("werkplein_export")
    summary = generate_werkplein(folder, scale=0.05, months=6, end="2024-06", seed=7, gemeentecode="0141")
    return folder, summary


def test_generated_werkplein_months_load_in_every_dialect(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict]
) -> None:
    folder, summary = werkplein_export
    drop = tmp_path / "drop"
    shutil.copytree(folder, drop / "werkplein")
    outcomes = _load(fresh_warehouse_url, drop, "werkplein")
    assert len(outcomes) == summary["files"] == 18
    assert all(o["status"] == "loaded" and o["rows_quarantined"] == 0 for o in outcomes)
    with psycopg.connect(fresh_warehouse_url) as conn:
        counts = dict(conn.execute(
            "select entity, sum(row_count) from audit.load_batch group by entity").fetchall())
        dialects = {r[0] for r in conn.execute(
            "select distinct request_params -> 'dialect' ->> 'encoding' from audit.load_batch")}
        persons, rows = conn.execute(
            "select count(distinct persoon_pseudoniem), count(*) from raw.werkplein_uitkering").fetchone()
    assert counts == {"werkplein_uitkering": summary["rows"]["uitkeringen"],
                      "werkplein_voorziening": summary["rows"]["voorzieningen"],
                      "werkplein_activiteit": summary["rows"]["activiteiten"]}
    # The Windows-1252 months are pure ASCII (the contract's columns hold no free text), so they read as UTF-8;
    # None: the XLSX months.
    assert dialects == {"utf-8-sig", "utf-8", None}
    assert persons < rows / 3  # the same person keeps the same pseudonym month after month


def _uitkeringen_csv(werkplein_export: tuple[Path, dict]) -> Path:
    folder, _ = werkplein_export
    return next(p for p in sorted(folder.glob("werkplein_uitkeringen_*.csv")) if p.name.endswith("202402.csv"))


def _edit(source: Path, target: Path, edit) -> Path:
    """Rewrite a Werkplein CSV (UTF-8 with BOM, ';') with edit(rows) applied; returns the target."""
    text, encoding = decode(source.read_bytes())
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    rows = edit(rows)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue().encode(encoding))
    return target


def _set_cell(row_index: int, column: str, value: str):
    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[row_index][rows[0].index(column)] = value
        return rows

    return edit


def _quarantine(url: str, batch_id: int) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select row_number, column_name, value, reason, quarantine_path from audit.quarantine"
            " where batch_id = %s order by quarantine_id", (batch_id,)).fetchall()


def test_file_without_a_required_column_is_rejected_and_moved(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict]
) -> None:
    source = _uitkeringen_csv(werkplein_export)
    drop = tmp_path / "drop"
    path = _edit(source, drop / "werkplein" / source.name,
                 lambda rows: [r[:3] + r[4:] for r in rows])  # the bsn column is gone
    [outcome] = _load(fresh_warehouse_url, drop, "werkplein")
    assert outcome["status"] == "rejected"
    assert source.name in outcome["reason"] and "bsn" in outcome["reason"] and "row 1" in outcome["reason"]
    assert not path.exists() and Path(outcome["quarantine_path"]).is_file()
    assert Path(outcome["quarantine_path"]).parent == drop / "werkplein" / "quarantine"
    [(row, column, _, reason, moved)] = _quarantine(fresh_warehouse_url, outcome["batch_id"])
    assert (row, column, moved) == (1, "bsn", outcome["quarantine_path"]) and "missing" in reason
    with psycopg.connect(fresh_warehouse_url) as conn:
        assert conn.execute("select count(*) from raw.werkplein_uitkering").fetchone()[0] == 0
        status = conn.execute("select status from audit.load_batch where batch_id = %s",
                              (outcome["batch_id"],)).fetchone()[0]
    assert status == "rejected"


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [("bsn", "123456789", "elfproef"), ("uitkeringsbedrag", "veel", "not a number"),
     ("peildatum", "31-02-2024", "not an existing date"), ("statistiekcode", "07", "not one of")],
)
def test_bad_rows_are_quarantined_and_the_good_rows_load(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict], column: str, value: str,
    reason: str,
) -> None:
    source = _uitkeringen_csv(werkplein_export)
    total = len(decode(source.read_bytes())[0].splitlines()) - 1
    drop = tmp_path / "drop"
    _edit(source, drop / "werkplein" / source.name, _set_cell(3, column, value))  # data row 3 = spreadsheet row 4
    [outcome] = _load(fresh_warehouse_url, drop, "werkplein")
    assert outcome["status"] == "loaded"
    assert (outcome["rows_loaded"], outcome["rows_quarantined"]) == (total - 1, 1)
    [(row, name, shown, why, _)] = _quarantine(fresh_warehouse_url, outcome["batch_id"])
    assert (row, name) == (4, column) and reason in why
    if column in ("bsn", "peildatum"):
        # Never stored: the BSN, and in a file with personal data any value that could be a birth date.
        assert shown == f"<{len(value)} characters, {sum(c.isdigit() for c in value)} digits>"
    else:
        assert shown == value
    with psycopg.connect(fresh_warehouse_url) as conn:
        rows = conn.execute("select array_agg(row_number order by row_number) from raw.werkplein_uitkering"
                            ).fetchone()[0]
    assert 4 not in rows and len(rows) == total - 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"\xef\xbb\xbf", "no header"), (None, "no data rows"), ("all bad", "no row could be loaded")],
)
def test_empty_files_are_rejected(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict], content, reason: str
) -> None:
    source = _uitkeringen_csv(werkplein_export)
    target = tmp_path / "drop" / "werkplein" / source.name
    if content is None:
        _edit(source, target, lambda rows: rows[:1])
    elif content == "all bad":
        _edit(source, target, lambda rows: [rows[0]] + [[*r[:3], "123456789", *r[4:]] for r in rows[1:]])
    else:
        target.parent.mkdir(parents=True)
        target.write_bytes(content)
    [outcome] = _load(fresh_warehouse_url, tmp_path / "drop", "werkplein")
    assert outcome["status"] == "rejected" and reason in outcome["reason"], outcome
    assert Path(outcome["quarantine_path"]).is_file()


def test_file_name_outside_the_contract_is_rejected(fresh_warehouse_url: str, tmp_path: Path) -> None:
    path = tmp_path / "drop" / "uwv" / "spanning_q4.csv"
    path.parent.mkdir(parents=True)
    shutil.copy(SAMPLES / "uwv" / "uwv_spanningsindicator_2022Q4.csv", path)
    [outcome] = _load(fresh_warehouse_url, tmp_path / "drop", "uwv")
    assert outcome["status"] == "rejected" and "file name" in outcome["reason"]


def test_a_redelivered_file_is_skipped_and_a_corrected_one_loads(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict]
) -> None:
    source = _uitkeringen_csv(werkplein_export)
    drop = tmp_path / "drop"
    (drop / "werkplein").mkdir(parents=True)
    shutil.copy(source, drop / "werkplein" / source.name)
    [first] = _load(fresh_warehouse_url, drop, "werkplein")
    redelivered = drop / "werkplein" / source.name.replace(".csv", "_opnieuw.csv")
    shutil.copy(source, redelivered)
    outcomes = _load(fresh_warehouse_url, drop, "werkplein")
    assert [o["status"] for o in outcomes] == ["unchanged", "unchanged"]
    assert {o["duplicate_of"] for o in outcomes} == {first["batch_id"]}
    redelivered.unlink()

    _edit(source, drop / "werkplein" / source.name, _set_cell(1, "uitkeringsbedrag", "1234,56"))
    [corrected] = _load(fresh_warehouse_url, drop, "werkplein")
    assert corrected["status"] == "loaded" and corrected["batch_id"] > first["batch_id"]
    with psycopg.connect(fresh_warehouse_url) as conn:
        keys = conn.execute("select distinct delivery_key from audit.load_batch where status = 'loaded'").fetchall()
        raw_batches = conn.execute("select count(distinct batch_id) from raw.werkplein_uitkering").fetchone()[0]
    assert keys == [("uitkeringen 0141 202402",)]  # one delivery: staging reads the newest of its batches
    assert raw_batches == 2  # raw keeps both


def test_live_mode_without_pseudonym_key_refuses_personal_files(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict]
) -> None:
    drop = tmp_path / "drop"
    (drop / "werkplein").mkdir(parents=True)
    shutil.copy(_uitkeringen_csv(werkplein_export), drop / "werkplein")
    cfg = Settings.from_env({"WAREHOUSE_URL": fresh_warehouse_url, "DROP_DIR": str(drop), **LIVE})
    with connect(fresh_warehouse_url) as conn, pytest.raises(RuntimeError, match="PSEUDONYM_KEY"):
        load_path(conn, cfg, "werkplein")
    with psycopg.connect(fresh_warehouse_url) as conn:
        assert conn.execute("select count(*) from audit.load_batch").fetchone()[0] == 0


# --- privacy: nothing that looks like a BSN anywhere ------------------------------------------------------------------


def test_no_bsn_in_the_warehouse_logs_or_quarantine(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict], caplog: pytest.LogCaptureFixture
) -> None:
    folder, _ = werkplein_export
    bsns = bsns_in(folder)
    assert len(bsns) > 100
    drop = tmp_path / "drop"
    shutil.copytree(SAMPLES, drop, ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(folder, drop / "werkplein")
    # Bad rows in every personal column: their values must not reach the quarantine records either.
    bad = _uitkeringen_csv(werkplein_export)
    target = tmp_path / "cli" / bad.name.replace(".csv", "_correctie.csv")
    valid_but_wrong = sorted(bsns)[0]
    _edit(bad, target, lambda rows: [rows[0], [*rows[1][:3], "1234567890", *rows[1][4:]],
                                     [*rows[2][:4], valid_but_wrong, *rows[2][5:]],  # a BSN in geboortedatum
                                     [*rows[3][:6], valid_but_wrong, *rows[3][7:]], *rows[4:]])  # and in postcode
    caplog.set_level(logging.DEBUG)
    for source in ("uwv", "kennispunt", "werkplein"):
        _load(fresh_warehouse_url, drop, source)
    cli = subprocess.run(
        [sys.executable, "-m", "ingestion", "-v", "files", "werkplein", str(target)], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "WAREHOUSE_URL": fresh_warehouse_url, "PSEUDONYM_KEY": KEY,
             **LIVE, "DROP_DIR": str(drop)}, cwd=REPO_ROOT, timeout=300)
    assert cli.returncode == 0, "the CLI failed (output not shown: it may hold personal data)"
    [line] = [json.loads(line) for line in cli.stdout.splitlines()]
    assert (line["file"], line["status"], line["rows_quarantined"]) == (target.name, "published", 3)
    assert line["rows_loaded"] > 0 and {"batch_id", "reason"} <= set(line)

    with psycopg.connect(fresh_warehouse_url) as conn:
        quarantined = conn.execute("select count(*) from audit.quarantine").fetchone()[0]
        loaded = conn.execute("select count(*) from raw.werkplein_uitkering").fetchone()[0]
    assert quarantined == 3 and loaded > 500
    assert nine_digit_numbers(fresh_warehouse_url) == []
    logs = caplog.text + cli.stdout + cli.stderr
    assert not [b for b in bsns if b in logs], "a BSN from the files appears in the logs"
    assert not [n for n in re.findall(r"(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])", logs) if elfproef(n)]

    # The scan finds one when there is one (a check that could not fail would prove nothing).
    with psycopg.connect(fresh_warehouse_url) as conn:
        conn.execute("update audit.quarantine set reason = reason || ' (111222333)' where quarantine_id ="
                     " (select min(quarantine_id) from audit.quarantine)")
    assert [(t, c) for t, c, _ in nine_digit_numbers(fresh_warehouse_url)] == [("audit.quarantine", "reason")]


def test_a_file_without_header_row_is_rejected_without_quoting_its_bsns(
    fresh_warehouse_url: str, tmp_path: Path, werkplein_export: tuple[Path, dict]
) -> None:
    source = _uitkeringen_csv(werkplein_export)
    target = _edit(source, tmp_path / "drop" / "werkplein" / source.name, lambda rows: rows[1:])  # row 1 is data
    first_row_bsn = next(csv.reader(io.StringIO(decode(target.read_bytes())[0]), delimiter=";"))[3]
    [outcome] = _load(fresh_warehouse_url, tmp_path / "drop", "werkplein")
    assert outcome["status"] == "rejected" and "missing" in outcome["reason"]
    assert "<9 digits>" in outcome["reason"]
    with psycopg.connect(fresh_warehouse_url) as conn:
        stored = conn.execute("select message from audit.load_batch").fetchone()[0] + " ".join(
            r[0] for r in conn.execute("select reason from audit.quarantine"))
    assert first_row_bsn not in outcome["reason"] + stored, "a BSN from the data row reached the record"
