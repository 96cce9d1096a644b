"""The programme report (ingestion/report) from a real night's marts: every CBS table, the UWV, Kennispunt and
handmatig samples, and Werkplein exports generated at a small scale, so that small numbers are suppressed.

Checks what the issue asks: the status on every page equals marts.programme_indicator_status, no suppressed value
reaches the HTML or the CSVs, the CSVs are Excel-NL, and (test_report_in_chromium) every page loads in headless
Chromium without console errors and every chart has one point per value in the marts.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from ingestion.config import Settings
from ingestion.report import build_report
from ingestion.report.charts import DECOMPOSITION_FLOWS, DECOMPOSITION_TOTALS, decomposition_parts
from ingestion.report.data import DECOMPOSITION_SQL, DecompositionMonth, read_as_bi
from ingestion.report.export import DECOMPOSITION_COLUMNS, DECOMPOSITION_CSV
from ingestion.report.numbers import csv_number, format_value
from tests.support.nights import Night

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / ".local" / "test-artifacts" / "report"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def night(demo_night: Night, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Settings]:
    """(warehouse URL, settings) of the demo night (every source loaded, the marts published: tests/support/nights.py,
    small enough that monthly shares and yearly herinstroom counts are suppressed); the report built into a folder of
    this module's own."""
    cfg = demo_night.settings(REPORTS_DIR=str(tmp_path_factory.mktemp("report") / "reports"))
    build_report(cfg)
    return demo_night.url, cfg


def reports(cfg: Settings) -> Path:
    return cfg.reports_dir


class PageFacts(HTMLParser):
    """What a report page states: the status per indicator, the chart points and the table rows per period."""

    def __init__(self) -> None:
        super().__init__()
        self.indicator: str | None = None
        self.status: dict[str, str] = {}
        self.points: dict[str, list[dict[str, str]]] = defaultdict(list)
        # indicator -> period -> the row's cells (period, Almelo, Twente, Nederland) as text
        self.rows: dict[str, dict[str, list[str]]] = defaultdict(dict)
        self.links: list[str] = []
        self._row: str | None = None
        self.text: list[str] = []
        # the caseload decomposition section: its chart's segments and net-change points, its table's cells
        self.in_decomposition = False
        self.segments: list[dict[str, str]] = []
        self.net_changes: list[dict[str, str]] = []
        self.decomposition_cells: dict[tuple[str, str], str] = {}
        self._cell: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.indicator = a.get("data-indicator") or None
            self.in_decomposition = "data-decompositie" in a
        if self.in_decomposition:
            if tag == "rect" and "segment" in a.get("class", "").split():
                self.segments.append(a)
            if tag == "circle" and "mutatie" in a.get("class", "").split():
                self.net_changes.append(a)
            if tag == "tr" and "data-periode" in a:
                self._row = a["data-periode"]
            if tag == "td" and self._row and "data-kolom" in a:
                self._cell = (self._row, a["data-kolom"])
                self.decomposition_cells[self._cell] = ""
        if tag == "span" and "data-status" in a and self.indicator:
            self.status[self.indicator] = a["data-status"]
        if tag == "circle" and self.indicator:
            self.points[self.indicator].append(a)
        if tag == "tr" and "data-periode" in a and self.indicator:
            self._row = a["data-periode"]
            self.rows[self.indicator][self._row] = []
        if tag in ("th", "td") and self._row and self.indicator:
            self.rows[self.indicator][self._row].append("")
        if tag in ("a", "link", "script", "img") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self.decomposition_cells[self._cell] += data
        if self._row and self.indicator and self.rows[self.indicator][self._row]:
            self.rows[self.indicator][self._row][-1] += data
        self.text.append(data)


def page_facts(path: Path) -> PageFacts:
    facts = PageFacts()
    facts.feed(path.read_text(encoding="utf-8"))
    return facts


def programme_pages(cfg: Settings) -> dict[str, Path]:
    return {p.stem: p for p in sorted(reports(cfg).glob("*.html")) if p.name != "index.html"}


def marts_status(url: str) -> dict[str, tuple[str, str]]:
    """indicator_code -> (programme_short, status) for the contract gemeente, straight from the marts."""
    with psycopg.connect(url) as conn:
        return {
            code: (short, status)
            for code, short, status in conn.execute(
                "select s.indicator_code, d.programme_short, s.status from marts.programme_indicator_status s"
                " join marts.dim_indicator d using (indicator_code) where s.gemeentecode = 'GM0141'"
            )
        }


