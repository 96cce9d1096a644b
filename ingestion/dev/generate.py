"""Synthetic Werkplein exports for demos, tests and benchmarks (SOURCES.md §4).

    python -m ingestion.dev.generate werkplein --scale N [--out DIR] [--months M] [--end YYYY-MM] [--seed S]
                                           [--gemeente 0141]

writes, for every month, ``werkplein_{uitkeringen,voorzieningen,activiteiten}_<gemeentecode>_<YYYYMM>.csv|.xlsx``
in exactly the columns, codes and dialect of the data contract, plus a ``GENERATED.md`` that says the folder is
synthetic demo data. Progress goes to stderr (one line per simulated year); the last stdout line is a JSON summary.
From Python: ``generate_werkplein(out_dir, scale=1, months=120, end="2024-12", seed=141, gemeentecode="0141")``.

What is simulated, month by month (scale 1 ~ Almelo; scale N multiplies every population):

* **Dossiers** (uitkeringen). Algemene bijstand (statistiekcode 01) is steered to a caseload path shaped like the
  indicator catalogue's ``ep_bijstandsdossiers`` (2.857 in June 2018, 2.587 on 31-12-2019, a COVID bump in 2020);
  IOAW (02), IOAZ (03) and Bbz (14) come on top (~6 %). Each month dossiers end with a hazard that depends on the
  doelgroep, the time on benefit and the economy; the reason is drawn per doelgroep (11/13 = naar werk). Persons
  reaching the AOW age leave with reden 15. Instroom is Poisson around "expected exits + a pull to the path".
* **Herinstroom**: a share of the persons who left (by reason) come back with a *new* dossier and the same BSN,
  most within 12 months.
* **Activiteiten** (maatschappelijke inzet): persons start and stop tegenprestatie / vrijwilligerswerk /
  mantelzorg so that ~50-70 % of doelgroep participatie is active (COVID dip in 2020); ``tegenprestatie`` on the
  uitkering is J exactly when a tegenprestatie activity is registered that month.
* **Voorzieningen** (SRG): jobcoach, participatieplaats, vervoer, andere/overige while on benefit; loonkostensubsidie
  and beschut werk start when a person leaves for work and run on after the benefit ended (as in the SRG, which
  also counts persons without a benefit).

Only the active population (plus persons scheduled to return) is kept in memory; every month's three files are
written as the month is simulated, so memory stays flat with the number of months and the row count.

**BSNs** are synthetic by construction: every person gets one stable BSN, drawn from the 9-series (first digit 9)
through a seeded permutation, completed with the check digit so it passes the elfproef (8-digit prefixes whose check
digit would be 10 are skipped). Persons are identified only by BSN; the contract has no name columns and none are
invented. The 9-series is a convention of this generator to make the numbers recognisable as synthetic; whether no
real BSN starts with 9 is not something this module can promise, so the data must still only be loaded through the
pseudonymising loader.

**Dialects** rotate by calendar month, so any run of 6+ months has all four variants:

====================  ========================================================================================
 months               file
====================  ========================================================================================
 Jun, Dec             ``.xlsx``, first sheet; dates as date cells (``dd-mm-yyyy``), amounts as numbers, codes with
                      leading zeros as text, BSN as a number (what spreadsheet exports do); a second sheet
                      "toelichting" that a loader must ignore
 Jan, Apr, Jul, Oct   ``.csv`` Windows-1252, ``;``, quoting only where needed, CRLF
 Feb, May, Aug, Nov   ``.csv`` UTF-8 with BOM, ``;``, quoting only where needed, CRLF
 Mar, Sep             ``.csv`` UTF-8 with BOM, ``;``, every field quoted (``"``), CRLF
====================  ========================================================================================

All CSVs use decimal comma and dates ``dd-mm-jjjj``. No column of the contract holds free text (doelgroep and soort
are fixed ASCII codes), so the Windows-1252 and UTF-8 files differ only by the BOM; no text column is invented to
force a non-ASCII character.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import math
import random
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingestion.files.drop import GENERATED_MARKER
from ingestion.privacy.bsn import elfproef

__all__ = [
    "COLUMNS", "DIALECTS", "ENTITIES", "BsnSequence", "Dialect", "dialect_for_month", "generate_werkplein", "main",
]  # fmt: skip

ENTITIES = ("uitkeringen", "voorzieningen", "activiteiten")

# Exactly the contract's columns, in its order (SOURCES.md §4).
COLUMNS: dict[str, tuple[str, ...]] = {
    "uitkeringen": (
        "peildatum", "gemeentecode", "registratienummer", "bsn", "geboortedatum", "geslacht", "postcode", "wijkcode",
        "statistiekcode", "leefvorm", "aantal_kostendelers", "ingangsdatum", "einddatum", "reden_beeindiging",
        "ontheffing_arbeidsplicht", "tegenprestatie", "doelgroep", "uitkeringsbedrag",
    ),
    "voorzieningen": (
        "peildatum", "gemeentecode", "registratienummer_voorziening", "bsn", "type_voorziening", "begindatum",
        "einddatum", "reden_einde", "participatieladder", "loonwaarde",
    ),
    "activiteiten": ("peildatum", "gemeentecode", "bsn", "soort", "uren_per_week"),
}  # fmt: skip

# How each column is typed in the XLSX variant (CSV cells are all text).
_XLSX_KINDS: dict[str, tuple[str, ...]] = {
    "uitkeringen": (
        "date", "text", "text", "int", "date", "text", "text", "text", "text", "int", "int", "date", "date", "text",
        "text", "text", "text", "decimal",
    ),
    "voorzieningen": ("date", "text", "text", "int", "text", "date", "date", "text", "int", "int"),
    "activiteiten": ("date", "text", "int", "text", "decimal"),
}  # fmt: skip


# --- dialects -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: str
    suffix: str  # ".csv" or ".xlsx"
    encoding: str | None  # Python codec for CSV ("utf-8-sig" writes the BOM)
    quote_all: bool = False


DIALECTS = {
    "csv-utf8-bom": Dialect("csv-utf8-bom", ".csv", "utf-8-sig"),
    "csv-cp1252": Dialect("csv-cp1252", ".csv", "cp1252"),
    "csv-utf8-bom-quoted": Dialect("csv-utf8-bom-quoted", ".csv", "utf-8-sig", quote_all=True),
    "xlsx": Dialect("xlsx", ".xlsx", None),
}


def dialect_for_month(month: int) -> Dialect:
    """The export dialect of a calendar month (1-12); see the module docstring's table."""
    if month in (6, 12):
        return DIALECTS["xlsx"]
    if month in (3, 9):
        return DIALECTS["csv-utf8-bom-quoted"]
    if month in (1, 4, 7, 10):
        return DIALECTS["csv-cp1252"]
    return DIALECTS["csv-utf8-bom"]


