"""What a configured CBS measure is, and whether CBS agrees: the unit contract of ``cbs_tables.yml``.

Every configured topic key declares its *kind* (a count, a percentage, a figure x 1 000, ...). CBS states the unit
of every topic in the table's own metadata (v3 ``DataProperties``, v4 ``MeasureCodes``: ``Unit``, ``Decimals``,
``Title``). A key that points at the wrong column (the relative ``Bijstandsuitkering_10``, "% van het aantal
inwoners vanaf 15 jaar", instead of the count ``Bijstandsuitkering_6``) would otherwise load without a word and
publish a rate computed from a percentage; compared with the declared kind, it stops the batch before any row lands.

Pure functions only (no requests, no database): the loader (``tables.py``) and the pre-flight (``preflight.py``)
both call them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# kind -> what it means, for messages and the docs (docs/checklists/adding-a-cbs-table.md).
MEASURE_KINDS: dict[str, str] = {
    "count": "a number of persons or things (CBS unit 'aantal')",
    "x1000": "a number in thousands (CBS unit 'x 1 000')",
    "percentage": "a percentage (CBS unit '%' or '% van ...')",
    "per_1000": "a rate per 1 000 (CBS unit 'per 1 000 ...')",
    "score": "a score or rapportcijfer (CBS unit 'rapportcijfer', 'score', 'cijfer')",
    "euro": "an amount in euro (CBS unit 'euro')",
    "x1000_euro": "an amount in thousands of euro (CBS unit 'x 1 000 euro')",
}

# CBS unit text (lower case, spaces collapsed) -> kind. First match wins, so the narrower patterns come first.
_UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"^x ?1[ .]?000 euro", "x1000_euro"),
    (r"^x ?1[ .]?000\b", "x1000"),
    (r"^(%|procent)", "percentage"),
    (r"^per 1[ .]?000\b", "per_1000"),
    (r"(rapportcijfer|schaalscore|^score|^cijfer)", "score"),
    (r"^euro\b", "euro"),
    (r"^aantal$", "count"),
)

# Ratios (numerator / denominator x multiplier) read only kinds that are numbers of something.
RATIO_KINDS = frozenset({"count", "x1000"})


@dataclass(frozen=True)
class Measure:
    """One configured topic key: the measure code it lands as and what it is."""

    code: str
    kind: str


@dataclass(frozen=True)
class TopicMeta:
    """What CBS says about one topic (v3 DataProperties row, v4 MeasureCodes row)."""

    key: str
    title: str
    unit: str
    decimals: int | None


def parse_measures(table_id: str, raw: Mapping[str, Any] | None, source: str) -> dict[str, Measure]:
    """``measures`` of one edition in cbs_tables.yml: ``TopicKey: {measure: code, kind: count}``."""
    measures: dict[str, Measure] = {}
    for key, spec in (raw or {}).items():
        if not isinstance(spec, Mapping) or not spec.get("measure") or not spec.get("kind"):
            raise ValueError(
                f"{source}: CBS table {table_id}, topic {key}: write it as "
                f"`{key}: {{measure: <our measure code>, kind: <{' | '.join(MEASURE_KINDS)}>}}` "
                f"(found {spec!r}); the kind is checked against the unit CBS gives the topic"
            )
        kind = str(spec["kind"])
        if kind not in MEASURE_KINDS:
            raise ValueError(
                f"{source}: CBS table {table_id}, topic {key}: kind {kind!r} is not one of {', '.join(MEASURE_KINDS)}"
            )
        measures[str(key)] = Measure(str(spec["measure"]), kind)
    return measures


def kind_of_unit(unit: str | None) -> str | None:
    """The kind a CBS unit text means, or None for a unit none of the kinds covers ('Tekst', 'aantal per km²')."""
    text = " ".join((unit or "").lower().split())
    for pattern, kind in _UNIT_RULES:
        if re.search(pattern, text):
            return kind
    return None


def v3_topics(properties: Iterable[Mapping[str, Any]]) -> dict[str, TopicMeta]:
    return {
        str(p["Key"]): TopicMeta(str(p["Key"]), _text(p.get("Title")), _text(p.get("Unit")), p.get("Decimals"))
        for p in properties
        if p.get("Type") == "Topic" and p.get("Key")
    }


def v4_topics(measure_codes: Iterable[Mapping[str, Any]]) -> dict[str, TopicMeta]:
    return {
        str(m["Identifier"]): TopicMeta(
            str(m["Identifier"]), _text(m.get("Title")), _text(m.get("Unit")), m.get("Decimals")
        )
        for m in measure_codes
        if m.get("Identifier")
    }


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def kind_problem(table_id: str, key: str, measure: Measure, topic: TopicMeta) -> str | None:
    """Why the configured kind and what CBS says disagree, in one line with its fix; None when they agree."""
    said = f"CBS says {topic.title!r}, unit {topic.unit!r}, decimals {topic.decimals}"
    found = kind_of_unit(topic.unit)
    if found != measure.kind:
        what = f"which is {found!r}" if found else "which none of the kinds covers"
        return (
            f"CBS table {table_id}: topic {key} is configured as kind {measure.kind!r} ({measure.code}) but {said}, "
            f"{what} -> map the topic that is a {measure.kind} (see cbs_evidence/{table_id}.md) or correct its "
            "kind in ingestion/config/cbs_tables.yml"
        )
    if measure.kind == "count" and topic.decimals not in (None, 0):
        return (
            f"CBS table {table_id}: topic {key} is configured as kind 'count' ({measure.code}) but {said}: a count "
            "has no decimals (an average or a figure in thousands?) -> check the topic in cbs_evidence and the kind"
        )
    return None


def kind_problems(table_id: str, measures: Mapping[str, Measure], topics: Mapping[str, TopicMeta]) -> list[str]:
    """Every configured key that CBS does not have, or has as another kind than configured."""
    problems = []
    for key, measure in measures.items():
        topic = topics.get(key)
        if topic is None:
            problems.append(
                f"CBS table {table_id}: topic key {key} ({measure.code}) is not in the table's metadata -> a new "
                "edition renamed it? Map the new key in ingestion/config/cbs_tables.yml"
            )
            continue
        problem = kind_problem(table_id, key, measure, topic)
        if problem:
            problems.append(problem)
    return problems


def formula_problems(kinds: Mapping[str, Mapping[str, set[str]]], formulas: Iterable[Mapping[str, str]]) -> list[str]:
    """Formulas (dbt_project/seeds/indicator_formula.csv rows) that read a measure against its kind.

    ``kinds``: series -> measure code -> the kinds its editions declare (one, unless the editions disagree). A
    ratio (a denominator is given) reads numbers of something on both sides; a percentage, rate or score is
    published as it is (multiplier 1), never divided or scaled as if it were a count.
    """
    problems = []
    for row in formulas:
        where = f"indicator_formula.csv, {row['indicator_code']} ({row['measure_code']})"
        sides = [("numerator", row["numerator_series"], row["numerator_measure"])]
        if row.get("denominator_series"):
            sides.append(("denominator", row["denominator_series"], row["denominator_measure"]))
        for side, series, measure in sides:
            declared = kinds.get(series, {}).get(measure)
            if not declared:
                problems.append(f"{where}: {side} {series}.{measure} is no measure configured in cbs_tables.yml")
                continue
            if len(declared) > 1:
                problems.append(
                    f"{where}: {series}.{measure} is declared as {' and '.join(sorted(declared))} by different "
                    "editions -> one measure code, one kind"
                )
                continue
            kind = next(iter(declared))
            if len(sides) > 1 and kind not in RATIO_KINDS:
                problems.append(
                    f"{where}: the {side} {series}.{measure} is a {kind}; a ratio divides numbers of something "
                    f"({' or '.join(sorted(RATIO_KINDS))}) -> use the count CBS publishes beside it"
                )
            if len(sides) == 1 and kind not in RATIO_KINDS and float(row.get("multiplier") or 1) != 1:
                problems.append(
                    f"{where}: {series}.{measure} is a {kind}, published as it is: multiplier must be 1, "
                    f"not {row['multiplier']}"
                )
    return problems
