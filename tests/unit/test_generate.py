"""The BSN checks, the synthetic Werkplein generator and the sample files (no database needed)."""

from __future__ import annotations

import calendar
import csv
import io
import json
import random
import re
import subprocess
import sys
import zipfile
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ingestion.dev.generate import COLUMNS, ENTITIES, BsnSequence, dialect_for_month, generate_werkplein, main
from ingestion.privacy.bsn import elfproef, is_valid_bsn

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "ingestion" / "dev" / "samples"

# Small but long enough for every dialect (Nov 2023 .. Dec 2024) and for some herinstroom.
RUN = {"scale": 0.2, "months": 14, "end": "2024-12", "seed": 141}
FILE_RE = re.compile(r"^werkplein_(uitkeringen|voorzieningen|activiteiten)_0141_(\d{4})(\d{2})\.(csv|xlsx)$")
DATE_RE = re.compile(r"^\d{2}-\d{2}-\d{4}$")


# --- BSN ------------------------------------------------------------------------------------------------------------


def _naive_elfproef(digits: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(c) for w, c in zip(weights, digits, strict=True)) % 11 == 0 and digits != "000000000"


@pytest.mark.parametrize("number", ["111222333", "123456782", "012345672", "999999990"])
def test_elfproef_accepts_valid_numbers(number: str) -> None:
    assert elfproef(number)


@pytest.mark.parametrize(
    "number",
    ["123456789", "000000000", "12345678", "1234567890", "12345678a", "", "１１１２２２３３３", "111 222 333"],
)
def test_elfproef_rejects_invalid_numbers(number: str) -> None:
    assert not elfproef(number)


def test_elfproef_agrees_with_the_textbook_rule() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        digits = f"{rng.randrange(10**9):09d}"
        assert elfproef(digits) == _naive_elfproef(digits), digits


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("111222333", True),
        ("111.222.333", True),
        (" 111 222 333 ", True),
        ("12345672", True),  # a spreadsheet dropped the leading zero of 012345672
        ("1234567", False),
        ("123456789", False),
        ("000000000", False),
        ("00000000", False),
        ("111-222-333", False),
        ("", False),
    ],
)
def test_is_valid_bsn(value: str, valid: bool) -> None:
    assert is_valid_bsn(value) is valid


def test_is_valid_bsn_rejects_non_strings() -> None:
    assert not is_valid_bsn(111222333)  # type: ignore[arg-type]
    assert not is_valid_bsn(None)  # type: ignore[arg-type]


def test_synthetic_bsns_are_unique_valid_nine_series_and_seeded() -> None:
    seq = BsnSequence(random.Random(1))
    numbers = [seq.next() for _ in range(20_000)]
    assert BsnSequence(random.Random(1)).next() == numbers[0]
    assert len(set(numbers)) == len(numbers)
    assert all(n[0] == "9" and len(n) == 9 and elfproef(n) for n in numbers)
    other = BsnSequence(random.Random(2))
    assert [other.next() for _ in range(5)] != numbers[:5]


# --- reading generated files back, as a loader would -----------------------------------------------------------------


