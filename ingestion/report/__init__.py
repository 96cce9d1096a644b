"""The programme report: a static folder (REPORTS_DIR) generated from the published marts only.

``index.html`` lists every programme with its status counts; ``<programme_short>.html`` shows per indicator a
chart of the series (Almelo, Twente, Nederland; baseline, target, target year), the status, the latest value with
its period, source and load date, and notes (provisional, suppressed, from the documents, missing);
``csv/<indicator_code>.csv`` holds each chart's series. No JavaScript, no external files: it opens offline, reads
on a phone and prints to PDF.

    python -m ingestion report      # also the transform DAG's `report` task, after publish
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ingestion.config import Settings
from ingestion.report import charts, data, numbers
from ingestion.report.export import DECOMPOSITION_CSV, decomposition_csv, indicator_csv

log = logging.getLogger(__name__)

STATUS_CLASS = {"behaald": "behaald", "op koers": "op-koers", "achter": "achter", "niet te beoordelen": "onbekend"}
FEED_NOTE = {
    "nog niet gevoed": "Nog geen bron levert deze indicator: er is geen waarde.",
    "automatisch": "Een bron levert deze indicator, maar er is nog geen waarde voor Almelo.",
    "handmatig": "Deze indicator komt uit de handmatige indicatorbestanden; er is nog geen waarde voor Almelo.",
}
DEMO_MODES = {"recorded": "opgenomen demo-antwoorden", "generated": "gegenereerde demobestanden"}
# The caseload decomposition goes on the page of the programme that holds this indicator (the bijstand caseload).
DECOMPOSITION_INDICATOR = "ep_bijstandsdossiers"
DECOMPOSITION_COLUMNS = (
    ("caseload_begin", "Begin"),
    ("instroom_totaal", "Instroom totaal"),
    ("instroom_nieuw", "Instroom nieuw"),
    ("herinstroom", "Herinstroom"),
    ("uitstroom_totaal", "Uitstroom totaal"),
    ("uitstroom_werk", "Uitstroom werk"),
    ("uitstroom_andere_uitkering", "Uitstroom andere uitkering"),
    ("uitstroom_verhuizing", "Uitstroom verhuizing"),
    ("uitstroom_overig", "Uitstroom overig"),
    ("caseload_eind", "Eind"),
    ("caseload_mutatie", "Netto verandering"),
)


def indicator_notes(indicator: data.IndicatorReport, threshold: int) -> list[str]:
    """The notes under an indicator, in Dutch: where its data is provisional, suppressed, from the documents or
    missing, and an open definition."""
    notes = []
    if indicator.actual_value is None and indicator.actual_label is None and not indicator.suppressed_periods:
        notes.append(FEED_NOTE.get(indicator.feed, "Er is nog geen waarde."))
    if indicator.actual_is_provisional:
        notes.append("De laatste waarde is voorlopig: de bron kan haar nog bijstellen.")
    elif any(p.is_provisional for p in indicator.series):
        notes.append("Een of meer waarden zijn voorlopig: de bron kan ze nog bijstellen.")
    if suppressed := indicator.suppressed_periods:
        periods = ", ".join(p.period_label for p in suppressed[:6]) + (" …" if len(suppressed) > 6 else "")
        notes.append(
            f"{len(suppressed)} periode(n) onderdrukt wegens kleine aantallen (onder {threshold}, of een aantal "
            f"waaruit een klein aantal te berekenen is): {periods}. Daar staat geen waarde."
        )
    if indicator.actual_value_source == "reported":
        notes.append("De laatste waarde komt uit de programmadocumenten, niet uit een bron die de monitor laadt.")
    elif indicator.reported_periods:
        periods = ", ".join(p.period_label for p in indicator.reported_periods)
        notes.append(f"Uit de programmadocumenten (open rondjes): {periods}.")
    if indicator.definition_status == "open" and indicator.definition_question:
        question = indicator.definition_question.rstrip(" .?") + (
            "?" if indicator.definition_question.rstrip().endswith("?") else "."
        )
        choice = f" Tot dan: {indicator.definition_choice.rstrip('.')}." if indicator.definition_choice else ""
        notes.append(f"Definitie nog open: {question}{choice}")
    if indicator.source_mode in DEMO_MODES:
        notes.append(f"Demogegevens ({DEMO_MODES[indicator.source_mode]}): synthetische cijfers.")
    return notes


def decomposition_section(report: data.ReportData, threshold: int) -> dict[str, object]:
    """What decomposition.html needs: chart, legend, table columns, notes and the CSV's name."""
    months = report.decomposition
    notes = []
    if any(m.has_suppressed_cells for m in months):
        notes.append(
            f"Aantallen onder {threshold} zijn onderdrukt (klein aantal), en ook de cellen waaruit ze terug te"
            " rekenen zijn; zulke maanden hebben een × onder de staaf."
        )
    incomplete = [m for m in months if not m.is_terugkijkperiode_volledig]
    if incomplete:
        notes.append(
            f"Herinstroom is pas volledig vanaf 12 maanden na de eerste geleverde maand; tot en met"
            f" {incomplete[-1].period_label} telt een deel ervan als nieuwe instroom (de som klopt wel)."
        )
    if any(m.source_mode in DEMO_MODES for m in months):
        notes.append("Demogegevens (gegenereerde demobestanden): synthetische cijfers.")
    return {
        "indicator": DECOMPOSITION_INDICATOR,
        "months": months,
        "chart": Markup(charts.render_decomposition_chart(months)),
        "legend": charts.decomposition_legend(months),
        "columns": DECOMPOSITION_COLUMNS,
        "notes": notes,
        "csv": f"csv/{DECOMPOSITION_CSV}",
    }


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ingestion.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["waarde"] = numbers.format_value
    env.filters["datum"] = numbers.format_date
    env.globals.update(status_class=STATUS_CLASS, statuses=data.STATUSES, unit_label=numbers.UNIT_LABEL)
    return env


