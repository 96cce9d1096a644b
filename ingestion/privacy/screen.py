"""The privacy screen: a BSN wherever it hides in a file, and what a quarantine record may keep.

The declared BSN column is pseudonymised by the row typer (``ingestion.privacy.pseudonym``). This module finds BSNs
where no BSN is declared: in an identifier that is the BSN, in free text ("excl. casus BSN 1234.56.782"), in an extra
column, in a cell that a shifted row put under another column. A BSN token is nine digits passing the elfproef,
also written with dots, spaces or dashes between the digits; eight digits (a spreadsheet dropped the leading zero)
count only where the column or the words before the token say BSN, since one in eleven of all eight-digit numbers
(dates written 31012024, account numbers) would pass the elfproef with a zero in front.

What is found is never stored in clear: free text gets a marker, an identifier column the token's pseudonym (the
same person keeps the same identifier), a number is refused as a value. A quarantine record of a file with personal
data shows no value that could be a BSN, a birth date or a postcode: those are masked to their shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ingestion.privacy.bsn import elfproef
from ingestion.privacy.pseudonym import mask

__all__ = ["BSN_MARKER", "bsn_tokens", "could_be_bsn_number", "looks_personal", "replace_bsns", "says_bsn",
           "screened_record", "screened_value"]

BSN_MARKER = "[BSN verwijderd]"  # no digits: a marker is never mistaken for a number
# 8 or 9 digits, single dots, spaces or dashes between them; no digit directly before or after (a 10-digit number
# or an IBAN's digits are no BSN).
_TOKEN_RE = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){7,8}(?!\d)")
_NON_DIGIT_RE = re.compile(r"\D")
_BSN_WORDS_RE = re.compile(r"bsn|burger[\s_.-]*service|sofi", re.IGNORECASE)
_CONTEXT_CHARS = 40  # how far before an eight-digit token the word BSN makes it one
_POSTCODE_RE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{3}\s?[A-Za-z]{2}(?![A-Za-z])")
SHOWN_DIGITS = 4  # a value of a personal file with more digits than a year or a postcode4 is masked


def says_bsn(name: str) -> bool:
    """A column name or a text that names the BSN (bsn, burgerservicenummer, sofinummer): an eight-digit number in
    such a column, or after such words, is taken for a BSN with its leading zero dropped."""
    return bool(_BSN_WORDS_RE.search(name))


def bsn_tokens(text: str, *, bsn_context: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, the nine digits) of every BSN token in ``text``.

    ``bsn_context``: the column says BSN (its header), so an eight-digit token counts without the word before it.
    """
    if len(text) < 8:
        return []
    found = []
    for match in _TOKEN_RE.finditer(text):
        digits = _NON_DIGIT_RE.sub("", match.group())
        if len(digits) == 8:
            if not (bsn_context or _BSN_WORDS_RE.search(text, max(0, match.start() - _CONTEXT_CHARS), match.start())):
                continue
            digits = "0" + digits
        if elfproef(digits):
            found.append((match.start(), match.end(), digits))
    return found


def replace_bsns(text: str, replacement: Callable[[str], str] | str = BSN_MARKER, *, bsn_context: bool = False) -> str:
    """``text`` with every BSN token replaced: by the marker, or by ``replacement(nine digits)`` (a pseudonym)."""
    tokens = bsn_tokens(text, bsn_context=bsn_context)
    if not tokens:
        return text
    parts, last = [], 0
    for start, end, digits in tokens:
        parts += [text[last:start], replacement if isinstance(replacement, str) else replacement(digits)]
        last = end
    return "".join([*parts, text[last:]])


def could_be_bsn_number(number: Decimal | int) -> bool:
    """A whole number of nine digits passing the elfproef: stored as a value, it would be a BSN in clear."""
    if isinstance(number, Decimal) and (not number.is_finite() or number != number.to_integral_value()):
        return False
    whole = abs(int(number))
    return 100_000_000 <= whole <= 999_999_999 and elfproef(str(whole))


def looks_personal(text: str) -> bool:
    """A value of a file with personal data that a message may not show: a BSN token, more digits than a year
    (a birth date, a BSN, a phone number), or a full postcode."""
    return (sum(ch.isdigit() for ch in text) > SHOWN_DIGITS or bool(_POSTCODE_RE.search(text))
            or bool(bsn_tokens(text)))


def screened_value(value: str | None, *, personal_file: bool) -> str | None:
    """A cell's text as a quarantine record or a message may show it."""
    if value is None:
        return None
    if personal_file:
        return mask(value) if looks_personal(value) else value
    return replace_bsns(value)


def screened_record(record: dict[str, Any] | None, *, personal_file: bool = False) -> dict[str, Any] | None:
    """A quarantined row's typed fields (what passed its column's type: a shifted row of a personal file has none),
    with any BSN token replaced, and in a file with personal data any text that could be personal masked (a postcode
    that a shift put under a text column); a number that could be a BSN is masked."""
    if record is None:
        return None
    screened: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, str):
            value = screened_value(value, personal_file=personal_file)
        elif isinstance(value, int | Decimal) and not isinstance(value, bool) and could_be_bsn_number(value):
            value = mask(value)
        screened[name] = value
    return screened