def expected_points(url: str) -> dict[str, Counter]:
    """indicator_code -> points per series the chart must have: every period with a number in the marts."""
    expected: dict[str, Counter] = defaultdict(Counter)
    with psycopg.connect(url) as conn:
        for code, count in conn.execute(
            "select indicator_code, count(distinct period_code) from marts.fct_indicator_value"
            " where gemeentecode = 'GM0141' and is_primary_measure and value is not null group by 1"
        ):
            expected[code]["almelo"] = count
        for code, twente, nl in conn.execute(
            "select indicator_code, count(twente_value), count(nl_value) from marts.indicator_peer_value"
            " where is_primary_measure group by 1"
        ):
            expected[code]["twente"], expected[code]["nl"] = twente, nl
    return {code: +counts for code, counts in expected.items()}


def test_index_and_pages_show_the_status_of_the_marts(night: tuple[str, Settings]) -> None:
    url, cfg = night
    truth = marts_status(url)
    pages = programme_pages(cfg)
    shown: dict[str, tuple[str, str]] = {}
    for short, page in pages.items():
        for code, status in page_facts(page).status.items():
            shown[code] = (short, status)
    assert shown == truth
    # The index counts per programme and status are those of the marts too.
    index = (reports(cfg) / "index.html").read_text(encoding="utf-8")
    counts = Counter(truth.values())
    for short in pages:
        row = re.search(rf'<tr class="programma" data-programma="{short}">(.*?)</tr>', index, re.S)
        assert row, short
        cells = dict(re.findall(r'data-status="([^"]+)"[^>]*>(\d+)<', row[1]))
        for status in ("behaald", "op koers", "achter", "niet te beoordelen"):
            assert int(cells[status]) == counts[(short, status)], (short, status)
        assert f'href="{short}.html"' in row[1]


def test_every_chart_point_is_a_value_of_the_marts(night: tuple[str, Settings]) -> None:
    url, cfg = night
    with psycopg.connect(url) as conn:
        almelo = {
            (code, period): value
            for code, period, value in conn.execute(
                "select indicator_code, period_code, value from marts.fct_indicator_value"
                " where gemeentecode = 'GM0141' and is_primary_measure and value is not null"
            )
        }
    expected = expected_points(url)
    checked = 0
    for page in programme_pages(cfg).values():
        facts = page_facts(page)
        for code in facts.status:
            assert Counter(p["data-reeks"] for p in facts.points[code]) == expected.get(code, Counter()), code
            for point in facts.points[code]:
                if point["data-reeks"] == "almelo":
                    assert (code, point["data-periode"]) in almelo
                    checked += 1
    assert checked > 100


def indicator_sections(cfg: Settings) -> dict[str, str]:
    """indicator_code -> the HTML of its section, over every programme page."""
    sections: dict[str, str] = {}
    for page in programme_pages(cfg).values():
        html = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<section class="indicator" id="([^"]+)".*?</section>', html, re.S):
            sections[match[1]] = match[0]
    return sections


def test_projection_band_and_status_are_those_of_the_marts(night: tuple[str, Settings]) -> None:
    url, cfg = night
    with psycopg.connect(url) as conn:
        projections = conn.execute(
            "select indicator_code, projected_status, projected_value, projected_lower, projected_upper, unit"
            " from marts.indicator_projection join marts.dim_indicator using (indicator_code)"
        ).fetchall()
    sections = indicator_sections(cfg)
    shown = 0
    for code, status, value, lower, upper, unit in projections:
        section = sections[code]
        if status is None:
            assert "data-projected-status" not in section and "projectieband" not in section, code
            continue
        shown += 1
        assert f'data-projected-status="{status}"' in section, code
        band = re.search(r'<path class="projectieband" data-status="([^"]+)" data-onder="([^"]+)" data-boven="([^"]+)"',
                         section)
        assert band and band[1] == status and (Decimal(band[2]), Decimal(band[3])) == (lower, upper), code
        assert f'data-waarde="{value}"' in section  # the dashed line ends at the projected value
        text = re.sub(r"<[^>]+>", "", section)
        assert f"{format_value(value, unit)} in " in text and f"80%-band {format_value(lower, unit)} tot" in text
    assert shown >= 1  # the handmatig sample has a projectable series (ea_tevredenheid_dienstverlening)


