"""The unit contract of cbs_tables.yml: declared kinds against the units CBS gives, and formulas against kinds."""

from __future__ import annotations

import pytest

from ingestion.sources.cbs.contract import (
    Measure,
    TopicMeta,
    formula_problems,
    kind_of_unit,
    kind_problems,
    parse_measures,
)


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        # unit texts as CBS writes them (cbs_evidence/: 86003NED, 83582NED, 85896NED, 86165NED)
        ("aantal", "count"),
        ("x 1 000", "x1000"),
        ("x 1 000 euro", "x1000_euro"),
        ("%", "percentage"),
        ("% van het aantal inwoners vanaf 15 jaar", "percentage"),
        ("per 1 000 inwoners", "per_1000"),
        ("Rapportcijfer", "score"),
        ("euro", "euro"),
        ("aantal inwoners per km²", None),
        ("Tekst", None),
        ("", None),
    ],
)
def test_cbs_units_map_to_kinds(unit: str, kind: str | None) -> None:
    assert kind_of_unit(unit) == kind


# The real bijstand columns of 86003NED (cbs_evidence/86003NED.md): _6 the count, _10 its share of inhabitants 15+.
COUNT = TopicMeta("Bijstandsuitkering_6", "Bijstandsuitkering", "aantal", 0)
SHARE = TopicMeta("Bijstandsuitkering_10", "Bijstandsuitkering", "% van het aantal inwoners vanaf 15 jaar", 0)


def test_a_percentage_configured_as_a_count_is_named_with_both_sides() -> None:
    [problem] = kind_problems("86003NED", {"Bijstandsuitkering_10": Measure("personen_met_bijstand", "count")},
                              {SHARE.key: SHARE, COUNT.key: COUNT})
    assert problem.startswith("CBS table 86003NED: topic Bijstandsuitkering_10 is configured as kind 'count' "
                              "(personen_met_bijstand) but CBS says 'Bijstandsuitkering', unit "
                              "'% van het aantal inwoners vanaf 15 jaar', decimals 0, which is 'percentage' -> ")
    assert "cbs_tables.yml" in problem


def test_the_count_configured_as_a_count_passes_and_a_missing_key_is_named() -> None:
    declared = {"Bijstandsuitkering_6": Measure("personen_met_bijstand", "count")}
    assert kind_problems("86003NED", declared, {COUNT.key: COUNT}) == []
    [missing] = kind_problems("86003NED", {"Bijstandsuitkering_9": Measure("b", "count")}, {COUNT.key: COUNT})
    assert "topic key Bijstandsuitkering_9 (b) is not in the table's metadata" in missing


def test_a_count_with_decimals_is_not_a_count() -> None:
    average = TopicMeta("GemiddeldeHuishoudensgrootte_32", "Gemiddelde huishoudensgrootte", "aantal", 1)
    [problem] = kind_problems("T", {average.key: Measure("hh", "count")}, {average.key: average})
    assert "a count has no decimals" in problem


def test_measures_must_declare_a_known_kind() -> None:
    with pytest.raises(ValueError, match=r"cbs_tables.yml: CBS table T, topic A_1: write it as `A_1: \{measure:"):
        parse_measures("T", {"A_1": "a"}, "cbs_tables.yml")
    with pytest.raises(ValueError, match=r"kind 'percent' is not one of count, x1000, percentage"):
        parse_measures("T", {"A_1": {"measure": "a", "kind": "percent"}}, "cbs_tables.yml")
    assert parse_measures("T", {"A_1": {"measure": "a", "kind": "score"}}, "f") == {"A_1": Measure("a", "score")}


def formula(indicator: str, numerator: str, denominator: str = "", multiplier: str = "1") -> dict[str, str]:
    return {"indicator_code": indicator, "measure_code": "m", "numerator_series": "s", "numerator_measure": numerator,
            "denominator_series": "s" if denominator else "", "denominator_measure": denominator,
            "multiplier": multiplier}


KINDS = {"s": {"bijstand": {"count"}, "inwoners": {"count"}, "bijstand_pct": {"percentage"},
               "werkzaam_x1000": {"x1000"}, "cijfer": {"score"}, "mixed": {"count", "percentage"}}}


def test_formulas_read_counts_in_ratios_and_publish_rates_as_they_are() -> None:
    good = [formula("per10k", "bijstand", "inwoners", "10000"), formula("pct", "bijstand_pct"),
            formula("personen", "werkzaam_x1000", multiplier="1000"), formula("cijfer", "cijfer")]
    assert formula_problems(KINDS, good) == []
    problems = formula_problems(KINDS, [
        formula("pct_per10k", "bijstand_pct", "inwoners", "10000"),
        formula("scaled", "cijfer", multiplier="10"),
        formula("unknown", "nothing"),
        formula("mixed", "mixed"),
    ])
    assert len(problems) == 4
    assert "pct_per10k (m): the numerator s.bijstand_pct is a percentage; a ratio divides numbers" in problems[0]
    assert "scaled (m): s.cijfer is a score, published as it is: multiplier must be 1, not 10" in problems[1]
    assert "numerator s.nothing is no measure configured" in problems[2]
    assert "declared as count and percentage by different editions" in problems[3]
