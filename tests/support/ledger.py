"""The reliability ledger: what the fault, bad-input, crash and concurrency tests tried and how it ended, printed as
one summary at the end of `make test` (tests/conftest.py: pytest_terminal_summary).

A test records each case *before* asserting on it, with ``handled`` computed from the same facts the assertions
check, so a failing case shows as not handled in the summary as well as failing its test.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = {
    "fault": "HTTP faults",
    "bad_file": "bad input files",
    "crash": "crashes",
    "concurrency": "concurrent runs",
    "hostile": "hostile names and ids",
    "privacy": "privacy scans (BSNs in tables, logs, artifacts)",
}


@dataclass(frozen=True)
class Entry:
    kind: str  # a key of KINDS
    name: str
    handled: bool  # recovered, or failed/quarantined with a clear message, and nothing lost or duplicated
    outcome: str  # one line: what happened and why
    rows_in: int | None = None  # data rows the input held, when it is a file
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    clear_bsns: int | None = None  # privacy: BSNs found in clear (tables, quarantine, logs, output)
    personal_in_quarantine: int | None = None  # privacy: personal values found in quarantine records

    @property
    def rows_lost(self) -> int:
        if self.rows_in is None:
            return 0
        return self.rows_in - (self.rows_loaded or 0) - (self.rows_quarantined or 0)


ENTRIES: list[Entry] = []


def record(
    kind: str,
    name: str,
    *,
    handled: bool,
    outcome: str,
    rows_in: int | None = None,
    rows_loaded: int | None = None,
    rows_quarantined: int | None = None,
    clear_bsns: int | None = None,
    personal_in_quarantine: int | None = None,
) -> Entry:
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}: one of {', '.join(KINDS)}")
    entry = Entry(kind, name, handled, " ".join(outcome.split()), rows_in, rows_loaded, rows_quarantined, clear_bsns,
                  personal_in_quarantine)
    ENTRIES.append(entry)
    return entry


def summary_lines(entries: list[Entry] | None = None) -> list[str]:
    entries = ENTRIES if entries is None else entries
    if not entries:
        return []
    lines = []
    for kind, label in KINDS.items():
        of_kind = [e for e in entries if e.kind == kind]
        if of_kind:
            handled = sum(e.handled for e in of_kind)
            lines.append(
                f"{label}: {len(of_kind)} tried, {handled} handled"
                + (
                    ""
                    if handled == len(of_kind)
                    else f", NOT handled: {', '.join(e.name for e in of_kind if not e.handled)}"
                )
            )
    lost = sum(e.rows_lost for e in entries)
    rows_in = sum(e.rows_in or 0 for e in entries)
    lines.append(f"rows in bad input files: {rows_in}, loaded + quarantined: {rows_in - lost}, lost: {lost}")
    scans = [e.clear_bsns for e in entries if e.clear_bsns is not None]
    checks = [e.personal_in_quarantine for e in entries if e.personal_in_quarantine is not None]
    if scans or checks:
        lines.append(f"clear BSNs found: {sum(scans)} in {len(scans)} scans; personal values in quarantine records: "
                     f"{sum(checks)} in {len(checks)} checks")
    return lines