def render(report: data.ReportData, out_dir: Path, threshold: int, generated_at: datetime) -> list[Path]:
    """Write index, one page per programme and a CSV per indicator into out_dir; returns the files written."""
    env = environment()
    css = Markup((Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8"))
    common = {
        "css": css,
        "generated_at": generated_at,
        "marts_checked_at": report.marts_checked_at,
        "demo": sorted(DEMO_MODES[m] for m in report.source_modes if m in DEMO_MODES),
        "programmes": report.programmes,
    }
    (out_dir / "csv").mkdir(parents=True, exist_ok=True)
    written = [out_dir / "index.html"]
    written[0].write_text(env.get_template("index.html").render(**common), encoding="utf-8")
    page = env.get_template("programme.html")
    for programme in report.programmes:
        sections = []
        for indicator in programme.indicators:
            csv_path = out_dir / "csv" / f"{indicator.code}.csv"
            csv_path.write_bytes(indicator_csv(indicator))
            written.append(csv_path)
            sections.append(
                {
                    "indicator": indicator,
                    "chart": Markup(charts.render_chart(indicator)),
                    "legend": charts.legend_items(indicator),
                    "notes": indicator_notes(indicator, threshold),
                    "csv": f"csv/{indicator.code}.csv",
                }
            )
        decomposition = None
        if report.decomposition and any(i.code == DECOMPOSITION_INDICATOR for i in programme.indicators):
            decomposition = decomposition_section(report, threshold)
            csv_path = out_dir / "csv" / DECOMPOSITION_CSV
            csv_path.write_bytes(decomposition_csv(report.decomposition))
            written.append(csv_path)
        path = out_dir / f"{programme.short}.html"
        path.write_text(
            page.render(programme=programme, sections=sections, decomposition=decomposition, **common),
            encoding="utf-8",
        )
        written.append(path)
    return written


def build_report(cfg: Settings, out_dir: Path | None = None) -> Path:
    """Read the marts as bi_reader and (re)write the report folder; returns the path of index.html.

    The files are rendered into a temporary folder beside the report and then moved in one by one, so a reader
    never opens a half-written page; files of indicators or programmes that no longer exist are removed.
    """
    target = (out_dir or cfg.reports_dir).resolve()
    report = data.load(cfg.require_warehouse_url())
    if not report.programmes:
        raise RuntimeError("the marts hold no programme_indicator_status rows: publish the marts first")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rapport-", dir=target) as tmp:
        written = render(report, Path(tmp), cfg.small_number_threshold, datetime.now(numbers.AMSTERDAM))
        keep = set()
        for path in written:
            relative = path.relative_to(tmp)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            path.replace(target / relative)
            keep.add(target / relative)
    for stale in [*target.glob("*.html"), *target.glob("csv/*.csv")]:
        if stale not in keep:
            stale.unlink()
    log.info("programme report: %d programme page(s), %d file(s) in %s", len(report.programmes), len(keep), target)
    return target / "index.html"
