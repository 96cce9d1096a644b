"""Pseudonymisation at the door: a BSN never gets past the file reader in clear.

A BSN becomes a keyed hash (HMAC-SHA256, key from ``PSEUDONYM_KEY``): the same person gets the same pseudonym in
every file and month, so instroom, uitstroom and herinstroom can be followed, but without the key nobody can go
back from a pseudonym to a BSN, nor test a guessed BSN against it (the BSN space is small enough to enumerate, which
is why a plain hash would not do). Birth dates are reduced to the year and postcodes to their four digits.

The pseudonym is written with the letters a–p (one per 4 bits of the first 128 bits of the MAC): no digits at all,
so no pseudonym can contain a number that a privacy scan would mistake for a BSN.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import date, datetime

from ingestion.privacy.bsn import is_valid_bsn

log = logging.getLogger(__name__)

# Used only when SOURCE_MODE=recorded (bundled, generated demo data) and no key is configured.
DEMO_KEY = "programmamonitor-demo-key-not-for-personal-data"
MIN_KEY_LENGTH = 16
_NIBBLE_LETTERS = "abcdefghijklmnop"
_POSTCODE_RE = re.compile(r"^\s*([1-9]\d{3})\s*(?:[A-Za-z]{2})?\s*$")


class PseudonymKeyMissing(RuntimeError):
    """No usable PSEUDONYM_KEY outside demo mode: refusing to load personal data."""


def resolve_key(configured: str | None, source_mode: str) -> bytes:
    """The key to use: the configured one, or the demo key in demo mode; refuse otherwise."""
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise PseudonymKeyMissing(
                f"PSEUDONYM_KEY is {len(configured)} characters; use at least {MIN_KEY_LENGTH} random characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return configured.encode("utf-8")
    if source_mode == "recorded":
        log.warning("PSEUDONYM_KEY is not set: using the demo key (SOURCE_MODE=recorded, generated data only)")
        return DEMO_KEY.encode("utf-8")
    raise PseudonymKeyMissing(
        "PSEUDONYM_KEY is not set: refusing to load files with personal data (BSN) outside demo mode. "
        "Set PSEUDONYM_KEY to a secret of at least 16 characters, kept in the secrets store; changing it later "
        "gives every person a new pseudonym, which breaks the in/uitstroom history."
    )


# A fingerprint of the key (HMAC of a fixed text): which key pseudonymised a batch, stored without revealing it.
_KEY_ID_TEXT = b"programmamonitor pseudonym key id"


def key_id(key: bytes) -> str:
    return hmac.new(key, _KEY_ID_TEXT, hashlib.sha256).hexdigest()[:16]


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self.key_id = key_id(key)  # recorded with every batch it pseudonymises (audit.load_batch.request_params)
        self._cache: dict[str, str] = {}  # a person appears in every monthly file; the MAC is the costly part

    def bsn(self, value: str) -> str | None:
        """The pseudonym of a valid BSN (separators and a lost leading zero tolerated); None if not a BSN."""
        if not is_valid_bsn(value):
            return None
        digits = value.strip().replace(" ", "").replace(".", "").rjust(9, "0")
        cached = self._cache.get(digits)
        if cached is None:
            mac = hmac.new(self._key, digits.encode("ascii"), hashlib.sha256).digest()[:16]
            cached = "".join(_NIBBLE_LETTERS[b >> 4] + _NIBBLE_LETTERS[b & 15] for b in mac)
            self._cache[digits] = cached
        return cached


def birth_year(value: date | datetime | None) -> int | None:
    return None if value is None else value.year


def postcode4(value: str | None) -> str | None:
    """'7607 AB' -> '7607'; None when it is not a Dutch postcode (the caller reports that)."""
    if value is None:
        return None
    match = _POSTCODE_RE.match(value)
    return match.group(1) if match else None


def mask(value: object) -> str:
    """What a quarantine record or an error message may say about a personal value: its shape, never the value."""
    text = "" if value is None else str(value)
    digits = sum(ch.isdigit() for ch in text)
    return f"<{len(text)} characters, {digits} digits>"
