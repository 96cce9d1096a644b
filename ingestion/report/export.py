"""The CSV beside each chart: the same series, for Excel-NL (`;`, decimal comma, UTF-8 with BOM).

A suppressed cell is an empty field with a note, never its number (the marts hold none: value is null there).
"""

from __future__ import annotations

import csv
import io

from ingestion.report.data import DecompositionMonth, IndicatorReport
from ingestion.report.numbers import csv_number

HEADER = (
    "periode",
    "periodecode",
    "einde_periode",
    "almelo",
    "almelo_klasse",
    "almelo_herkomst",
    "twente",
    "twente_methode",
    "nederland",
    "toelichting",
)
ORIGIN = {"computed": "berekend uit bron", "reported": "programmadocumenten"}


def indicator_csv(indicator: IndicatorReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for point in indicator.series:
        notes = []
        if point.is_suppressed and point.almelo is None:
            notes.append("Almelo onderdrukt (klein aantal)")
        if point.is_provisional:
            notes.append("Almelo voorlopig")
        writer.writerow(
            (
                point.period_label,
                point.period_code,
                point.period_end.strftime("%d-%m-%Y"),
                csv_number(point.almelo, indicator.unit),
                point.almelo_label or "",
                ORIGIN.get(point.almelo_source or "", "") if point.almelo is not None or point.almelo_label else "",
                csv_number(point.twente, indicator.unit),
                point.twente_method or "",
                csv_number(point.nl, indicator.unit),
                "; ".join(notes),
            )
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


DECOMPOSITION_CSV = "bijstand_caseload_decompositie.csv"
DECOMPOSITION_HEADER = (
    "periode",
    "periodecode",
    "einde_periode",
    "uitkeringen_begin",
    "instroom_totaal",
    "instroom_nieuw",
    "herinstroom",
    "uitstroom_totaal",
    "uitstroom_werk",
    "uitstroom_andere_uitkering",
    "uitstroom_verhuizing",
    "uitstroom_overig",
    "uitkeringen_eind",
    "netto_verandering",
    "toelichting",
)
DECOMPOSITION_COLUMNS = (
    "caseload_begin",
    "instroom_totaal",
    "instroom_nieuw",
    "herinstroom",
    "uitstroom_totaal",
    "uitstroom_werk",
    "uitstroom_andere_uitkering",
    "uitstroom_verhuizing",
    "uitstroom_overig",
    "caseload_eind",
    "caseload_mutatie",
)


def decomposition_csv(months: list[DecompositionMonth]) -> bytes:
    """The caseload decomposition per month for Excel-NL; a suppressed cell is empty with a note."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(DECOMPOSITION_HEADER)
    for month in months:
        notes = []
        if month.has_suppressed_cells:
            notes.append("lege cellen onderdrukt (klein aantal)")
        if not month.is_terugkijkperiode_volledig:
            notes.append("herinstroom onvolledig: minder dan 12 eerdere maanden geleverd")
        writer.writerow(
            (
                month.period_label,
                month.period_code,
                month.period_end.strftime("%d-%m-%Y"),
                *(csv_number(getattr(month, column), "count") for column in DECOMPOSITION_COLUMNS),
                "; ".join(notes),
            )
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