def test_almelo_rank_is_that_of_the_marts(night: tuple[str, Settings]) -> None:
    url, cfg = night
    with psycopg.connect(url) as conn:
        ranks = conn.execute(
            "select distinct on (indicator_code) indicator_code, rank_nederland, n_nederland, rank_twente, n_twente,"
            " rank_grootteklasse, n_grootteklasse, grootteklasse_label"
            " from marts.indicator_rank where gemeentecode = 'GM0141' order by indicator_code, period_end desc"
        ).fetchall()
    assert ranks
    sections = indicator_sections(cfg)
    national = 0
    for code, rank, n, rank_twente, n_twente, rank_klasse, n_klasse, klasse in ranks:
        section = sections[code]
        line = re.search(r'<p class="rang" data-rang-nederland="(\d+)" data-n-nederland="(\d+)">(.*?)</p>', section)
        assert line and (int(line[1]), int(line[2])) == (rank, n), code
        assert f"{rank_twente}e van {n_twente} in Twente" in line[3]
        if n > n_twente:
            national += 1
            assert f"{rank}e van {n} gemeenten" in line[3]
            assert f"{rank_klasse}e van {n_klasse} in grootteklasse {klasse} inwoners" in line[3]
    assert national >= 1  # arbeidsdeelname and veiligheidsmonitor are loaded for every gemeente


def suppressed_cells(url: str) -> list[tuple[str, str, Decimal]]:
    """(indicator, period, the value before suppression) of every suppressed Almelo cell the report charts."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select f.indicator_code, f.period_code, m.value from marts.fct_indicator_value f"
            " join intermediate.int_werkplein__measure_values m"
            "   using (indicator_code, measure_code, gemeentecode, period_code)"
            " where f.gemeentecode = 'GM0141' and f.is_primary_measure and f.is_suppressed and m.value is not null"
        ).fetchall()


def test_a_suppressed_value_is_nowhere_in_the_html_or_csv(night: tuple[str, Settings]) -> None:
    url, cfg = night
    cells = suppressed_cells(url)
    assert cells, "the generated Werkplein data should have suppressed cells on a primary measure"
    units = dict(psycopg.connect(url).execute("select indicator_code, unit from marts.dim_indicator").fetchall())
    pages = {code: facts for facts in map(page_facts, programme_pages(cfg).values()) for code in facts.status}
    for code, period, raw in cells:
        unit = units[code]
        shown_forms = {format_value(raw, unit), csv_number(raw, unit), str(raw)}
        facts = pages[code]
        assert not [p for p in facts.points[code] if p["data-periode"] == period and p["data-reeks"] == "almelo"]
        almelo_cell = facts.rows[code][period][1]
        assert almelo_cell.strip() == "onderdrukt", (code, period, raw, facts.rows[code][period])
        with (reports(cfg) / "csv" / f"{code}.csv").open(encoding="utf-8-sig", newline="") as f:
            [line] = [r for r in csv.DictReader(f, delimiter=";") if r["periodecode"] == period]
        assert line["almelo"] == "" and "onderdrukt" in line["toelichting"], line
        assert not any(form in (line["almelo"], line["almelo_klasse"]) for form in shown_forms)
    # Whole files: a suppressed raw value of two or more digits (a complementary suppression) appears nowhere in
    # that indicator's CSV where the period is, and never as a chart value of the period.
    for code, period, raw in cells:
        text = (reports(cfg) / "csv" / f"{code}.csv").read_text(encoding="utf-8-sig")
        period_lines = [line for line in text.splitlines() if f";{period};" in line]
        assert all(csv_number(raw, units[code]) not in line.split(";")[3:6] for line in period_lines)


def test_the_csv_is_excel_nl_and_holds_the_chart_series(night: tuple[str, Settings]) -> None:
    url, cfg = night
    expected = expected_points(url)
    files = sorted(p for p in (reports(cfg) / "csv").glob("*.csv") if p.name != DECOMPOSITION_CSV)
    assert len(files) == len(marts_status(url))
    decimals_seen = False
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        counts = Counter()
        for row in rows:
            for column, key in (("almelo", "almelo"), ("twente", "twente"), ("nederland", "nl")):
                if row[column]:
                    assert re.fullmatch(r"-?\d+(,\d+)?", row[column]), (path.name, row)
                    decimals_seen |= "," in row[column]
                    counts[key] += 1
        assert counts == expected.get(path.stem, Counter()), path.name
    assert decimals_seen


def test_the_report_reads_as_bi_reader_and_links_nothing_outside(night: tuple[str, Settings]) -> None:
    url, cfg = night
    with psycopg.connect(url) as conn:
        read_as_bi(conn)
        assert conn.execute("select current_user").fetchone()[0] == "bi_reader"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from audit.load_batch")
    for page in reports(cfg).glob("*.html"):
        for link in page_facts(page).links:
            assert not re.match(r"^[a-z]+://|^//", link), (page.name, link)  # offline: no CDN, no web font


def test_a_rebuild_replaces_the_folder_and_drops_stale_files(night: tuple[str, Settings], capsys) -> None:
    _, cfg = night
    stale = reports(cfg) / "csv" / "vervallen_indicator.csv"
    stale.write_text("x", encoding="utf-8")
    (reports(cfg) / "oud_programma.html").write_text("x", encoding="utf-8")
    from ingestion.__main__ import main

    env = {"WAREHOUSE_URL": cfg.warehouse_url, "REPORTS_DIR": str(cfg.reports_dir), "SOURCE_MODE": "recorded"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        assert main(["report"]) == 0
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert f"file://{cfg.reports_dir.resolve() / 'index.html'}" in capsys.readouterr().out
    assert not stale.exists() and not (reports(cfg) / "oud_programma.html").exists()
    assert not [p for p in reports(cfg).iterdir() if p.name.startswith(".rapport-")]


def decomposition_months(url: str) -> list[DecompositionMonth]:
    """Almelo's rows of marts.bijstand_caseload_decomposition."""
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return [DecompositionMonth(**row) for row in cur.execute(DECOMPOSITION_SQL, ("GM0141",))]


