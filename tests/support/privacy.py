"""Privacy checks shared by the tests: where a BSN could hide, and how to find one."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import psycopg
from psycopg import sql

from ingestion.privacy.bsn import elfproef

NINE_DIGITS = r"(^|[^0-9A-Za-z])[0-9]{9}([^0-9A-Za-z]|$)"


def decode(raw: bytes) -> tuple[str, str]:
    """A test file's text and its encoding (UTF-8 with BOM, UTF-8, else Windows-1252)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def bsns_in(folder: Path) -> set[str]:
    """Every BSN in a folder of Werkplein exports (CSV text, XLSX number cells): what must never reach us."""
    found: set[str] = set()
    for path in folder.glob("*.csv"):
        text, _ = decode(path.read_bytes())
        found |= set(re.findall(r"\b\d{9}\b", text))
    for path in folder.glob("*.xlsx"):
        workbook = openpyxl.load_workbook(path, read_only=True)
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            found |= {str(c).zfill(9) for c in row if isinstance(c, int) and c > 9_999_999}
        workbook.close()
    return {b for b in found if elfproef(b)}


# Written apart from ingestion.privacy.screen on purpose: the scan must not share a mistake with the screen it checks.
BSN_SHAPED = r"[0-9]([ .-]?[0-9]){7,8}"
# Not next to a hex letter: checksums and hashes (file_sha256, dbt's keys) hold digit runs that are no BSN.
_TOKEN = re.compile(r"(?<![0-9a-fA-F])[0-9](?:[ .\-]?[0-9]){7,8}(?![0-9a-fA-F])")
_SAYS_BSN = re.compile(r"(bsn|burger\s*service|sofi)", re.IGNORECASE)


def bsns_written_in(text: str) -> list[str]:
    """The BSNs in a text, however written: nine digits passing the elfproef, also with dots, spaces or dashes
    between them (1234.56.782, 123 456 782), and eight digits (a lost leading zero) after the word BSN."""
    found = []
    for match in _TOKEN.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group())
        if len(digits) == 8 and _SAYS_BSN.search(text[max(0, match.start() - 40):match.start()]):
            digits = "0" + digits
        if len(digits) == 9 and elfproef(digits):
            found.append(digits)
    return found


def nine_digit_numbers(url: str) -> list[tuple[str, str, str]]:
    """Every BSN-shaped number (``bsns_written_in``) in any column of any table or view of ours:
    (table, column, value)."""
    found = []
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2, 3").fetchall()
        assert len(columns) > 100
        for schema, table, column in columns:
            query = sql.SQL("select distinct {c}::text from {t} where {c}::text ~ %s").format(
                c=sql.Identifier(column), t=sql.Identifier(schema, table))
            for (text,) in conn.execute(query, (BSN_SHAPED,)):
                found += [(f"{schema}.{table}", column, "<a BSN-shaped number>") for _ in bsns_written_in(text)]
    return found


def files_quoting(root: Path, bsns: set[str], *, skip: tuple[Path, ...] = ()) -> tuple[int, list[Path]]:
    """Scan every file under root (except those under ``skip``) for any of ``bsns``, in whatever bytes it holds:
    logs, Data Docs, GX results, the report's HTML and CSVs, dbt artifacts. Returns (files scanned, files quoting)."""
    needles = [b.encode() for b in bsns]
    scanned, quoting = 0, []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        if any(path.is_relative_to(s) for s in skip):
            continue
        scanned += 1
        data = path.read_bytes()
        if any(n in data for n in needles):
            quoting.append(path)
    return scanned, quoting