class _CsvOut:
    def __init__(self, path: Path, dialect: Dialect, columns: Sequence[str]) -> None:
        # newline="" so the csv module's CRLF is written as is; strict encoding: a character cp1252 lacks must fail.
        self._f = path.open("w", encoding=dialect.encoding, newline="", errors="strict")
        writer = csv.writer(
            self._f,
            delimiter=";",
            quotechar='"',
            quoting=csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL,
            lineterminator="\r\n",
        )
        writer.writerow(columns)
        self.writerow: Callable[[Sequence[str]], Any] = writer.writerow

    def close(self) -> None:
        self._f.close()


# Excel day numbers count from 1899-12-30 (the 1900 leap-year bug included).
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamps: the same seed gives the same bytes
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_XLSX_STATIC = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT_SHEET}"/>'
        f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT_SHEET}"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS_PKG}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "docProps/app.xml": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>ingestion.dev.generate</Application></Properties>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS_PKG}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Cell styles: 0 general, 1 date dd-mm-yyyy, 2 two decimals.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _xml_text(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in value:  # a literal CR would be read back as LF (XML normalises line ends); a reference stays CR
        value = value.replace("\r", "&#13;")
    return value


class _XlsxOut:
    """A minimal SpreadsheetML workbook whose first sheet is streamed row by row (memory stays flat).

    Hand-written rather than openpyxl: openpyxl's write-only mode costs ~1 ms per row here, which made the XLSX
    months most of a run. The result is read back by openpyxl and pandas in the tests.
    """

    _FLUSH_ROWS = 2000

    def __init__(self, path: Path, entity: str, columns: Sequence[str], peildatum: date) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        for name, xml in _XLSX_STATIC.items():
            self._put(name, _XML_HEAD + xml)
        self._put(
            "docProps/core.xml",
            _XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>ingestion.dev.generate (synthetische demodata)</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{peildatum.isoformat()}T00:00:00Z</dcterms:created>'
            "</cp:coreProperties>",
        )
        self._put(
            "xl/workbook.xml",
            _XML_HEAD + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>'
            f'<sheet name="{entity}" sheetId="1" r:id="rId1"/><sheet name="toelichting" sheetId="2" r:id="rId2"/>'
            "</sheets></workbook>",
        )
        self._info = [
            ["Werkplein export " + entity, "peildatum " + _fmt(peildatum)],
            ["Synthetische demodata gemaakt door python -m ingestion.dev.generate; geen echte personen."],
            ["De gegevens staan op het eerste tabblad."],
        ]
        # Rows go to an uncompressed temp file first: the sheet must start with its <dimension> (readers such as
        # openpyxl's read-only mode pad short rows to it), and the row count is only known at the end.
        self._tmp = tempfile.TemporaryFile()  # noqa: SIM115 -- lives until close(), like the zip
        # Amounts get two decimals; uren_per_week stays General.
        decimal_style = ' s="2"' if entity == "uitkeringen" else ""
        letters = [chr(ord("A") + i) for i in range(len(columns))]
        self._last_col = letters[-1]
        self._cells = [(c, kind, decimal_style) for c, kind in zip(letters, _XLSX_KINDS[entity], strict=True)]
        self._dates: dict[str, int] = {}
        self._rows = 1
        self._buf: list[str] = [self._text_row(1, columns)]

    def _put(self, name: str, text: str) -> None:
        info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, text.encode("utf-8"))

    def _text_row(self, r: int, values: Sequence[str]) -> str:
        cells = "".join(
            f'<c r="{chr(ord("A") + i)}{r}" t="inlineStr"><is><t>{_xml_text(v)}</t></is></c>'
            for i, v in enumerate(values)
        )
        return f'<row r="{r}">{cells}</row>'

    def writerow(self, row: Sequence[str]) -> None:
        self._rows += 1
        r = self._rows
        parts = [f'<row r="{r}">']
        for (letter, kind, decimal_style), raw in zip(self._cells, row, strict=True):
            if not raw:
                continue  # an empty cell is simply absent
            if kind == "text":
                parts.append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{_xml_text(raw)}</t></is></c>')
            elif kind == "date":
                serial = self._dates.get(raw)
                if serial is None:
                    serial = date(int(raw[6:]), int(raw[3:5]), int(raw[:2])).toordinal() - _EXCEL_EPOCH
                    self._dates[raw] = serial
                parts.append(f'<c r="{letter}{r}" s="1"><v>{serial}</v></c>')
            elif kind == "decimal":
                parts.append(f'<c r="{letter}{r}"{decimal_style}><v>{raw.replace(",", ".")}</v></c>')
            else:
                parts.append(f'<c r="{letter}{r}"><v>{raw}</v></c>')
        parts.append("</row>")
        self._buf.append("".join(parts))
        if len(self._buf) >= self._FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        self._tmp.write("".join(self._buf).encode("utf-8"))
        self._buf.clear()

    def close(self) -> None:
        self._flush()
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with self._zip.open(info, "w", force_zip64=True) as sheet:
            head = f'<worksheet xmlns="{_NS_MAIN}"><dimension ref="A1:{self._last_col}{self._rows}"/><sheetData>'
            sheet.write((_XML_HEAD + head).encode("utf-8"))
            self._tmp.seek(0)
            shutil.copyfileobj(self._tmp, sheet, 1 << 20)
            sheet.write(b"</sheetData></worksheet>")
        self._tmp.close()
        rows = "".join(self._text_row(i, line) for i, line in enumerate(self._info, start=1))
        sheet2 = f'<worksheet xmlns="{_NS_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
        self._put("xl/worksheets/sheet2.xml", _XML_HEAD + sheet2)
        self._zip.close()


def _open_out(path: Path, dialect: Dialect, entity: str, peildatum: date) -> _CsvOut | _XlsxOut:
    if dialect.suffix == ".xlsx":
        return _XlsxOut(path, entity, COLUMNS[entity], peildatum)
    return _CsvOut(path, dialect, COLUMNS[entity])


# --- calendar helpers (a month is an int: year * 12 + month - 1) -----------------------------------------------------


def _ym(year: int, month: int) -> int:
    return year * 12 + month - 1


