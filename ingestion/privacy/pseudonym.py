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
from array import array
from datetime import date, datetime
from typing import Any

from ingestion.privacy.bsn import is_valid_bsn

log = logging.getLogger(__name__)

# Used only when SOURCE_MODE=recorded (bundled, generated demo data) and no key is configured.
DEMO_KEY = "programmamonitor-demo-key-not-for-personal-data"
MIN_KEY_LENGTH = 16
# hex digit -> letter: one letter per 4 bits of the MAC
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_SHA256_BLOCK = 64
CACHE_LIMIT = 100_000  # pseudonyms kept for the run (a person is in every monthly file); bounds the memory
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
        self.key_id = key_id(key)  # recorded with every batch it pseudonymises (audit.load_batch.request_params)
        # HMAC-SHA256 as RFC 2104 builds it, from the two SHA-256 states of the padded key, copied per value: the
        # key is not hashed again for every BSN (2.5x faster than hmac.new per value; a test holds them equal).
        padded = key if len(key) <= _SHA256_BLOCK else hashlib.sha256(key).digest()
        padded = padded.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self._cache: dict[str, str] = {}  # a person appears in every monthly file; the MAC is the costly part

    def bsn(self, value: str) -> str | None:
        """The pseudonym of a valid BSN (separators and a lost leading zero tolerated); None if not a BSN."""
        if not is_valid_bsn(value):
            return None
        return self.of_checked(value.strip().replace(" ", "").replace(".", "").rjust(9, "0"))

    def of_checked(self, digits: str) -> str:
        """The pseudonym of nine digits that passed the elfproef (the columnar reader checks a block at once)."""
        cached = self._cache.get(digits)
        if cached is None:
            cached = self._mac(digits.encode("ascii")).hex().translate(_LETTERS)
            if len(self._cache) < CACHE_LIMIT:
                self._cache[digits] = cached
        return cached

    def of_checked_block(self, digits: Any) -> Any:
        """The pseudonyms of an Arrow string array of nine-digit values that passed the elfproef, as an Arrow string
        array: the MAC per value in one tight loop, the letters for the whole block at once. No cache: a block's
        values are distinct, and a lookup costs a third of a MAC."""
        import numpy as np
        import pyarrow as pa

        count = len(digits)
        if count == 0:
            return pa.array([], pa.string())
        start = int(np.frombuffer(digits.buffers()[1], dtype=np.int32)[digits.offset])  # nine bytes per value
        blob = digits.buffers()[2].to_pybytes()[start:start + 9 * count]
        inner, outer = self._inner.copy, self._outer.copy
        macs = []
        append = macs.append
        for at in range(0, 9 * count, 9):
            first = inner()
            first.update(blob[at:at + 9])
            second = outer()
            second.update(first.digest())
            append(second.digest())
        # The first 16 bytes of every MAC, as 32 letters each (one per 4 bits), for the whole block at once.
        kept = np.frombuffer(b"".join(macs), dtype=np.uint8).reshape(count, 32)[:, :16].tobytes()
        letters = kept.hex().translate(_LETTERS).encode("ascii")
        ends = array("i", range(0, 32 * (count + 1), 32))
        return pa.StringArray.from_buffers(count, pa.py_buffer(ends), pa.py_buffer(letters))

    def _mac(self, message: bytes) -> bytes:
        first = self._inner.copy()
        first.update(message)
        second = self._outer.copy()
        second.update(first.digest())
        return second.digest()[:16]


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
