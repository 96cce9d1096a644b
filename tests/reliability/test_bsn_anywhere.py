"""A BSN where no BSN is declared (issue 20): in an identifier, in free text, in an extra column, in a number, or in
a cell that a shifted row put under another column. None may be stored, quarantined or logged in clear, in any of
the forms people write it (123456782, 1234.56.782, 123 456 782, 123-456-782, and eight digits after the word BSN).

The checks are independent of the screen (``tests.support.privacy.bsns_written_in``, not ``ingestion.privacy.screen``);
the property test at the end plants BSNs in random cells and forms of Werkplein and handmatig files.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.config import Settings
from ingestion.dev.scratch import throwaway_warehouse
from ingestion.files.drop import load_path
from ingestion.privacy.bsn import elfproef
from ingestion.warehouse import connect
from tests.support.ledger import record
from tests.support.privacy import bsns_written_in, nine_digit_numbers
from tests.support.settings import LIVE

KEY = "test-pseudonym-key-0123456789"
WERKPLEIN_HEADER = ("peildatum;gemeentecode;registratienummer;bsn;geboortedatum;geslacht;postcode;wijkcode;"
                    "statistiekcode;leefvorm;aantal_kostendelers;ingangsdatum;einddatum;reden_beeindiging;"
                    "ontheffing_arbeidsplicht;tegenprestatie;doelgroep;uitkeringsbedrag")
BIRTH_DATES = ("02-02-1961", "14-07-1985", "30-11-1990")
POSTCODES = ("7611AC", "7622AD", "7607BX")
HANDMATIG_HEADER = "indicator_code;gemeentecode;periode;waarde;bron;toelichting;dossier"


def _bsns(first: int, count: int) -> list[str]:
    """Elfproef-valid numbers counting up from ``first`` (the 9-series: no real person's; 0-series for 8 digits)."""
    found, n = [], first
    while len(found) < count:
        if elfproef(f"{n:09d}"):
            found.append(f"{n:09d}")
        n += 1
    return found


BSNS = _bsns(900_000_100, 40)
LEADING_ZERO_BSNS = _bsns(12_345_600, 5)  # 0123456xx: written as eight digits by a spreadsheet


def werkplein_row(i: int, *, registratienummer: str | None = None) -> list[str]:
    return ["31-01-2024", "0141", registratienummer or f"UK0141000{i:04d}", BSNS[i], BIRTH_DATES[i % 3], "V",
            POSTCODES[i % 3], "WK014111", "01", "1", "1", "01-03-2021", "", "", "N", "N", "werkfit", "1107,01"]


def _write(path: Path, header: str, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *(";".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


def _load(url: str, drop: Path, source: str) -> list[dict]:
    settings = Settings.from_env({"WAREHOUSE_URL": url, "DROP_DIR": str(drop), "PSEUDONYM_KEY": KEY,
                                  **LIVE})
    with connect(url) as conn:
        return [o.as_dict() for o in load_path(conn, settings, source)]


def _stored_text(url: str) -> str:
    """Every row of the raw and audit schemas as text (what the scans read besides the column-wise scan)."""
    with psycopg.connect(url) as conn:
        tables = conn.execute("select table_schema, table_name from information_schema.tables"
                              " where table_schema in ('raw', 'audit') order by 1, 2").fetchall()
        return "\n".join(str(r[0]) for s, t in tables
                         for r in conn.execute(f'select t::text from "{s}"."{t}" as t'))  # noqa: S608


def _found(text: str, planted: set[str]) -> set[str]:
    """Which planted BSNs a text holds, in any form: its digits with the separators between them removed."""
    digits = re.sub(r"(?<=[0-9])[ .\-](?=[0-9])", "", text)
    return {b for b in planted if b in digits or (b.startswith("0") and b[1:] in digits)}


@pytest.fixture
def warehouse(fresh_warehouse_url: str) -> str:
    return fresh_warehouse_url


def test_a_registratienummer_that_is_the_bsn_becomes_its_pseudonym(warehouse: str, tmp_path: Path) -> None:
    """An export whose dossier number is the person's BSN (plain or dotted) keeps a stable, pseudonymous identifier."""
    dotted = f"{BSNS[1][:4]}.{BSNS[1][4:6]}.{BSNS[1][6:]}"
    rows = [werkplein_row(0, registratienummer=BSNS[0]), werkplein_row(1, registratienummer=dotted),
            werkplein_row(2)]
    _write(tmp_path / "drop/werkplein/werkplein_uitkeringen_0141_202401.csv", WERKPLEIN_HEADER, rows)
    [outcome] = _load(warehouse, tmp_path / "drop", "werkplein")
    with psycopg.connect(warehouse) as conn:
        stored = conn.execute("select row_number, registratienummer, persoon_pseudoniem from raw.werkplein_uitkering"
                              " order by row_number").fetchall()
    leaks = nine_digit_numbers(warehouse)
    record("privacy", "a registratienummer that is the BSN (plain, dotted)", handled=not leaks and len(stored) == 3,
           outcome=f"{outcome['status']}; {len(stored)} rows; {len(leaks)} BSN-shaped values stored",
           rows_in=3, rows_loaded=outcome.get("rows_loaded"), rows_quarantined=outcome.get("rows_quarantined"),
           clear_bsns=len(leaks))
    assert outcome["status"] == "loaded" and len(stored) == 3
    assert stored[0][1] == stored[0][2] and stored[1][1] == stored[1][2]  # the pseudonym, like the bsn column's
    assert stored[2][1] == "UK01410000002"  # an identifier without a BSN is left as it is
    assert leaks == []


def test_bsns_in_free_text_an_extra_column_and_a_value_are_not_stored(warehouse: str, tmp_path: Path) -> None:
    """A handmatig file (no personal data declared) with a BSN in toelichting, in an extra column and as a waarde."""
    eight = LEADING_ZERO_BSNS[0][1:]
    rows = [
        ["duur_duurzame_energie_pct", "GM0141", "2022", "9,4", "Klimaatmonitor",
         f"excl. casus BSN {BSNS[3][:4]}.{BSNS[3][4:6]}.{BSNS[3][6:]}", ""],
        ["duur_duurzame_energie_pct", "GM0141", "2021", "7,9", "Klimaatmonitor", f"zie bsn {eight}",
         f"{BSNS[4][:3]} {BSNS[4][3:6]} {BSNS[4][6:]}"],
        ["duur_duurzame_energie_pct", "GM0141", "2022", BSNS[5], "Klimaatmonitor", "", ""],
    ]
    _write(tmp_path / "drop/handmatig/handmatig_klimaat_20240701.csv", HANDMATIG_HEADER, rows)
    [outcome] = _load(warehouse, tmp_path / "drop", "handmatig")
    planted = {BSNS[3], BSNS[4], BSNS[5], LEADING_ZERO_BSNS[0]}
    with psycopg.connect(warehouse) as conn:
        toelichting = [r[0] for r in conn.execute("select toelichting from raw.handmatig_waarde order by row_number")]
        extra = [r[0] for r in conn.execute("select extra::text from raw.handmatig_waarde order by row_number")]
        [(column, reason)] = conn.execute("select column_name, reason from audit.quarantine").fetchall()
    stored = _found(_stored_text(warehouse), planted)
    record("privacy", "BSNs in free text, an extra column and a value (handmatig)",
           handled=not stored and outcome["rows_quarantined"] == 1,
           outcome=f"{outcome['status']}; toelichting {toelichting}; {len(stored)} planted BSNs stored",
           rows_in=3, rows_loaded=outcome.get("rows_loaded"), rows_quarantined=outcome.get("rows_quarantined"),
           clear_bsns=len(stored))
    assert (outcome["rows_loaded"], outcome["rows_quarantined"]) == (2, 1)
    assert toelichting == ["excl. casus BSN [BSN verwijderd]", "zie bsn [BSN verwijderd]"]
    assert "[BSN verwijderd]" in extra[1]
    assert column == "waarde" and "could be a BSN" in reason
    assert stored == set()
    assert nine_digit_numbers(warehouse) == []


def test_a_shifted_row_of_personal_data_keeps_nothing_of_it_in_quarantine(warehouse: str, tmp_path: Path) -> None:
    """An unquoted ';' in a value (one cell too many) and a missing cell shift a row: a BSN, a birth date and a
    postcode then sit under columns that are not declared personal. The quarantine keeps the row number and why."""
    shifted = werkplein_row(1)
    shifted[2] = "UK0141;0000002"  # written unquoted: the row has one cell too many
    short = werkplein_row(2)
    del short[2]  # the registratienummer missing: the BSN lands under registratienummer
    quiet = werkplein_row(4)
    quiet[2], quiet[-1] = "UK0141;0000004", ""  # shifted too, though the cell beyond the header is empty
    rows = [werkplein_row(0), ";".join(shifted).split(";"), short, ";".join(quiet).split(";")]
    _write(tmp_path / "drop/werkplein/werkplein_uitkeringen_0141_202401.csv", WERKPLEIN_HEADER, rows)
    [outcome] = _load(warehouse, tmp_path / "drop", "werkplein")
    with psycopg.connect(warehouse) as conn:
        quarantined = conn.execute("select row_number, column_name, value, reason, record::text"
                                   " from audit.quarantine order by row_number").fetchall()
    text = " ".join(str(c) for row in quarantined for c in row)
    personal = [v for v in (BSNS[1], BSNS[2], BSNS[4], *BIRTH_DATES[1:], "1985-07-14", "1990-11-30", *POSTCODES[1:])
                if v in text]
    record("privacy", "a shifted row of personal data (a separator too many, a cell missing)",
           handled=not personal and outcome["rows_quarantined"] == 3,
           outcome=f"{outcome['status']}; quarantined rows {sorted({r[0] for r in quarantined})}; "
                   f"{len(personal)} personal values in quarantine records",
           rows_in=4, rows_loaded=outcome.get("rows_loaded"), rows_quarantined=outcome.get("rows_quarantined"),
           clear_bsns=len([v for v in personal if v in BSNS]), personal_in_quarantine=len(personal))
    assert (outcome["rows_loaded"], outcome["rows_quarantined"]) == (1, 3)
    assert [(r[0], r[1]) for r in quarantined] == [(3, None), (4, None), (5, None)]
    assert "19 cells" in quarantined[0][3] and "17 cells" in quarantined[1][3] and "19 cells" in quarantined[2][3]
    assert personal == []
    assert nine_digit_numbers(warehouse) == []


# --- property: BSNs in random cells and forms ----------------------------------------------------------------------


def _form(bsn: str, form: str) -> str:
    return {"plain": bsn, "dots": f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}", "spaces": f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}",
            "dashes": f"{bsn[:3]}-{bsn[3:6]}-{bsn[6:]}", "in text": f"casus {bsn} afgesloten",
            "eight digits": f"BSN {bsn[1:]}"}[form]


FORMS = ("plain", "dots", "spaces", "dashes", "in text", "eight digits")
_counter = iter(range(10**6))


@pytest.fixture(scope="module")
def property_warehouse(pg_server_url: str) -> Iterator[str]:
    """One warehouse for every example: BSNs planted by an earlier example must stay absent too."""
    with throwaway_warehouse(pg_server_url, "bsn_property") as url:
        yield url


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plants=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 18), st.sampled_from(FORMS)), min_size=1, max_size=5),
    shift=st.sampled_from([None, "extra", "missing"]),
)
def test_planted_bsns_are_found_nowhere(property_warehouse: str, caplog: pytest.LogCaptureFixture,
                                        plants: list[tuple[int, int, str]], shift: str | None) -> None:
    example = next(_counter)
    # A 19th column, 'opmerking', not in the contract; the example's number makes every file new bytes.
    rows = [werkplein_row(i) + [f"voorbeeld {example}"] for i in range(6)]
    handmatig = [["duur_duurzame_energie_pct", "GM0141", str(2015 + i), "9,4", f"Klimaatmonitor ({example})", "",
                  ""] for i in range(6)]
    planted: set[str] = set()
    for n, (row, column, form) in enumerate(plants):
        bsn = LEADING_ZERO_BSNS[n] if form == "eight digits" else BSNS[10 + (example * 5 + n) % 30]
        planted.add(bsn)
        rows[row][column] = _form(bsn, form)
        handmatig[row][column % 7] = _form(bsn, form)
    if shift == "extra":
        rows[0].insert(2, "x")
    elif shift == "missing":
        del rows[0][2]
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    with tempfile.TemporaryDirectory() as folder:
        drop = Path(folder)
        _write(drop / f"werkplein/werkplein_uitkeringen_0141_202401_{example}.csv",
               WERKPLEIN_HEADER + ";opmerking", rows)
        _write(drop / f"handmatig/handmatig_klimaat_2024070{example % 9 + 1}_{example}.csv", HANDMATIG_HEADER,
               handmatig)
        outcomes = _load(property_warehouse, drop, "werkplein") + _load(property_warehouse, drop, "handmatig")
    stored = _found(_stored_text(property_warehouse), planted)
    with psycopg.connect(property_warehouse) as conn:
        quarantine = " ".join(f"{v} {r}" for v, r in conn.execute("select value, record::text from audit.quarantine"
                                                                  " where source = 'werkplein'"))
    personal = [p for p in (*BIRTH_DATES, "1961-02-02", "1985-07-14", "1990-11-30", *POSTCODES) if p in quarantine]
    logged = _found(caplog.text + str(outcomes), planted)
    shapes = nine_digit_numbers(property_warehouse) + [("log", "", b) for b in bsns_written_in(caplog.text)]
    counted = all(o["status"] == "rejected" or o["rows_loaded"] + o["rows_quarantined"] == 6 for o in outcomes)
    assert all(o["status"] != "unchanged" for o in outcomes), outcomes
    record("privacy", f"planted BSNs #{example}: {len(plants)} in {sorted({f for _, _, f in plants})}, shift {shift}",
           handled=not (stored or logged or shapes or personal) and counted,
           outcome=f"{[o['status'] for o in outcomes]}; {len(stored)} stored, {len(logged)} logged, "
                   f"{len(shapes)} BSN-shaped values", rows_in=12,
           rows_loaded=sum(o.get("rows_loaded", 0) for o in outcomes),
           rows_quarantined=sum(o.get("rows_quarantined", 0) or (6 if o["status"] == "rejected" else 0)
                                for o in outcomes),
           clear_bsns=len(stored | logged) + len(shapes), personal_in_quarantine=len(personal))
    assert counted, outcomes
    assert stored == set() and logged == set()
    assert shapes == []
    assert personal == []  # no birth date or postcode in a quarantine record of the Werkplein file