def _cell_text(value: object, column: str) -> str:
    """An XLSX cell as the CSV variant writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float):
        if column == "uitkeringsbedrag":
            return f"{value:.2f}".replace(".", ",")
        return f"{value:g}".replace(".", ",")
    return str(value)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        header = [str(h) for h in rows[0]]
        return header, [{h: _cell_text(v, h) for h, v in zip(header, row, strict=True)} for row in rows[1:]]
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "cp1252"
    reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=";", quotechar='"')
    rows = list(reader)
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("werkplein")
    summary = generate_werkplein(out, **RUN)
    return out, summary


@pytest.fixture(scope="module")
def data(run: tuple[Path, dict]) -> dict[str, dict[str, list[dict[str, str]]]]:
    """entity -> YYYYMM -> rows."""
    out, _ = run
    result: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(dict)
    for path in sorted(out.iterdir()):
        m = FILE_RE.match(path.name)
        if m:
            header, rows = _read(path)
            assert tuple(header) == COLUMNS[m.group(1)], path.name
            result[m.group(1)][m.group(2) + m.group(3)] = rows
    return result


# --- files, names and dialects --------------------------------------------------------------------------------------


def test_file_names_follow_the_contract(run: tuple[Path, dict]) -> None:
    out, summary = run
    names = sorted(p.name for p in out.iterdir())
    assert "GENERATED.md" in names
    data_files = [n for n in names if n != "GENERATED.md"]
    assert len(data_files) == 3 * RUN["months"] == summary["files"]
    months = set()
    for name in data_files:
        m = FILE_RE.match(name)
        assert m, name
        months.add((int(m.group(2)), int(m.group(3))))
        assert m.group(4) == dialect_for_month(int(m.group(3))).suffix.lstrip(".")
    assert min(months) == (2023, 11) and max(months) == (2024, 12) and len(months) == RUN["months"]


def test_all_dialect_variants_occur_and_are_what_they_claim(run: tuple[Path, dict]) -> None:
    out, summary = run
    seen = set()
    for path in sorted(out.glob("werkplein_*")):
        month = int(FILE_RE.match(path.name).group(3))
        dialect = dialect_for_month(month)
        seen.add(dialect.name)
        raw = path.read_bytes()
        if dialect.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                assert "xl/worksheets/sheet1.xml" in z.namelist()
            wb = openpyxl.load_workbook(path, read_only=True)
            assert wb.sheetnames[0] == path.name.split("_")[1] and len(wb.sheetnames) == 2
            wb.close()
            continue
        assert raw.count(b"\n") == raw.count(b"\r\n") > 0, "CRLF line ends"
        if dialect.encoding == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
        else:
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("cp1252")
        second_line = raw.split(b"\r\n")[1]
        assert second_line.startswith(b'"') is dialect.quote_all
    assert seen == {"csv-utf8-bom", "csv-cp1252", "csv-utf8-bom-quoted", "xlsx"}
    assert set(summary["dialects"]) == seen


def test_xlsx_cells_are_typed_like_a_spreadsheet_export(run: tuple[Path, dict]) -> None:
    out, _ = run
    wb = openpyxl.load_workbook(out / "werkplein_uitkeringen_0141_202406.xlsx")
    ws = wb.worksheets[0]
    row = {h.value: c for h, c in zip(ws[1], ws[2], strict=True)}
    assert isinstance(row["peildatum"].value, datetime) and row["peildatum"].number_format == "dd-mm-yyyy"
    assert row["peildatum"].value == datetime(2024, 6, 30)
    assert isinstance(row["bsn"].value, int)
    assert row["gemeentecode"].value == "0141" and isinstance(row["statistiekcode"].value, str)
    assert isinstance(row["uitkeringsbedrag"].value, float | int)


def test_generated_md_says_synthetic_with_the_parameters(run: tuple[Path, dict]) -> None:
    text = (run[0] / "GENERATED.md").read_text(encoding="utf-8")
    assert "Synthetic demo data" in text
    assert "--scale 0.2 --months 14" in text and "--seed 141" in text and "--gemeente 0141" in text


# --- content --------------------------------------------------------------------------------------------------------


def test_codes_and_formats_follow_the_contract(data: dict) -> None:
    allowed_reasons = {"11", "13", "14", "15", "31", "32", "33", "34", "35", "99"}
    for ym, rows in data["uitkeringen"].items():
        year, month = int(ym[:4]), int(ym[4:])
        last_day = date(year, month, calendar.monthrange(year, month)[1])
        for r in rows:
            assert _d(r["peildatum"]) == last_day
            assert r["gemeentecode"] == "0141"
            assert r["statistiekcode"] in {"01", "02", "03", "14"}
            assert r["leefvorm"] in {"1", "2", "3"} and r["aantal_kostendelers"].isdigit()
            assert r["geslacht"] in {"M", "V", "O"}
            assert re.fullmatch(r"760[1-9][A-Z]{2}", r["postcode"]), r["postcode"]
            assert r["wijkcode"] == "" or re.fullmatch(r"WK0141\d{2}", r["wijkcode"])
            assert r["ontheffing_arbeidsplicht"] in {"J", "N"} and r["tegenprestatie"] in {"J", "N"}
            assert r["doelgroep"] in {"participatie", "zorgbehoevend", "werkfit"}
            assert re.fullmatch(r"\d+,\d{2}", r["uitkeringsbedrag"]), r["uitkeringsbedrag"]
            assert DATE_RE.match(r["geboortedatum"]) and DATE_RE.match(r["ingangsdatum"])
            assert r["reden_beeindiging"] == "" or r["reden_beeindiging"] in allowed_reasons
    for rows in data["voorzieningen"].values():
        for r in rows:
            assert r["type_voorziening"] in {"01", "03", "04", "05", "06", "07", "08", "99"}
            assert r["reden_einde"] in {"", "1", "2", "3"}
            assert r["participatieladder"] in {"1", "2", "3", "4", "5", "6"}
            assert r["loonwaarde"] == "" or 0 < int(r["loonwaarde"]) <= 100
            assert bool(r["einddatum"]) == bool(r["reden_einde"])
            if r["einddatum"]:
                assert _d(r["einddatum"]) >= _d(r["begindatum"])
    for rows in data["activiteiten"].values():
        for r in rows:
            assert r["soort"] in {"tegenprestatie", "vrijwilligerswerk", "mantelzorg"}
            assert re.fullmatch(r"\d+(,5)?", r["uren_per_week"])


def _d(s: str) -> date:
    return date(int(s[6:]), int(s[3:5]), int(s[:2]))


def test_every_bsn_is_valid_and_stable_per_person(data: dict) -> None:
    person: dict[str, tuple[str, str]] = {}
    dossier_bsn: dict[str, str] = {}
    for entity in ENTITIES:
        for rows in data[entity].values():
            for r in rows:
                assert elfproef(r["bsn"]) and r["bsn"].startswith("9"), r["bsn"]
                if entity == "uitkeringen":
                    key = (r["geboortedatum"], r["geslacht"])
                    assert person.setdefault(r["bsn"], key) == key
                    assert dossier_bsn.setdefault(r["registratienummer"], r["bsn"]) == r["bsn"]


def test_dossiers_appear_every_month_until_and_including_their_end(data: dict) -> None:
    months = sorted(data["uitkeringen"])
    seen: dict[str, list[int]] = defaultdict(list)
    ended: dict[str, int] = {}
    for i, ym in enumerate(months):
        for r in data["uitkeringen"][ym]:
            reg = r["registratienummer"]
            assert reg not in ended, f"{reg} appears after its end"
            seen[reg].append(i)
            assert bool(r["einddatum"]) == bool(r["reden_beeindiging"]), "einddatum and reden go together"
            if r["einddatum"]:
                assert _d(r["einddatum"]) >= _d(r["ingangsdatum"])
                assert r["einddatum"][3:] == r["peildatum"][3:], "ends in the month of the row"
                ended[reg] = i
    for reg, idx in seen.items():
        assert idx == list(range(idx[0], idx[0] + len(idx))), f"{reg} has a gap"
    assert ended, "some dossiers end"


def test_some_herinstroom_within_twelve_months(data: dict) -> None:
    spans: dict[str, dict[str, tuple[date, date | None]]] = defaultdict(dict)
    for rows in data["uitkeringen"].values():
        for r in rows:
            end = _d(r["einddatum"]) if r["einddatum"] else None
            spans[r["bsn"]][r["registratienummer"]] = (_d(r["ingangsdatum"]), end)
    returns = 0
    for dossiers in spans.values():
        ordered = sorted(dossiers.values())
        for (_, prev_end), (next_start, _) in zip(ordered, ordered[1:], strict=False):
            if prev_end is not None and 0 < (next_start - prev_end).days <= 365:
                returns += 1
    assert returns > 0


def test_tegenprestatie_flag_matches_activities_and_inzet_share_is_plausible(data: dict) -> None:
    for ym, rows in data["uitkeringen"].items():
        by_bsn: dict[str, set[str]] = defaultdict(set)
        for a in data["activiteiten"][ym]:
            by_bsn[a["bsn"]].add(a["soort"])
        active = [r for r in rows if not r["einddatum"]]
        for r in active:
            assert (r["tegenprestatie"] == "J") == ("tegenprestatie" in by_bsn.get(r["bsn"], set()))
        participatie = [r for r in active if r["doelgroep"] == "participatie"]
        share = sum(1 for r in participatie if r["bsn"] in by_bsn) / len(participatie)
        assert 0.45 <= share <= 0.80, (ym, share)


def test_summary_counts_match_the_files(run: tuple[Path, dict], data: dict) -> None:
    _, summary = run
    for entity in ENTITIES:
        assert summary["rows"][entity] == sum(len(rows) for rows in data[entity].values())
    assert summary["first_month"] == "2023-11" and summary["last_month"] == "2024-12"
    assert summary["herinstroom_12m"] > 0


def test_deterministic_for_a_seed(run: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = run
    again = tmp_path / "again"
    generate_werkplein(again, **RUN)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:  # CSVs and (thanks to fixed zip timestamps) XLSX alike
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    generate_werkplein(other, **{**RUN, "seed": 142})
    assert (out / "werkplein_uitkeringen_0141_202402.csv").read_bytes() != (
        other / "werkplein_uitkeringen_0141_202402.csv"
    ).read_bytes()


def test_scale_one_is_about_almelo(tmp_path: Path) -> None:
    # One month at the catalogue's 31-12-2019 peildatum: 2.587 bijstand dossiers.
    generate_werkplein(tmp_path, scale=1, months=1, end="2019-12")
    _, rows = _read(tmp_path / "werkplein_uitkeringen_0141_201912.xlsx")
    active_01 = sum(1 for r in rows if not r["einddatum"] and r["statistiekcode"] == "01")
    assert 2450 <= active_01 <= 2720, active_01


@pytest.mark.parametrize(
    "kwargs", [{"scale": 0}, {"months": 0}, {"end": "2024-13"}, {"end": "december"}, {"gemeentecode": "141"}]
)
def test_bad_parameters_are_refused(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        generate_werkplein(tmp_path, **kwargs)


def test_cli_prints_progress_and_a_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    argv = ["werkplein", "--scale", "0.05", "--months", "13", "--end", "2020-06", "--seed", "3", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["out_dir"] == str(out) and summary["files"] == 39
    assert set(summary["rows"]) == set(ENTITIES)
    assert len(captured.err.strip().splitlines()) == 2  # December 2019 and the last month


def test_files_of_another_run_are_reported_not_deleted(tmp_path: Path) -> None:
    generate_werkplein(tmp_path, scale=0.02, months=2, end="2024-12")
    summary = generate_werkplein(tmp_path, scale=0.02, months=1, end="2024-10")
    assert summary["other_werkplein_files"] == 6
    assert len(list(tmp_path.glob("werkplein_*"))) == 9


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    out = tmp_path / "module"
    cmd = [sys.executable, "-m", "ingestion.dev.generate", "werkplein", "--scale", "0.05", "--months", "2"]
    cmd += ["--out", str(out)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1])["files"] == 6
    assert (out / "werkplein_uitkeringen_0141_202411.csv").exists()


# --- sample files ---------------------------------------------------------------------------------------------------


def _norm(header: str) -> str:
    return header.replace(" ", "").lower()


def _band(value: Decimal) -> str:
    if value < Decimal("0.25"):
        return "zeer ruim"
    if value < Decimal("0.67"):
        return "ruim"
    if value < Decimal("1.5"):
        return "gemiddeld"
    if value < Decimal("4.0"):
        return "krap"
    return "zeer krap"


@pytest.mark.parametrize(
    ("name", "encoding", "period_re"),
    [
        ("uwv_spanningsindicator_2022Q4.csv", "utf-8-sig", r"2022 Q4"),
        ("uwv_spanningsindicator_2023Q1.csv", "cp1252", r"2023-1"),
    ],
)
def test_uwv_samples(name: str, encoding: str, period_re: str) -> None:
    raw = (SAMPLES / "uwv" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is (encoding == "utf-8-sig")
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # really Windows-1252, not UTF-8 that happens to be ASCII
    rows = list(csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=";"))
    header = [_norm(h) for h in rows[0]]
    assert header[:5] == ["arbeidsmarktregio", "beroepsklasse", "periode", "spanningsindicator", "typering"]
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert {r["arbeidsmarktregio"] for r in records} == {"Twente", "Nederland"}
    assert {"Totaal"} < {r["beroepsklasse"] for r in records}
    empty = 0
    for r in records:
        assert re.fullmatch(period_re, r["periode"])
        value = Decimal(r["spanningsindicator"].replace(",", "."))
        if r["typering"]:
            assert r["typering"] == _band(value), r
        else:
            empty += 1
    assert empty == (1 if "2022Q4" in name else 0)


def test_kennispunt_long_sample() -> None:
    raw = (SAMPLES / "kennispunt" / "kennispunt_binnenstadsmonitor_20240315.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert list(rows[0]) == ["indicator", "gebiedcode", "gebiednaam", "periode", "waarde", "eenheid"]
    values = [r["waarde"] for r in rows]
    assert values.count("<10") == 1 and values.count("") == 1
    for r in rows:
        assert 2018 <= int(r["periode"]) <= 2023
        if r["waarde"] not in ("", "<10"):
            Decimal(r["waarde"].replace(",", "."))  # decimal comma, no thousands separator
    assert any("," in v for v in values) and "m²" in {r["eenheid"] for r in rows}


def test_kennispunt_wide_sample() -> None:
    raw = (SAMPLES / "kennispunt" / "kennispunt_burgerpanel_20240601.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=","))
    assert rows[0][:2] == ["GEOITEM", "PERIOD"] and len(rows[0]) > 3
    assert {r[0] for r in rows[1:]} >= {"141", "153", "164"}
    for r in rows[1:]:
        assert len(r) == len(rows[0]) and 2015 <= int(r[1]) <= 2023
        for cell in r[2:]:
            if cell:
                assert 0 <= float(cell) <= 100  # decimal point


def test_samples_readme_lists_every_file() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for path in SAMPLES.rglob("*.csv"):
        assert path.name in readme, path.name
    assert "synthetic" in readme
