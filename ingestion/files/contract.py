"""The file-source contract: what a drop-folder source (``ingestion/sources/<name>.py``) is, and what it makes of a
file. Sources depend on this module; it depends on nothing of theirs, nor on the loading (``drop.py``)."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingestion.files.reader import OpenedFile, Problem
from ingestion.privacy.pseudonym import Pseudonymiser
from ingestion.privacy.screen import replace_bsns, screened_record, screened_value


@dataclass
class ParsedFile:
    """What a source module makes of an opened file: where its rows go and the rows themselves.

    ``rows`` yields tuples in ``columns`` order for the good rows; for a bad row the source appends its problems to
    ``problems`` (with the row's typed, reduced fields in ``records``) and yields nothing.
    """

    entity: str
    columns: Sequence[str]
    rows: Iterator[Sequence[Any]]
    params: dict[str, Any] = field(default_factory=dict)  # stored with the batch: dialect, layout, ignored columns
    problems: list[tuple[Problem, dict[str, Any] | None]] = field(default_factory=list)
    # Instead of ``rows``: Arrow tables of (row_number, *columns), from the columnar path (``files.columnar``)
    tables: Generator[Any, None, None] | None = None

    def reject_row(self, problems: Sequence[Problem], record: dict[str, Any] | None) -> None:
        self.problems.extend((p, record) for p in problems)

    def screened_problems(self, *, personal_file: bool) -> list[tuple[Problem, dict[str, Any] | None]]:
        """The problems as audit.quarantine and the log may hold them (``ingestion.privacy.screen``): whatever a source
        module put in a value, reason or record, no BSN in clear, and in a file with personal data no value that
        could be a BSN, a birth date or a postcode."""
        return [(Problem(p.row, p.column, screened_value(p.value, personal_file=personal_file),
                         replace_bsns(p.reason)), screened_record(record, personal_file=personal_file))
                for p, record in self.problems]


class FileSource(Protocol):
    """A drop-folder source: ``ingestion/sources/<name>.py``."""

    name: str
    personal_data: bool
    example_file_name: str  # shown when a file name does not match

    def delivery(self, file_name: str) -> tuple[str, str] | None:
        """(entity, delivery key) for a file name this source accepts; None for a name it does not."""

    def name_facts(self, file_name: str) -> dict[str, str]:
        """What an accepted file name says its rows hold (gemeentecode, period ...): validation holds the rows to it
        through the suites' ``${delivery_<fact>}`` placeholders. Empty when the name says nothing about the rows."""

    def parse(self, opened: OpenedFile, entity: str, pseudonymiser: Pseudonymiser | None) -> ParsedFile: ...
