"""The privacy screen (ingestion/privacy/screen.py): which tokens are BSNs, and what a message may show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingestion.privacy.screen import (
    BSN_MARKER,
    bsn_tokens,
    could_be_bsn_number,
    looks_personal,
    replace_bsns,
    says_bsn,
    screened_record,
    screened_value,
)

BSN = "123456782"  # passes the elfproef


@pytest.mark.parametrize("written", [BSN, "1234.56.782", "123 456 782", "123-456-782", "12.34.56.782"])
def test_every_written_form_of_a_bsn_is_found(written: str) -> None:
    assert [digits for _, _, digits in bsn_tokens(f"casus {written} afgesloten")] == [BSN]
    assert replace_bsns(f"casus {written}.") == f"casus {BSN_MARKER}."


@pytest.mark.parametrize("text", [
    "123456789",  # fails the elfproef
    "1234567820",  # ten digits: no BSN
    "NL91ABNA0417164300",  # an IBAN
    "06-12345678",  # a phone number
    "12345672",  # eight digits without a word saying BSN (a date 31012024 would be one in eleven)
    "2024-01-31",
])
def test_what_is_not_a_bsn_is_left_alone(text: str) -> None:
    assert bsn_tokens(text) == [] and replace_bsns(text) == text


def test_eight_digits_are_a_bsn_after_the_word_or_in_a_bsn_column() -> None:
    assert replace_bsns("BSN: 12345672") == f"BSN: {BSN_MARKER}"
    assert replace_bsns("burgerservicenummer 12345672") == f"burgerservicenummer {BSN_MARKER}"
    assert replace_bsns("12345672", bsn_context=True) == BSN_MARKER
    assert all(map(says_bsn, ["BSN klant", "Burger_Service_Nummer", "burgerservicenummer", "Sofinummer"]))
    assert not says_bsn("registratienummer")


def test_an_identifier_gets_the_pseudonym_in_place_of_the_bsn() -> None:
    assert replace_bsns(f"REG-{BSN}", lambda digits: f"<{digits[::-1]}>") == f"REG-<{BSN[::-1]}>"


def test_nine_digit_whole_numbers_passing_the_elfproef_could_be_a_bsn() -> None:
    assert could_be_bsn_number(Decimal(BSN)) and could_be_bsn_number(int(BSN))
    assert could_be_bsn_number(Decimal("123456782.00"))
    assert not could_be_bsn_number(Decimal("123456782.5")) and not could_be_bsn_number(Decimal("123456789"))
    assert not could_be_bsn_number(Decimal("23456782")) and not could_be_bsn_number(Decimal("NaN"))


def test_a_value_of_a_personal_file_is_shown_only_when_it_cannot_be_personal() -> None:
    for personal in ("02-02-1961", "7611AC", "7611 ac", BSN, "0612345678"):
        assert looks_personal(personal)
        assert screened_value(personal, personal_file=True) == f"<{len(personal)} characters, " \
            f"{sum(c.isdigit() for c in personal)} digits>"
    for shown in ("X", "07", "veel", "2024", "7611"):
        assert screened_value(shown, personal_file=True) == shown
    # In a file without personal data only the BSN goes.
    assert screened_value(f"zie {BSN}, 02-02-1961", personal_file=False) == f"zie {BSN_MARKER}, 02-02-1961"


def test_a_quarantine_record_keeps_no_bsn() -> None:
    assert screened_record({"a": f"nr {BSN}", "b": Decimal(BSN), "c": 7, "d": None}) == {
        "a": f"nr {BSN_MARKER}", "b": "<9 characters, 9 digits>", "c": 7, "d": None}
    assert screened_record(None) is None
    # A file with personal data: a postcode or a date that a shift put under a text column is masked too.
    assert screened_record({"wijkcode": "7622AD", "doelgroep": "werkfit"}, personal_file=True) == {
        "wijkcode": "<6 characters, 4 digits>", "doelgroep": "werkfit"}


@pytest.mark.parametrize("key", [b"sixteen-chars-ok", b"k" * 64, b"a-key-longer-than-the-sha256-block-" * 3])
def test_pseudonyms_are_hmac_sha256_of_the_nine_digits_as_before(key: bytes) -> None:
    """The MAC built from precomputed SHA-256 states is the standard library's HMAC-SHA256: every person keeps the
    pseudonym of earlier loads (keys shorter than, as long as and longer than SHA-256's block)."""
    import hashlib
    import hmac

    import pyarrow as pa

    from ingestion.privacy.pseudonym import Pseudonymiser

    letters = "abcdefghijklmnop"
    digits = ["111222333", "123456782", "012345672"]
    macs = [hmac.new(key, d.encode(), hashlib.sha256).digest()[:16] for d in digits]
    expected = ["".join(letters[b >> 4] + letters[b & 15] for b in mac) for mac in macs]
    assert [Pseudonymiser(key).bsn(d) for d in digits] == expected
    assert Pseudonymiser(key).of_checked_block(pa.array(digits)).to_pylist() == expected


def test_the_block_elfproef_agrees_with_the_elfproef() -> None:
    import random

    import numpy as np

    from ingestion.privacy.bsn import elfproef, elfproef_rows

    values = ["000000000", "111222333", "123456782", "123456789"] + [
        f"{random.Random(7).randrange(10**9) + i:09d}"[-9:] for i in range(2000)]
    digits = np.array([[int(c) for c in v] for v in values])
    assert elfproef_rows(digits).tolist() == [elfproef(v) for v in values]