def _ym_label(ym: int) -> str:
    return f"{ym // 12:04d}-{ym % 12 + 1:02d}"


def _days_in(ym: int) -> int:
    return calendar.monthrange(ym // 12, ym % 12 + 1)[1]


def _fmt(d: date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def _parse_month(value: str) -> int:
    try:
        year, month = (int(part) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"month {value!r} is not YYYY-MM") from None
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise ValueError(f"month {value!r} is not YYYY-MM")
    return _ym(year, month)


def _interpolate(anchors: Sequence[tuple[int, float]], ym: int) -> float:
    """Piecewise-linear through (month, value) anchors, flat outside them."""
    if ym <= anchors[0][0]:
        return anchors[0][1]
    for (m0, v0), (m1, v1) in zip(anchors, anchors[1:], strict=False):
        if ym <= m1:
            return v0 + (v1 - v0) * (ym - m0) / (m1 - m0)
    return anchors[-1][1]


# --- calibration (scale 1 ~ Almelo) -----------------------------------------------------------------------------------

# Algemene bijstand (01) dossiers at the end of the month. Catalogue ep_bijstandsdossiers: 2018-06 = 2.857,
# 2019-01-01 = 2.706 (so end of December 2018), 2019-12-31 = 2.587, 2020-05-12 = 2.650; COVID bump in 2020, then
# the post-COVID fall (the 2.200 target for 2022 is not reached).
_CASELOAD_01 = [
    (_ym(2015, 1), 2690), (_ym(2016, 6), 2800), (_ym(2017, 6), 2880), (_ym(2018, 6), 2857), (_ym(2018, 12), 2706),
    (_ym(2019, 12), 2587), (_ym(2020, 2), 2575), (_ym(2020, 5), 2650), (_ym(2020, 9), 2705), (_ym(2020, 12), 2665),
    (_ym(2021, 6), 2580), (_ym(2021, 12), 2490), (_ym(2022, 6), 2420), (_ym(2022, 12), 2400), (_ym(2023, 12), 2430),
    (_ym(2024, 12), 2470),
]  # fmt: skip
# The other regelingen as a share of the 01 path.
_GROUP_SHARE = {"01": 1.0, "02": 0.040, "03": 0.008, "14": 0.012}

# Monthly exit hazard by doelgroep (01) or statistiekcode (02/03/14), before the economy and duration factors.
_HAZARD = {"werkfit": 0.050, "participatie": 0.017, "zorgbehoevend": 0.009, "02": 0.010, "03": 0.008, "14": 0.045}
# Economy: good 2018-2019 (actieplan arbeidsmarkt), COVID from March 2020, tight labour market 2022.
_ECONOMY = [
    (_ym(2017, 12), 1.0), (_ym(2018, 1), 1.08), (_ym(2020, 2), 1.08), (_ym(2020, 3), 0.70), (_ym(2020, 12), 0.75),
    (_ym(2021, 12), 0.95), (_ym(2022, 6), 1.10), (_ym(2023, 6), 1.0),
]  # fmt: skip

# Reden beeindiging by doelgroep/regeling. The contract fixes 11, 13, 14, 15, 31-35 (administratief: verhuizing,
# overlijden, detentie, ...) and 99; how 31-35 are split is this generator's assumption: 31 verhuizing,
# 32 overlijden, 33 detentie, 34/35 other administrative ends.
_REASONS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "werkfit": (("11", "13", "14", "15", "31", "32", "33", "34", "35", "99"), (52, 5, 4, 4, 12, 1, 2, 3, 2, 15)),
    "participatie": (("11", "13", "14", "15", "31", "32", "33", "34", "35", "99"), (34, 3, 2, 10, 14, 2, 2, 5, 3, 25)),
    "zorgbehoevend": (("11", "13", "14", "15", "31", "32", "33", "34", "35", "99"), (8, 1, 1, 30, 14, 10, 2, 8, 4, 22)),
    "02": (("11", "15", "31", "32", "99"), (15, 40, 10, 5, 30)),
    "03": (("13", "15", "31", "32", "99"), (10, 45, 10, 5, 30)),
    "14": (("13", "11", "15", "31", "99"), (55, 15, 5, 5, 20)),
}

# Chance that a person comes back (new dossier, same BSN) after leaving for this reason; delay ~ 1 + Exp(mean 7)
# months, so about 4 in 5 returns fall within 12 months (herinstroom, catalogue ep_herinstroom_bijstand).
_RETURN_P = {"11": 0.12, "13": 0.08, "14": 0.10, "15": 0.02, "31": 0.01, "33": 0.20, "34": 0.08, "35": 0.06, "99": 0.08}
_RETURN_MEAN_DELAY = 7.0

# Share of doelgroep participatie with maatschappelijke inzet that activity starts steer to. New entrants (no
# activity yet) keep the realised share some 5 points below it: ~50 % in 2015 to ~65 % in 2022-2024, so the
# catalogue target (70 % in 2022) is approached but not met. Activities were largely suspended in spring 2020.
_INZET_PARTICIPATIE = [
    (_ym(2015, 1), 0.52), (_ym(2019, 12), 0.62), (_ym(2020, 3), 0.62), (_ym(2020, 5), 0.48), (_ym(2020, 9), 0.50),
    (_ym(2021, 12), 0.64), (_ym(2022, 12), 0.70), (_ym(2024, 12), 0.72),
]  # fmt: skip
_INZET_OTHER = {"zorgbehoevend": 0.25, "werkfit": 0.10}
_INZET_STOP = 0.04  # monthly chance an activity ends
_SOORT = {
    "participatie": (("vrijwilligerswerk", "tegenprestatie", "mantelzorg"), (45, 35, 20)),
    "zorgbehoevend": (("mantelzorg", "vrijwilligerswerk", "tegenprestatie"), (50, 40, 10)),
    "werkfit": (("vrijwilligerswerk", "tegenprestatie"), (60, 40)),
}
_UREN = ("2", "3", "4", "4", "6", "6", "7,5", "8", "8", "10", "12", "12", "16", "20", "24")

# Voorzieningen started while on benefit: monthly chance, then type -> (min, max) duration in months.
_VOORZ_START = {"werkfit": 0.03, "participatie": 0.012, "zorgbehoevend": 0.002}
_VOORZ_TYPES = {
    "werkfit": (("06", "08", "07", "99"), (25, 45, 15, 15)),
    "participatie": (("03", "06", "08", "07", "99"), (20, 15, 35, 10, 20)),
    "zorgbehoevend": (("08", "99"), (50, 50)),
}
_VOORZ_DURATION = {"01": (6, 12), "03": (6, 18), "06": (3, 9), "07": (1, 6), "08": (2, 9), "99": (3, 12)}
# Leaving for work (reden 11): chance of a loonkostensubsidie (04) or beschut werk (05) that runs on afterwards.
_LKS_P = {"participatie": 0.15, "werkfit": 0.06, "zorgbehoevend": 0.10}
_BESCHUT_P = {"participatie": 0.03, "zorgbehoevend": 0.06, "werkfit": 0.0}
_LADDER = {"zorgbehoevend": (1, 2), "participatie": (2, 4), "werkfit": (3, 4)}

# Netto gehuwdennorm per 1 January, euro per month excl. vakantiegeld (approximate: the shape matters, not the cent).
_NORM = {2014: 1368, 2015: 1373, 2016: 1375, 2017: 1387, 2018: 1401, 2019: 1430, 2020: 1457, 2021: 1480,
         2022: 1522, 2023: 1766, 2024: 1830}  # fmt: skip
# AOW age (months) by calendar year; the benefit ends when it is reached.
_AOW_AGE = {2015: 783, 2016: 786, 2017: 789, 2018: 792, 2019: 796, 2020: 796, 2021: 796, 2022: 799, 2023: 802,
            2024: 804}  # fmt: skip

# Almelo home addresses: PC4 7601-7609 (7600 left out, assumed to be postbussen). The wijkcode WK<gemeente><nn> is
# derived from the PC4 (synthetic, not CBS's real wijk boundaries, but CBS's real numbering: Almelo's wijken are
# numbered 10..21, ingestion/config/cbs_evidence/almelo_regions.md): PC4 76xy -> wijk 1y, filled for ~70 % of persons.
# The addresses of PC4 7609 whose letters start with X or Z form a small wijk of their own (nn = 20, Aadorp's number,
# ~1 % of persons, a rural wijk): its caseload is a small number in most months, as real small wijken are (the marts
# suppress it).
_PC4 = (7601, 7602, 7603, 7604, 7605, 7606, 7607, 7608, 7609)
_PC4_W = (6, 10, 9, 12, 14, 11, 15, 13, 10)
# Dutch postcodes do not use the letters F, I, O, Q, U, Y, nor the combinations SA, SD, SS.
_PC_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


def _cumulate(weights: Sequence[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


_REASON_CUM = {k: (codes, _cumulate(w)) for k, (codes, w) in _REASONS.items()}


# --- BSNs -----------------------------------------------------------------------------------------------------------


class BsnSequence:
    """Unique synthetic BSNs: ``9`` + a seeded permutation of 0..9 999 999 + the elfproef check digit.

    The permutation (a 4-round Feistel network on 24 bits, cycle-walked into [0, 10**7)) scatters consecutive
    persons over the whole 9-series, so no order or count can be read from the numbers, and it is a bijection, so
    no number repeats. About 1 in 11 prefixes has no valid check digit (it would be 10) and is skipped: ~9.1 million
    BSNs per seed, far more than any scale needs.
    """

    _SPACE = 10**7

    def __init__(self, rng: random.Random) -> None:
        self._keys = tuple(rng.getrandbits(32) for _ in range(4))
        self._counter = 0

    def _permute(self, x: int) -> int:
        left, right = x >> 12, x & 0xFFF
        for key in self._keys:
            mixed = ((right ^ key) * 0x45D9F3B + key) & 0xFFFFFFFF
            left, right = right, left ^ ((mixed ^ (mixed >> 15)) & 0xFFF)
        return (left << 12) | right

    def next(self) -> str:
        while self._counter < self._SPACE:
            y = self._permute(self._counter)
            self._counter += 1
            while y >= self._SPACE:  # cycle walking: stays a bijection on [0, 10**7)
                y = self._permute(y)
            prefix = f"9{y:07d}"
            total = sum(w * int(c) for w, c in zip((9, 8, 7, 6, 5, 4, 3, 2), prefix, strict=True))
            check = total % 11
            if check < 10:
                bsn = prefix + str(check)
                if not elfproef(bsn):  # cheap insurance: the generator must never emit an invalid number
                    raise RuntimeError(f"generated BSN {bsn} fails the elfproef")
                return bsn
        raise RuntimeError("synthetic BSN space exhausted (more than ~9 million persons)")


# --- the simulation -------------------------------------------------------------------------------------------------


class _Person:
    __slots__ = ("bsn", "birth_ym", "birth_s", "sex", "postcode", "wijk", "lks")

    def __init__(self, bsn: str, birth: date, sex: str, postcode: str, wijk: str) -> None:
        self.bsn = bsn
        self.birth_ym = _ym(birth.year, birth.month)
        self.birth_s = _fmt(birth)
        self.sex = sex
        self.postcode = postcode
        self.wijk = wijk
        self.lks: _Voorziening | None = None  # a loonkostensubsidie / beschut werk running after the benefit


class _Dossier:
    __slots__ = (
        "regnr", "person", "group", "doelgroep", "hkey", "leefvorm", "kostendelers", "start_s", "start_ym",
        "ontheffing", "income_cut", "amount_s", "amount_year", "acts", "voorz",
    )  # fmt: skip

    def __init__(self) -> None:
        self.acts: tuple[tuple[str, str], ...] | None = None
        self.voorz: _Voorziening | None = None
        self.amount_year = -1


class _Voorziening:
    __slots__ = ("regnr", "bsn", "type", "begin_s", "end_ym", "end_s", "reden", "ladder", "loonwaarde")

    def __init__(self, regnr: str, bsn: str, vtype: str, begin: date, end_ym: int, ladder: int, loonwaarde: str):
        self.regnr = regnr
        self.bsn = bsn
        self.type = vtype
        self.begin_s = _fmt(begin)
        self.end_ym = end_ym  # planned last month
        self.end_s = ""  # set when it ends (this month's row then carries einddatum and reden_einde)
        self.reden = ""
        self.ladder = str(ladder)
        self.loonwaarde = loonwaarde


@dataclass
class _YearStats:
    instroom: int = 0
    uitstroom: int = 0
    naar_werk: int = 0
    herinstroom_12m: int = 0


class _Simulation:
    def __init__(self, rng: random.Random, scale: float, gemeentecode: str) -> None:
        self.rng = rng
        self.scale = scale
        self.gem = gemeentecode
        self.bsns = BsnSequence(rng)
        self.active: list[_Dossier] = []
        self.voorz: dict[str, _Voorziening] = {}
        self.returns: dict[int, list[tuple[_Person, _Dossier, date]]] = {}
        self.n_dossiers = 0
        self.n_voorz = 0
        self.n_persons = 0
        self.inzet_have = {"participatie": 0, "zorgbehoevend": 0, "werkfit": 0}
        self.inzet_total = {"participatie": 0, "zorgbehoevend": 0, "werkfit": 0}
        self.herinstroom_12m = 0

    # -- building blocks

    def _pick(self, table: tuple[tuple[str, ...], tuple[int, ...]]) -> str:
        codes, weights = table
        return self.rng.choices(codes, weights=weights)[0]

    def _day(self, ym: int) -> date:
        return date(ym // 12, ym % 12 + 1, self.rng.randint(1, _days_in(ym)))

    def _postcode(self) -> tuple[str, str]:
        rng = self.rng
        pc4 = rng.choices(_PC4, weights=_PC4_W)[0]
        while True:
            letters = rng.choice(_PC_LETTERS) + rng.choice(_PC_LETTERS)
            if letters not in ("SA", "SD", "SS"):
                break
        # no extra draw for the small wijk: the random stream (and every other generated value) stays as it was
        nn = 20 if pc4 == 7609 and letters[0] in "XZ" else pc4 - 7590
        wijk = f"WK{self.gem}{nn:02d}" if rng.random() < 0.7 else ""
        return f"{pc4}{letters}", wijk

    def _new_person(self, ym: int, group: str, stock: bool, leefvorm: str) -> _Person:
        rng = self.rng
        aow = _AOW_AGE.get(ym // 12, 804 if ym // 12 > 2024 else 783)
        if group == "02":
            age = rng.randint(50 * 12, aow - 6)
        elif group == "03":
            age = rng.randint(55 * 12, aow - 6)
        elif group == "14":
            age = rng.randint(23 * 12, 60 * 12)
        else:
            u = rng.random()
            young, mid = (0.10, 0.62) if stock else (0.22, 0.75)
            if u < young:
                age = rng.randint(18 * 12, 27 * 12 - 1)
            elif u < mid:
                age = rng.randint(27 * 12, 50 * 12 - 1)
            else:
                age = rng.randint(50 * 12, aow - 3)
        birth_ym = ym - age
        birth = date(birth_ym // 12, birth_ym % 12 + 1, rng.randint(1, _days_in(birth_ym)))
        u = rng.random()
        if u < 0.003:
            sex = "O"
        elif leefvorm == "2":
            sex = "V" if u < 0.85 else "M"
        else:
            sex = "V" if u < 0.50 else "M"
        postcode, wijk = self._postcode()
        self.n_persons += 1
        return _Person(self.bsns.next(), birth, sex, postcode, wijk)

    def _set_doelgroep(self, d: _Dossier, doelgroep: str) -> None:
        d.doelgroep = doelgroep
        d.hkey = doelgroep if d.group == "01" else d.group
        p_ontheffing = {"zorgbehoevend": 0.75, "participatie": 0.12, "werkfit": 0.02}[doelgroep]
        if d.group != "01":
            p_ontheffing = 0.08
        d.ontheffing = "J" if self.rng.random() < p_ontheffing else "N"

    def _new_dossier(self, person: _Person, group: str, start: date, doelgroep: str, leefvorm: str) -> _Dossier:
        rng = self.rng
        d = _Dossier()
        self.n_dossiers += 1
        d.regnr = f"UK{self.gem}{self.n_dossiers:07d}"
        d.person = person
        d.group = group
        d.leefvorm = leefvorm
        u = rng.random()
        if group != "01":  # no kostendelersnorm in IOAW/IOAZ/Bbz here: one adult, or the couple
            d.kostendelers = "2" if leefvorm == "3" else "1"
        elif leefvorm == "3":
            d.kostendelers = "2" if u < 0.90 else ("3" if u < 0.98 else "4")
        elif leefvorm == "2":
            d.kostendelers = "1" if u < 0.90 else ("2" if u < 0.98 else "3")
        else:
            d.kostendelers = "1" if u < 0.78 else ("2" if u < 0.93 else ("3" if u < 0.98 else "4"))
        d.start_s = _fmt(start)
        d.start_ym = _ym(start.year, start.month)
        d.income_cut = 0.0 if rng.random() < 0.75 else rng.uniform(0.10, 0.70)
        self._set_doelgroep(d, doelgroep)
        return d

    def _amount(self, d: _Dossier, year: int) -> str:
        if d.amount_year != year:
            norm = _NORM.get(year, _NORM[2014] if year < 2014 else _NORM[2024])
            a = int(d.kostendelers)
            # Kostendelersnorm: (40 + 30 * A) / A percent of the gehuwdennorm per adult (A = 1: 70 %).
            per_adult = norm * (40 + 30 * a) / (100 * a)
            base = 2 * per_adult if d.leefvorm == "3" else per_adult
            d.amount_s = f"{base * (1 - d.income_cut):.2f}".replace(".", ",")
            d.amount_year = year
        return d.amount_s

    def _doelgroep_for(self, group: str, stock: bool) -> str:
        if group == "14":
            return "werkfit" if self.rng.random() < 0.7 else "participatie"
        if group in ("02", "03"):
            return self._pick((("participatie", "zorgbehoevend", "werkfit"), (50, 35, 15)))
        weights = (13, 49, 38) if stock else (35, 47, 18)
        return self._pick((("werkfit", "participatie", "zorgbehoevend"), weights))

    def _leefvorm(self) -> str:
        u = self.rng.random()
        return "1" if u < 0.58 else ("2" if u < 0.80 else "3")

    def _new_acts(self, doelgroep: str) -> tuple[tuple[str, str], ...]:
        rng = self.rng
        first = self._pick(_SOORT[doelgroep])
        acts = [(first, rng.choice(_UREN))]
        if rng.random() < 0.08:
            second = self._pick(_SOORT[doelgroep])
            if second != first:
                acts.append((second, rng.choice(_UREN)))
        return tuple(acts)

    def _new_voorziening(
        self, bsn: str, vtype: str, begin: date, months: int, ladder: int, loonwaarde: str
    ) -> _Voorziening:
        self.n_voorz += 1
        v = _Voorziening(
            f"RV{self.gem}{self.n_voorz:07d}", bsn, vtype, begin, _ym(begin.year, begin.month) + months, ladder,
            loonwaarde,
        )
        self.voorz[v.regnr] = v
        return v

    def _voorziening_on_benefit(self, d: _Dossier, begin: date, ym: int) -> None:
        rng = self.rng
        vtype = self._pick(_VOORZ_TYPES[d.doelgroep])
        if vtype == "06" and ym < _ym(2017, 1) and rng.random() < 0.3:
            vtype = "01"  # the older tijdelijke loonkostensubsidie still shows up in the first years
        low, high = _VOORZ_DURATION[vtype]
        ladder = rng.randint(*_LADDER[d.doelgroep])
        if d.acts and ladder < 4:
            ladder += 1  # active in society: at least one rung higher
        loonwaarde = str(rng.randrange(30, 80, 5)) if vtype == "01" else ""
        d.voorz = self._new_voorziening(d.person.bsn, vtype, begin, rng.randint(low, high), ladder, loonwaarde)

    def _work_voorziening(self, person: _Person, doelgroep: str, begin: date) -> None:
        """Loonkostensubsidie or beschut werk when leaving for work; it outlives the benefit."""
        rng = self.rng
        u = rng.random()
        if u < _BESCHUT_P[doelgroep]:
            v = self._new_voorziening(person.bsn, "05", begin, rng.randint(36, 120), 5, str(rng.randrange(15, 45, 5)))
        elif u < _BESCHUT_P[doelgroep] + _LKS_P[doelgroep]:
            v = self._new_voorziening(person.bsn, "04", begin, rng.randint(12, 36), 5, str(rng.randrange(30, 90, 5)))
        else:
            return
        person.lks = v

    # -- initial state

    def seed_population(self, ym0: int) -> None:
        rng = self.rng
        for group, share in _GROUP_SHARE.items():
            target = _interpolate(_CASELOAD_01, ym0 - 1) * share * self.scale
            for _ in range(_round_random(rng, target)):
                leefvorm = self._leefvorm()
                person = self._new_person(ym0, group, True, leefvorm)
                max_months = max(1, ym0 - person.birth_ym - 18 * 12)
                months_on = 1 + min(int(rng.expovariate(1 / 48)), max_months - 1, 20 * 12)
                start = self._day(ym0 - months_on)
                d = self._new_dossier(person, group, start, self._doelgroep_for(group, True), leefvorm)
                s = _INZET_OTHER.get(d.doelgroep, _interpolate(_INZET_PARTICIPATIE, ym0))
                if rng.random() < s:
                    d.acts = self._new_acts(d.doelgroep)
                if rng.random() < {"werkfit": 0.12, "participatie": 0.08, "zorgbehoevend": 0.01}[d.doelgroep]:
                    back = rng.randint(0, min(12, months_on - 1))
                    self._voorziening_on_benefit(d, max(start, self._day(ym0 - 1 - back)), ym0)
                    d.voorz.end_ym = max(d.voorz.end_ym, ym0)
                self.active.append(d)
        # Loonkostensubsidie / beschut werk of persons who left the benefit before the first month.
        for _ in range(_round_random(rng, 0.025 * _interpolate(_CASELOAD_01, ym0) * self.scale)):
            person = self._new_person(ym0, "01", True, self._leefvorm())
            begin = self._day(ym0 - 1 - rng.randint(0, 24))
            self._work_voorziening(person, "participatie" if rng.random() < 0.7 else "zorgbehoevend", begin)
            if person.lks is not None:
                person.lks.end_ym = max(person.lks.end_ym, ym0)

    # -- one month

    def month(self, ym: int, outs: dict[str, _CsvOut | _XlsxOut], stats: _YearStats) -> dict[str, int]:
        rng = self.rng
        rand = rng.random
        year = ym // 12
        peil = date(year, ym % 12 + 1, _days_in(ym))
        peil_s = _fmt(peil)
        gem = self.gem
        write_u = outs["uitkeringen"].writerow
        write_a = outs["activiteiten"].writerow
        rows = {"uitkeringen": 0, "voorzieningen": 0, "activiteiten": 0}
        economy = _interpolate(_ECONOMY, ym)
        aow = _AOW_AGE.get(year, 804 if year > 2024 else 783)

        # Activity starts per doelgroep: keep the share near its path, given last month's counts.
        start_p: dict[str, float] = {}
        for dg in ("participatie", "zorgbehoevend", "werkfit"):
            share = _interpolate(_INZET_PARTICIPATIE, ym) if dg == "participatie" else _INZET_OTHER[dg]
            total, have = self.inzet_total[dg], self.inzet_have[dg]
            without = total - have
            wanted = _INZET_STOP * have + 0.3 * (share * total - have)
            start_p[dg] = min(0.5, max(0.0, wanted / without)) if without > 0 else 0.0
        inzet_have = dict.fromkeys(start_p, 0)
        inzet_total = dict.fromkeys(start_p, 0)

        current = dict.fromkeys(_GROUP_SHARE, 0)
        expected_exits = dict.fromkeys(_GROUP_SHARE, 0.0)
        survivors: list[_Dossier] = []
        for d in self.active:
            person = d.person
            current[d.group] += 1
            reason = ""
            if ym - person.birth_ym >= aow:
                reason = "15"  # AOW age: on to another benefit
                expected_exits[d.group] += 1.0
            else:
                months_on = ym - d.start_ym
                h = _HAZARD[d.hkey] * economy * (1.6 if months_on < 12 else (1.0 if months_on < 60 else 0.65))
                expected_exits[d.group] += h
                if rand() < h:
                    codes, cum = _REASON_CUM[d.hkey]
                    reason = rng.choices(codes, cum_weights=cum)[0]
            if reason:
                end = self._day(ym)
                write_u((
                    peil_s, gem, d.regnr, person.bsn, person.birth_s, person.sex, person.postcode, person.wijk,
                    d.group, d.leefvorm, d.kostendelers, d.start_s, _fmt(end), reason, d.ontheffing,
                    "J" if d.acts and any(s == "tegenprestatie" for s, _ in d.acts) else "N", d.doelgroep,
                    self._amount(d, year),
                ))  # fmt: skip
                rows["uitkeringen"] += 1
                self._end(d, ym, end, reason, stats)
                continue

            # Rare events share one draw: doelgroep change, income change, a move within the gemeente.
            u = rand()
            if u < 0.02:
                if u < 0.006 and d.group == "01":
                    moves = {"participatie": "werkfit", "werkfit": "participatie", "zorgbehoevend": "participatie"}
                    self._set_doelgroep(d, moves[d.doelgroep])
                elif u < 0.014:
                    d.income_cut = 0.0 if rand() < 0.6 else rng.uniform(0.10, 0.70)
                    d.amount_year = -1
                elif u < 0.016:
                    person.postcode, person.wijk = self._postcode()
            dg = d.doelgroep
            if d.acts:
                if rand() < _INZET_STOP:
                    d.acts = None
            elif rand() < start_p[dg]:
                d.acts = self._new_acts(dg)
            if d.voorz is None:
                if rand() < _VOORZ_START[dg]:
                    self._voorziening_on_benefit(d, self._day(ym), ym)
            elif d.voorz.end_s:  # it ended at its planned date last month
                d.voorz = None
            tegenprestatie = "N"
            inzet_total[dg] += 1
            if d.acts:
                inzet_have[dg] += 1
                for soort, uren in d.acts:
                    write_a((peil_s, gem, person.bsn, soort, uren))
                    rows["activiteiten"] += 1
                    if soort == "tegenprestatie":
                        tegenprestatie = "J"
            write_u((
                peil_s, gem, d.regnr, person.bsn, person.birth_s, person.sex, person.postcode, person.wijk, d.group,
                d.leefvorm, d.kostendelers, d.start_s, "", "", d.ontheffing, tegenprestatie, dg, self._amount(d, year),
            ))  # fmt: skip
            rows["uitkeringen"] += 1
            survivors.append(d)

        # Instroom: returners due this month first, then new persons, per regeling.
        returning = self.returns.pop(ym, [])
        returners_by_group = {g: [r for r in returning if r[1].group == g] for g in _GROUP_SHARE}
        for group, share in _GROUP_SHARE.items():
            target = _interpolate(_CASELOAD_01, ym) * share * self.scale
            mu = max(0.35 * expected_exits[group], expected_exits[group] + 0.6 * (target - current[group]))
            n_in = _poisson(rng, mu)
            group_returners = returners_by_group[group]
            for person, previous, prev_end in group_returners:
                start = self._day(ym)
                if person.lks is not None and not person.lks.end_s:  # the subsidised job did not last
                    person.lks.end_s, person.lks.reden = _fmt(min(start, peil)), "2"
                    person.lks = None
                if rand() < 0.15:
                    person.postcode, person.wijk = self._postcode()
                leefvorm = previous.leefvorm if rand() < 0.9 else self._leefvorm()
                d = self._new_dossier(person, group, start, previous.doelgroep, leefvorm)
                if (start - prev_end).days <= 365:
                    stats.herinstroom_12m += 1
                    self.herinstroom_12m += 1
                survivors.append(d)
                self._write_new(d, peil_s, year, write_u)
                rows["uitkeringen"] += 1
            for _ in range(max(0, n_in - len(group_returners))):
                leefvorm = self._leefvorm()
                person = self._new_person(ym, group, False, leefvorm)
                d = self._new_dossier(person, group, self._day(ym), self._doelgroep_for(group, False), leefvorm)
                survivors.append(d)
                self._write_new(d, peil_s, year, write_u)
                rows["uitkeringen"] += 1
            stats.instroom += max(n_in, len(group_returners))
        self.active = survivors
        self.inzet_have, self.inzet_total = inzet_have, inzet_total

        # Voorzieningen: active ones, ended ones (planned end now, or ended with the benefit) once more, then gone.
        write_v = outs["voorzieningen"].writerow
        keep: dict[str, _Voorziening] = {}
        for v in self.voorz.values():
            if not v.end_s and v.end_ym <= ym:
                v.end_s = _fmt(self._day(ym))
                v.reden = "1" if rand() < 0.75 else "2"
            write_v((peil_s, gem, v.regnr, v.bsn, v.type, v.begin_s, v.end_s, v.reden, v.ladder, v.loonwaarde))
            rows["voorzieningen"] += 1
            if not v.end_s:
                keep[v.regnr] = v
        self.voorz = keep
        return rows

    def _write_new(self, d: _Dossier, peil_s: str, year: int, write_u: Callable[[Sequence[str]], Any]) -> None:
        p = d.person
        write_u((
            peil_s, self.gem, d.regnr, p.bsn, p.birth_s, p.sex, p.postcode, p.wijk, d.group, d.leefvorm,
            d.kostendelers, d.start_s, "", "", d.ontheffing, "N", d.doelgroep, self._amount(d, year),
        ))  # fmt: skip

    def _end(self, d: _Dossier, ym: int, end: date, reason: str, stats: _YearStats) -> None:
        rng = self.rng
        end_s = _fmt(end)
        stats.uitstroom += 1
        if reason in ("11", "13"):
            stats.naar_werk += 1
        v = d.voorz
        if v is not None and not v.end_s:
            v.end_s = end_s
            v.reden = "1" if reason in ("11", "13") else ("3" if reason in ("31", "32", "33", "34", "35") else "2")
        if reason == "11" and d.group == "01":
            self._work_voorziening(d.person, d.doelgroep, end)
        p_return = _RETURN_P.get(reason, 0.0)
        if p_return and rng.random() < p_return:
            delay = 1 + int(rng.expovariate(1 / _RETURN_MEAN_DELAY))
            if delay <= 36:
                group = d.group if d.group in ("01", "02") else "01"
                d.group = group  # the returner's new dossier is counted in this regeling
                self.returns.setdefault(ym + delay, []).append((d.person, d, end))
        d.acts = None
        d.voorz = None


def _poisson(rng: random.Random, mu: float) -> int:
    if mu <= 0:
        return 0
    if mu > 40:
        return max(0, round(rng.gauss(mu, math.sqrt(mu))))
    limit, k, p = math.exp(-mu), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _round_random(rng: random.Random, x: float) -> int:
    """Round so that the expectation is x (small scales keep their small groups on average)."""
    whole = math.floor(x)
    return whole + (1 if rng.random() < x - whole else 0)


# --- entry points ---------------------------------------------------------------------------------------------------


def _file_name(entity: str, gemeentecode: str, ym: int, dialect: Dialect) -> str:
    return f"werkplein_{entity}_{gemeentecode}_{ym // 12:04d}{ym % 12 + 1:02d}{dialect.suffix}"


def _generated_md(params: dict[str, Any], summary: dict[str, Any]) -> str:
    variants = ", ".join(f"{name}: {count} months" for name, count in summary["dialects"].items())
    return f"""# Synthetic demo data — not a real Werkplein export

Every file in this folder was generated by

    python -m ingestion.dev.generate werkplein --scale {params["scale"]} --months {params["months"]} \\
        --end {params["end"]} --seed {params["seed"]} --gemeente {params["gemeentecode"]}

(`ingestion/dev/generate.py`). No row describes a real person: BSNs, birth dates, postcodes, dossiers and amounts are
simulated. The BSNs are synthetic 9-series numbers (first digit 9) that pass the elfproef, one per simulated person,
stable across all files and months. The warehouse must label anything loaded from here as generated demo data.

- Months: {summary["first_month"]} to {summary["last_month"]} ({params["months"]} months), \
gemeente {params["gemeentecode"]}
- Files: {summary["files"]} ({", ".join(f"{k} {v:,} rows" for k, v in summary["rows"].items())})
- Persons: {summary["persons"]:,}; dossiers: {summary["dossiers"]:,}; herinstroom within 12 months: \
{summary["herinstroom_12m"]:,}
- Dialects (by calendar month): {variants}.
  XLSX: Jun/Dec, data on the first sheet, dates as date cells, BSN as a number, codes as text.
  Windows-1252 CSV: Jan/Apr/Jul/Oct. UTF-8 with BOM CSV: the other months; Mar/Sep quote every field.
  All CSVs: `;`, decimal comma, dates dd-mm-jjjj, CRLF.
- The columns carry no free text, so the Windows-1252 files hold ASCII only and differ from UTF-8 by the BOM alone.
- Not a forecast and not calibrated on real microdata: the caseload follows the shape of the indicator catalogue
  (ep_bijstandsdossiers), everything else is plausible by construction.
"""


def generate_werkplein(
    out_dir: Path,
    *,
    scale: float = 1,
    months: int = 120,
    end: str = "2024-12",
    seed: int = 141,
    gemeentecode: str = "0141",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the monthly Werkplein exports into ``out_dir`` and return the summary (also in GENERATED.md).

    ``progress`` receives one line per simulated year (the CLI passes stderr); default silent.
    """
    if scale <= 0:
        raise ValueError("scale must be > 0")
    if months < 1:
        raise ValueError("months must be >= 1")
    if len(gemeentecode) != 4 or not gemeentecode.isdigit():
        raise ValueError(f"gemeentecode {gemeentecode!r} is not 4 digits (e.g. 0141)")
    last = _parse_month(end)
    first = last - months + 1
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Files of an earlier run with other months would be loaded alongside these; they are reported, never deleted.
    earlier = {p.name for p in out_dir.glob("werkplein_*")}
    written: set[str] = set()

    started = time.perf_counter()
    rng = random.Random(seed)
    sim = _Simulation(rng, scale, gemeentecode)
    sim.seed_population(first)
    rows_total = dict.fromkeys(ENTITIES, 0)
    dialects: dict[str, int] = {}
    files = 0
    stats = _YearStats()
    for ym in range(first, last + 1):
        dialect = dialect_for_month(ym % 12 + 1)
        dialects[dialect.name] = dialects.get(dialect.name, 0) + 1
        peil = date(ym // 12, ym % 12 + 1, _days_in(ym))
        names = {e: _file_name(e, gemeentecode, ym, dialect) for e in ENTITIES}
        written.update(names.values())
        outs = {e: _open_out(out_dir / names[e], dialect, e, peil) for e in ENTITIES}
        try:
            rows = sim.month(ym, outs, stats)
        finally:
            for out in outs.values():
                out.close()
        files += len(outs)
        for entity, n in rows.items():
            rows_total[entity] += n
        if progress is not None and (ym % 12 == 11 or ym == last):
            by_group = {g: sum(1 for d in sim.active if d.group == g) for g in _GROUP_SHARE}
            part_total = sim.inzet_total["participatie"]
            inzet = 100 * sim.inzet_have["participatie"] / part_total if part_total else 0.0
            progress(
                f"werkplein {_ym_label(ym)}: {by_group['01']} dossiers 01 ({sum(by_group.values())} totaal), "
                f"{len(sim.voorz)} voorzieningen; in {_ym_label(max(first, ym - ym % 12))}..: instroom "
                f"{stats.instroom}, uitstroom {stats.uitstroom} (naar werk {stats.naar_werk}), herinstroom<=12m "
                f"{stats.herinstroom_12m}; inzet participatie {inzet:.0f} %; {time.perf_counter() - started:.1f} s"
            )
            stats = _YearStats()

    summary: dict[str, Any] = {
        "generator": "werkplein",
        "out_dir": str(out_dir),
        "files": files,
        "rows": rows_total,
        "first_month": _ym_label(first),
        "last_month": _ym_label(last),
        "persons": sim.n_persons,
        "dossiers": sim.n_dossiers,
        "voorzieningen": sim.n_voorz,
        "herinstroom_12m": sim.herinstroom_12m,
        "dialects": dialects,
        "other_werkplein_files": len(earlier - written),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if summary["other_werkplein_files"] and progress is not None:
        progress(f"warning: {out_dir} also holds {summary['other_werkplein_files']} werkplein files of another run")
    params = {"scale": f"{scale:g}", "months": months, "end": _ym_label(last), "seed": seed}
    params["gemeentecode"] = gemeentecode
    (out_dir / GENERATED_MARKER).write_text(_generated_md(params, summary), encoding="utf-8", newline="\n")
    return summary


def _default_out_dir() -> Path:
    from ingestion.config import settings

    return settings().local_dir / "generated" / "werkplein"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.dev.generate", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="source", required=True)
    wp = sub.add_parser("werkplein", help="monthly Werkplein Participatiewet exports (SOURCES.md §4)")
    wp.add_argument("--scale", type=float, required=True, help="1 ~ Almelo (~2 600 active dossiers); 10 ~ 26 000")
    wp.add_argument("--out", type=Path, default=None, help="output folder (default: <local dir>/generated/werkplein)")
    wp.add_argument("--months", type=int, default=120, help="number of monthly exports (default 120)")
    wp.add_argument("--end", default="2024-12", help="last month, YYYY-MM (default 2024-12)")
    wp.add_argument("--seed", type=int, default=141, help="random seed; same seed, same bytes (default 141)")
    wp.add_argument("--gemeente", default="0141", help="CBS gemeentecode, 4 digits (default 0141 Almelo)")
    args = parser.parse_args(argv)

    out_dir = args.out if args.out is not None else _default_out_dir()
    try:
        summary = generate_werkplein(
            out_dir,
            scale=args.scale,
            months=args.months,
            end=args.end,
            seed=args.seed,
            gemeentecode=args.gemeente,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