def test_the_caseload_decomposition_chart_table_and_csv_equal_the_mart(night: tuple[str, Settings]) -> None:
    url, cfg = night
    months = decomposition_months(url)
    assert len(months) == 23 and any(m.has_suppressed_cells for m in months)
    with psycopg.connect(url) as conn:
        columns = sql.SQL(", ").join(map(sql.Identifier, DECOMPOSITION_COLUMNS[:-1]))
        before = {
            (period, column): value
            for period, *values in conn.execute(
                sql.SQL(
                    "select period_code, {} from intermediate.int_werkplein__caseload_decomposition"
                    " where gemeentecode = 'GM0141'"
                ).format(columns)
            )
            for column, value in zip(DECOMPOSITION_COLUMNS, values, strict=False)
        }
    [page] = [p for p in programme_pages(cfg).values() if "ep_bijstandsdossiers" in page_facts(p).status]
    facts = page_facts(page)
    sign_of = {key: sign for key, _, sign in DECOMPOSITION_FLOWS}
    drawn_total = Counter()
    for month in months:
        drawn = {
            s["data-reeks"]: int(s["data-waarde"]) for s in facts.segments if s["data-periode"] == month.period_code
        }
        # the up and down stacks are the published totals
        for total, sign in (("instroom_totaal", 1), ("uitstroom_totaal", -1)):
            stack = sum(v for key, v in drawn.items() if sign_of[key] == sign)
            if getattr(month, total) is not None:
                assert stack == getattr(month, total), (month.period_code, total)
            drawn_total[sign] += stack
        # every flow the mart publishes is drawn with its number; a suppressed one is not drawn
        for key, value in drawn.items():
            if key in DECOMPOSITION_TOTALS:
                assert getattr(month, DECOMPOSITION_TOTALS[key]) is not None, (month.period_code, key)
            else:
                assert getattr(month, key) == value, (month.period_code, key)
        for key, _, _ in DECOMPOSITION_FLOWS:
            if key not in DECOMPOSITION_TOTALS and getattr(month, key) is not None:
                assert key in drawn, (month.period_code, key)
        # the table: the mart's number, or "onderdrukt" - never the number before suppression
        for column in DECOMPOSITION_COLUMNS:
            text = facts.decomposition_cells[(month.period_code, column)].strip()
            value = getattr(month, column)
            expected_text = "onderdrukt" if value is None else format_value(value, "count")
            assert text == expected_text, (month.period_code, column, text)
    # at this small scale most flows are suppressed; tests/unit/test_report_format.py draws constructed months
    assert sum(drawn_total.values()) == sum(v for m in months for _, _, _, v in decomposition_parts(m))
    net = {c["data-periode"]: int(c["data-waarde"]) for c in facts.net_changes}
    assert net == {m.period_code: m.caseload_mutatie for m in months if m.caseload_mutatie is not None}
    # the CSV: one row per month, the mart's numbers, a suppressed cell empty with the note
    with (reports(cfg) / "csv" / DECOMPOSITION_CSV).open(encoding="utf-8-sig", newline="") as f:
        rows = {r["periodecode"]: r for r in csv.DictReader(f, delimiter=";")}
    assert set(rows) == {m.period_code for m in months}
    hidden_checked = 0
    for month in months:
        line = list(rows[month.period_code].values())[3 : 3 + len(DECOMPOSITION_COLUMNS)]
        for column, cell in zip(DECOMPOSITION_COLUMNS, line, strict=True):
            value = getattr(month, column)
            assert cell == ("" if value is None else csv_number(value, "count")), (month.period_code, column)
            if value is None and (month.period_code, column) in before:
                hidden_checked += 1
        if month.has_suppressed_cells:
            assert "onderdrukt" in rows[month.period_code]["toelichting"]
    assert hidden_checked


