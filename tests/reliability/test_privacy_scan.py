"""The file scan the privacy checks rely on finds a planted BSN (a scan that could not fail would prove nothing)."""

from __future__ import annotations

from pathlib import Path

from tests.support.privacy import bsns_written_in, files_quoting

BSN = "999990019"  # a test BSN (9-series, passes the elfproef)


def test_files_quoting_finds_a_bsn_in_any_file_but_the_skipped_folder(tmp_path: Path) -> None:
    (tmp_path / "logs" / "dag").mkdir(parents=True)
    (tmp_path / "logs" / "dag" / "attempt=1.log").write_text("row 4: value 123\n")
    (tmp_path / "report.csv").write_bytes(b"a;b\n" + BSN.encode() + b";1\n")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "export.csv").write_text(f"bsn\n{BSN}\n")
    scanned, quoting = files_quoting(tmp_path, {BSN}, skip=(tmp_path / "drop",))
    assert (scanned, quoting) == (2, [tmp_path / "report.csv"])
    (tmp_path / "report.csv").write_text("a;b\n1;2\n")
    assert files_quoting(tmp_path, {BSN}, skip=(tmp_path / "drop",)) == (2, [])


def test_the_warehouse_scan_reads_every_written_form_of_a_bsn() -> None:
    """The scan behind `nine_digit_numbers` (issue 20): separators, and eight digits only after the word BSN."""
    assert bsns_written_in(f"nr {BSN}, {BSN[:4]}.{BSN[4:6]}.{BSN[6:]}, {BSN[:3]} {BSN[3:6]} {BSN[6:]}") == [BSN] * 3
    assert bsns_written_in(f"{BSN[:3]}-{BSN[3:6]}-{BSN[6:]}") == [BSN]
    assert bsns_written_in("bsn 12345672") == ["012345672"] and bsns_written_in("12345672") == []
    # No BSN: ten digits, a checksum's digits between hex letters, a number failing the elfproef.
    assert bsns_written_in(f"{BSN}0 a{BSN}f 123456789") == []
