"""What a file name says its rows hold (issue 20): the facts validation holds a batch's rows to."""

from __future__ import annotations

import pytest

from ingestion.sources.registry import file_sources
from ingestion.sources.uwv import SOURCE as UWV
from ingestion.sources.werkplein import SOURCE as WERKPLEIN


def test_a_werkplein_name_gives_its_gemeente_and_month() -> None:
    assert WERKPLEIN.name_facts("werkplein_uitkeringen_0141_202402_correctie.xlsx") == {
        "gemeentecode": "0141", "period": "202402", "period_start": "2024-02-01", "period_end": "2024-02-29"}
    assert WERKPLEIN.name_facts("Werkplein_Activiteiten_0153_202312.CSV")["period_end"] == "2023-12-31"


@pytest.mark.parametrize("month", ["00", "13"])
def test_a_werkplein_name_with_no_month_is_refused(month: str) -> None:
    name = f"werkplein_uitkeringen_0141_2024{month}.csv"
    assert WERKPLEIN.delivery(name) is None and WERKPLEIN.name_facts(name) == {}


def test_a_uwv_name_gives_its_quarter_as_the_marts_code() -> None:
    assert UWV.name_facts("uwv_spanningsindicator_2024q4_extra.csv") == {"period": "2024Q4", "period_code": "2024KW04"}


def test_every_file_source_reads_its_own_example_name() -> None:
    facts = {name: source.name_facts(source.example_file_name) for name, source in file_sources().items()}
    assert facts["kennispunt"] == facts["handmatig"] == {}  # their date is the export's, not the rows' period
    assert facts["werkplein"]["gemeentecode"] == "0141" and facts["uwv"]["period_code"] == "2024KW01"