# --- the browser ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed here when missing and we may (root, apt-get); never Playwright's own browsers."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            pytest.skip(
                f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
                "apt-get install -y chromium"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
            done = subprocess.run(install, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"apt-get install chromium failed: {done.stderr[-500:]}")
    return CHROMIUM


def test_report_in_chromium(night: tuple[str, Settings], chromium: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (pinned in [dev])")
    url, cfg = night
    expected = expected_points(url)
    months = decomposition_months(url)
    decomposition_expected = Counter(key for m in months for key, *_ in decomposition_parts(m))
    net_expected = sum(m.caseload_mutatie is not None for m in months)
    decomposition_seen = 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [reports(cfg) / "index.html", *programme_pages(cfg).values()]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
                page = browser.new_page(viewport=viewport)
                problems: list[str] = []
                page.on(
                    "console",
                    lambda m, p=problems: p.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
                )
                page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
                page.on("requestfailed", lambda r, p=problems: p.append(f"request failed: {r.url}"))
                page.on(
                    "request",
                    lambda r, p=problems: (
                        None if r.url.startswith(("file://", "data:")) else p.append(f"outside request: {r.url}")
                    ),
                )
                for path in pages:
                    page.goto(path.as_uri())
                    page.wait_for_load_state("load")
                    assert not problems, (path.name, problems)
                    # Readable on a phone: nothing wider than the screen.
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, (path.name, viewport, overflow)
                    if path.name == "index.html":
                        continue
                    for section in page.query_selector_all("section[data-indicator]"):
                        code = section.get_attribute("data-indicator")
                        shown = Counter(
                            c.get_attribute("data-reeks") for c in section.query_selector_all("circle.punt")
                        )
                        assert shown == expected.get(code, Counter()), (path.name, code)
                        if shown:
                            assert section.query_selector("svg.grafiek").bounding_box()["width"] > 200
                    decomposition = page.query_selector("section[data-decompositie]")
                    if decomposition:
                        drawn = Counter(
                            r.get_attribute("data-reeks") for r in decomposition.query_selector_all("rect.segment")
                        )
                        assert drawn == decomposition_expected, (path.name, viewport)
                        assert len(decomposition.query_selector_all("circle.mutatie")) == net_expected
                        assert decomposition.query_selector("svg.decompositie title").text_content()
                        assert decomposition.query_selector("svg.decompositie").bounding_box()["width"] > 200
                        decomposition_seen += 1
                phone = viewport["width"] < 600
                shot = ARTIFACTS / f"{pages[1].stem}{'-telefoon' if phone else ''}.png"
                page.goto(pages[1].as_uri())
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")
                page.goto(pages[0].as_uri())
                page.screenshot(path=str(ARTIFACTS / f"index{'-telefoon' if phone else ''}.png"), full_page=True)
                page.close()
            # Printable: the programme page renders to a PDF.
            page = browser.new_page()
            page.goto(pages[1].as_uri())
            pdf = ARTIFACTS / f"{pages[1].stem}.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True)
            assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
            print(f"pdf: {pdf}")
            assert decomposition_seen == 2, "the decomposition chart on its programme page, on both viewports"
        finally:
            browser.close()
