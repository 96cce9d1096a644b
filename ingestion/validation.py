"""Validate one landed batch with its Great Expectations suite, then publish or fail it (write-audit-publish).

A batch is validated where it lies: GX runs the suite ``expectations/raw_<entity>.json`` as SQL on
``select * from raw.<entity> where batch_id = <id>`` (a temp table in the database; nothing is pulled into pandas).
Every expectation result goes to ``audit.validation_result``; the batch becomes 'published' (dbt staging reads it)
or 'failed' with a message naming what failed. Results and status change commit together, or not at all.
"""

from __future__ import annotations

import calendar
import json
import logging
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from ingestion.config import settings
from ingestion.warehouse import connect

if TYPE_CHECKING:  # GX takes seconds to import; a DAG file importing this module must not pay for it.
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger(__name__)

# No network here, and task logs are no place for usage statistics or tqdm bars.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
if logging.getLogger("great_expectations").level == logging.NOTSET:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)

SQLALCHEMY_DRIVER = "postgresql+psycopg"  # psycopg 3 is the project's driver; psycopg2 is only a GX extra
ENTITY_RE = re.compile(r"[a-z][a-z0-9_]*")  # the entity becomes a file name and a table name
VALIDATABLE_STATUS = "loaded"
# GX's severities; only a failed 'critical' expectation stops a batch, the others are on record only.
BLOCKING_SEVERITY = "critical"
AUDIT_SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}
# kwargs that are the domain (already in column_name) or GX bookkeeping, not the expectation's parameters.
DOMAIN_KWARGS = {"batch_id", "column", "column_list", "column_A", "column_B", "result_format", "catch_exceptions"}
SAMPLE_SIZE = 3  # unexpected values quoted in a failure message
DATA_DOCS_SITE = "programmamonitor"


@dataclass(frozen=True)
class ValidationOutcome:
    batch_id: int
    suite: str
    success: bool
    failures: list[str] = field(default_factory=list)  # human-readable, one per failed blocking expectation
    evaluated: int = 0


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, shaped as a row of audit.validation_result."""

    expectation: str
    column_name: str | None
    kwargs: dict[str, Any]
    success: bool
    observed_value: Any
    unexpected_count: int | None
    severity: str  # GX severity: critical | warning | info
    description: str  # what failed and what was seen; empty when it passed

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == BLOCKING_SEVERITY


def expectations_dir() -> Path:
    return settings().expectations_dir


def suite_name(entity: str) -> str:
    return f"raw_{entity}"


def load_suite(entity: str) -> dict[str, Any]:
    """The suite for a raw entity, as GX-serialised JSON (a dict ``gx.ExpectationSuite(**d)`` accepts)."""
    path = expectations_dir() / f"{suite_name(entity)}.json"
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no expectation suite for entity {entity!r}: {path} does not exist") from None
    if suite.get("name") != suite_name(entity):
        raise ValueError(f"{path}: suite name is {suite.get('name')!r}, expected {suite_name(entity)!r}")
    return suite


def sqlalchemy_url(url: str) -> tuple[str, bool]:
    """A libpq URL as a SQLAlchemy URL for psycopg 3; and whether it connects over TCP (host and user given).

    libpq itself parses the URL, so every form it accepts (percent-encoded socket paths, ?host=, PG* defaults
    for what is left out) means the same to GX as to the rest of the warehouse code.
    """
    from sqlalchemy.engine import URL

    params = {k: v for k, v in conninfo_to_dict(url).items() if v is not None}
    host = params.pop("host", None)
    port = params.pop("port", None)
    is_tcp = bool(host) and not host.startswith(("/", "@")) and "," not in host
    if not is_tcp:
        # A socket directory (or a host list) travels as a libpq parameter, which psycopg hands to libpq as is.
        params.update({k: v for k, v in (("host", host), ("port", port)) if v})
    sa_url = URL.create(
        SQLALCHEMY_DRIVER,
        username=params.pop("user", None),
        password=params.pop("password", None),
        host=host if is_tcp else None,
        port=int(port) if port and is_tcp else None,
        database=params.pop("dbname", None),
        query=params,
    )
    return sa_url.render_as_string(hide_password=False), is_tcp and sa_url.username is not None


def gx_context(data_docs_dir: Path | None = None) -> AbstractDataContext:
    """The GX context validations run in: ephemeral, except that with ``data_docs_dir`` its validation results are
    kept on disk (``<dir>/results``) and rendered as a Data Docs site (``<dir>/site/index.html``) that lists
    every validation run so far."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    if data_docs_dir is not None:

        def on_disk(folder: str) -> dict[str, str]:
            return {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir / folder)}

        config.stores["validation_results_store"] = {
            "class_name": "ValidationResultsStore",
            "store_backend": on_disk("results"),
        }
        config.data_docs_sites = {
            DATA_DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": on_disk("site"),
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "validation_results_limit": 500},
            }
        }
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suite(
    context: AbstractDataContext,
    url: str,
    query: str,
    suite: dict[str, Any],
    name: str,
    rendered: list[Any] | None = None,
) -> list[ExpectationOutcome]:
    """Run a suite on the rows a query selects, in the database, through a checkpoint; results in suite order.

    The identifiers of the stored validation results are appended to ``rendered``, for the Data Docs build."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from sqlalchemy.engine import Engine

    connection_string, is_tcp = sqlalchemy_url(url)
    # A temp table of the batch (CREATE TEMP TABLE AS, inside the database) rather than a subquery: GX reads a
    # query asset's column names by running the bare query, which would ship the whole batch to this process.
    options: dict[str, Any] = {"connection_string": connection_string, "create_temp_table": True}
    with warnings.catch_warnings():
        # add_sql on a postgresql URL warns that add_postgres exists; socket URLs are why we use it.
        warnings.simplefilter("ignore")
        if is_tcp:
            source = context.data_sources.add_postgres(name, **options)
        else:
            # GX's PostgresDsn wants a host and a user; a socket or libpq defaults need the generic source.
            source = context.data_sources.add_sql(name, **options)
    try:
        asset = source.add_query_asset(name, query=query)
        batch_definition = asset.add_batch_definition_whole_table(name)
        expectation_suite = context.suites.add_or_update(gx.ExpectationSuite(**suite))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=expectation_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                # SUMMARY: counts plus a few unexpected values, computed in SQL; never the full row lists.
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
            )
        )
        result = checkpoint.run(run_id=RunIdentifier(run_name=name))
    finally:
        # The source (connection test) and its execution engine each made an engine; close their pooled
        # connections, and with them the temp table, now rather than whenever they are garbage-collected.
        for engine in (source.get_engine(), getattr(source.get_execution_engine(), "engine", None)):
            if isinstance(engine, Engine):
                engine.dispose()

    if rendered is not None:
        rendered.extend(result.run_results.keys())
    order = {expectation.id: i for i, expectation in enumerate(expectation_suite.expectations)}
    outcomes: list[tuple[int, ExpectationOutcome]] = []
    for suite_result in result.run_results.values():
        for expectation_result in suite_result.results:
            as_json = expectation_result.to_json_dict()
            position = order.get(as_json["expectation_config"].get("id"), len(order))
            outcomes.append((position, _outcome(as_json)))
    return [outcome for _, outcome in sorted(outcomes, key=lambda pair: pair[0])]


class Validator:
    """One GX context for the batches one task validates; their Data Docs pages and the index are rendered once,
    by :meth:`build_docs` (rendering per checkpoint would rebuild the index for every batch)."""

    def __init__(self, data_docs_dir: Path | None = None) -> None:
        self.context = gx_context(data_docs_dir)
        self.rendered: list[Any] = []

    def validate(self, url: str, batch_id: int) -> ValidationOutcome:
        return validate_batch(url, batch_id, validator=self)

    def build_docs(self) -> None:
        if self.rendered and self.context.get_site_names():
            self.context.build_data_docs(resource_identifiers=self.rendered)
        self.rendered = []


def validate_batch(url: str, batch_id: int, *, validator: Validator | None = None) -> ValidationOutcome:
    """Validate a 'loaded' batch: every raw table it landed rows in against that table's suite; record the
    results and publish or fail the batch. Without a ``validator`` the Data Docs are updated at once."""
    if validator is None:
        own = Validator(settings().data_docs_dir)
        try:
            return validate_batch(url, batch_id, validator=own)
        finally:
            own.build_docs()

    with connect(url, application_name="programmamonitor-validation") as conn:
        # The row lock makes a concurrent validation of the same batch wait, then see it is no longer 'loaded'.
        # NO KEY UPDATE, so loads of other batches (whose rows only key-share-lock their own batch) never wait.
        row = conn.execute(
            "select entity, status, source, row_counts from audit.load_batch where batch_id = %s for no key update",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise ValueError(f"batch {batch_id} does not exist")
        entity, status, source, row_counts = row
        if status != VALIDATABLE_STATUS:
            raise ValueError(f"batch {batch_id} is {status!r}; only a {VALIDATABLE_STATUS!r} batch can be validated")
        tables = [entity, *sorted(t for t in (row_counts or {}) if t != entity)]
        for table in tables:
            if not ENTITY_RE.fullmatch(table):
                raise ValueError(f"batch {batch_id}: {table!r} is not a raw table name")
            if conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone()[0] is None:
                raise ValueError(f"batch {batch_id}: there is no table raw.{table}")

        results: list[tuple[str, ExpectationOutcome]] = []
        for table in tables:
            facts = RunFacts.of(conn, batch_id, source, table)
            suite = resolve_suite(load_suite(table), facts)
            query = (
                sql.SQL("select * from {table} where batch_id = {batch_id}")
                .format(table=sql.Identifier("raw", table), batch_id=sql.Literal(int(batch_id)))
                .as_string(conn)
            )
            name = f"{suite['name']}_batch_{batch_id}"
            outcomes = run_suite(validator.context, url, query, suite, name=name, rendered=validator.rendered)
            # One outcome per expectation, in suite order.
            pairs = zip(suite["expectations"], outcomes, strict=True)
            outcomes = [_with_unexpected_rows(conn, expectation, o, query) for expectation, o in pairs]
            results += [(suite["name"], o) for o in outcomes]

        failures = [f"{o.expectation}{o.description}" for _, o in results if o.blocking]
        _record(conn, batch_id, results, failures)

    outcome = ValidationOutcome(
        batch_id=batch_id,
        suite=", ".join(suite_name(t) for t in tables),
        success=not failures,
        failures=failures,
        evaluated=len(results),
    )
    log.info(
        "validated batch %s with %s: %s (%d expectations)%s",
        batch_id,
        outcome.suite,
        "published" if outcome.success else "failed",
        outcome.evaluated,
        "; " + "; ".join(failures) if failures else "",
    )
    # Warnings publish, but are said out loud (and counted in marts.data_quality).
    for suite, o in results:
        if not o.success and not o.blocking:
            log.warning("batch %s %s: %s %s%s", batch_id, suite, o.severity, o.expectation, o.description)
    return outcome


@dataclass(frozen=True)
class RunFacts:
    """What a suite may refer to at run time: the date, the previous published batch of the same stream —
    the same source and raw table, or (``within: delivery``) also the same delivery key, e.g. the same Kennispunt
    onderwerp, whose exports differ in size from one onderwerp to the next — and what the batch's file name says
    its rows hold (``${delivery_gemeentecode}``, ``${delivery_period_start}``, ...: the source's ``name_facts``)."""

    today: date
    table: str
    previous_batch_id: int | None
    conn: psycopg.Connection | None = None
    previous_delivery_batch_id: int | None = None
    delivery: dict[str, str] = field(default_factory=dict)  # the file name's facts, without the prefix

    @classmethod
    def of(cls, conn: psycopg.Connection, batch_id: int, source: str, table: str) -> RunFacts:
        def previous(same_delivery: bool) -> int | None:
            row = conn.execute(
                "select p.batch_id from audit.load_batch p join audit.load_batch b on b.batch_id = %s"
                " where p.source = %s and p.status = 'published' and p.batch_id < b.batch_id and p.row_counts ? %s"
                " and (not %s or p.delivery_key is not distinct from b.delivery_key)"
                " order by p.batch_id desc limit 1",
                (batch_id, source, table, same_delivery),
            ).fetchone()
            return None if row is None else int(row[0])

        return cls(date.today(), table, previous(False), conn, previous(True), name_facts(conn, batch_id, source))

    def placeholders(self) -> dict[str, str]:
        last_day = calendar.monthrange(self.today.year, self.today.month)[1]
        return {
            "today": self.today.isoformat(),
            "end_of_month": self.today.replace(day=last_day).isoformat(),
            "current_year": str(self.today.year),
            "years_up_to_now": years_up_to(self.today.year),
            **{DELIVERY_PREFIX + name: value for name, value in self.delivery.items()},
        }

    def previous(self, metric: str, column: str | None, within: str = "stream") -> float | None:
        """row_count or mean(column) of the previous published batch's rows in this table (``within`` 'stream':
        the source's previous batch of this table; 'delivery': the previous batch of the same delivery key)."""
        if within not in ("stream", "delivery"):
            raise ValueError(f"relative_to_previous_batch: within must be 'stream' or 'delivery', not {within!r}")
        batch_id = self.previous_delivery_batch_id if within == "delivery" else self.previous_batch_id
        if batch_id is None or self.conn is None:
            return None
        measure = sql.SQL("count(*)") if metric == "row_count" else sql.SQL("avg({})").format(sql.Identifier(column))
        value = self.conn.execute(
            sql.SQL("select {} from {} where batch_id = %s").format(measure, sql.Identifier("raw", self.table)),
            (batch_id,),
        ).fetchone()[0]
        return None if value is None else float(value)


def years_up_to(year: int) -> str:
    """A regex alternation matching the years 1900 .. ``year`` (for 2026: 19\\d\\d|20[0-1]\\d|202[0-6])."""
    if not 2000 <= year <= 2099:
        raise ValueError(f"year {year} is outside 2000-2099")
    tens, units = divmod(year - 2000, 10)
    parts = ["19\\d\\d"]
    if tens:
        parts.append(f"20[0-{tens - 1}]\\d")
    parts.append(f"20{tens}[0-{units}]")
    return "|".join(parts)


def name_facts(conn: psycopg.Connection, batch_id: int, source: str) -> dict[str, str]:
    """What the batch's file name says its rows hold, as its source reads the name; empty for a source that is no
    file source (CBS)."""
    from ingestion.sources.registry import file_sources  # the file sources only when a batch is validated

    file_source = file_sources().get(source)
    if file_source is None:
        return {}
    file_name = conn.execute("select source_ref from audit.load_batch where batch_id = %s", (batch_id,)).fetchone()[0]
    return file_source.name_facts(file_name)


PLACEHOLDER_RE = re.compile(r"\$\{(\w+)\}")
DELIVERY_PREFIX = "delivery_"


class _UnknownPlaceholder(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def resolve_suite(suite: dict[str, Any], facts: RunFacts) -> dict[str, Any]:
    """The suite as it runs now: ``${today}``-style placeholders filled (in the kwargs and the description), and
    expectations whose bounds are relative to the previous published batch (meta ``relative_to_previous_batch``:
    metric row_count or mean, min_ratio, max_ratio, optional within stream|delivery) given absolute bounds — or left
    out when there is no previous batch to compare with. An expectation on a ``${delivery_...}`` fact the batch's
    file name does not give is left out too: rows not delivered as a named file have no name to agree with."""
    values = facts.placeholders()

    def value_of(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise _UnknownPlaceholder(match.group(1))
        return values[match.group(1)]

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return PLACEHOLDER_RE.sub(value_of, value)
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    resolved = []
    for expectation in suite["expectations"]:
        try:
            filled = {"kwargs": {k: fill(v) for k, v in expectation["kwargs"].items()}}
            if expectation.get("description"):
                filled["description"] = fill(expectation["description"])
        except _UnknownPlaceholder as missing:
            name = missing.name
            if name.startswith(DELIVERY_PREFIX):
                continue
            raise ValueError(f"suite {suite.get('name')}: unknown placeholder ${{{name}}} in {expectation['type']}"
                             f" (known: {', '.join(sorted(values))})") from None
        expectation = {**expectation, **filled}
        relative = (expectation.get("meta") or {}).get("relative_to_previous_batch")
        if relative:
            previous = facts.previous(relative["metric"], expectation["kwargs"].get("column"),
                                      relative.get("within", "stream"))
            if previous is None:
                continue  # nothing to compare with: the first batch of its stream
            expectation["kwargs"].update(min_value=previous * relative["min_ratio"],
                                         max_value=previous * relative["max_ratio"])
        resolved.append(expectation)
    return {**suite, "expectations": resolved}


def _record(
    conn: psycopg.Connection, batch_id: int, results: Sequence[tuple[str, ExpectationOutcome]], failures: list[str]
) -> None:
    """Results and the status change, in the transaction that holds the batch's row lock."""
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.validation_result (batch_id, suite, expectation, column_name, kwargs, success,"
            " observed_value, unexpected_count, severity) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    batch_id,
                    suite,
                    o.expectation,
                    o.column_name,
                    Jsonb(o.kwargs),
                    o.success,
                    None if o.observed_value is None else Jsonb(o.observed_value),
                    o.unexpected_count,
                    AUDIT_SEVERITY.get(o.severity, o.severity),
                )
                for suite, o in results
            ],
        )
    if failures:
        conn.execute(
            "update audit.load_batch set status = 'failed', validated_at = now(), message = %s where batch_id = %s",
            ("validation failed: " + "; ".join(failures), batch_id),
        )
    else:
        conn.execute(
            "update audit.load_batch set status = 'published', validated_at = now(), message = null"
            " where batch_id = %s",
            (batch_id,),
        )


def _with_unexpected_rows(
    conn: psycopg.Connection, expectation: dict[str, Any], outcome: ExpectationOutcome, batch_query: str
) -> ExpectationOutcome:
    """A failed SQL check with the first rows it found. GX's SUMMARY results carry only their count, and the rows
    (which period, which export) are what an engineer needs; the check's own query, limited, runs again here."""
    query = expectation["kwargs"].get("unexpected_rows_query")
    if outcome.success or not query or outcome.observed_value is None:
        return outcome
    # The suite's own SQL (reviewed like code), on this batch's rows; PostgreSQL 15 wants the subqueries aliased.
    checked = query.format(batch=f"({batch_query}) as batch")
    sample_query = f"select * from ({checked}) as unexpected limit {SAMPLE_SIZE}"  # noqa: S608
    with conn.cursor(row_factory=dict_row) as cur:
        rows = [{k: v if isinstance(v, int | float | str | None) else str(v) for k, v in r.items()}
                for r in cur.execute(sample_query)]  # type: ignore[call-overload]
    count = outcome.observed_value
    examples = ", ".join(_fmt(r) for r in rows)
    return replace(
        outcome,
        observed_value={"unexpected_row_count": count, "sample": rows},
        unexpected_count=count,
        description=f"({outcome.kwargs.get('check')}): {count} unexpected row(s), e.g. {examples}",
    )


def _outcome(result: dict[str, Any]) -> ExpectationOutcome:
    """An ExpectationValidationResult (as GX's JSON dict) as an audit row plus a sentence for the message."""
    config = result["expectation_config"]
    kwargs: dict[str, Any] = dict(config.get("kwargs") or {})
    details: dict[str, Any] = result.get("result") or {}
    columns = kwargs.get("column_list") or [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    params = {k: v for k, v in kwargs.items() if k not in DOMAIN_KWARGS}
    if "unexpected_rows_query" in params:
        # A SQL check: its description says what it means (the query itself is in the suite and the Data Docs).
        del params["unexpected_rows_query"]
        params["check"] = str(config.get("description") or "custom SQL check")

    if "observed_value" in details:
        observed: Any = details["observed_value"]
    elif "unexpected_count" in details:  # a map expectation: counts and a sample, no single observed value
        observed = {
            k: details[k]
            for k in ("element_count", "missing_count", "unexpected_percent", "partial_unexpected_list")
            if k in details
        }
    else:
        observed = None
    exception = _exception_message(result.get("exception_info"))
    if exception is not None:
        observed = {"exception": exception}

    description = ""
    if not result["success"]:
        target = params["check"] if "check" in params else ", ".join([*map(str, columns), *_describe_params(params)])
        if "check" not in params and config.get("description"):
            target += f"; {config['description']}"  # e.g. what the file name says, beside the value it gave
        description = f"({target}): {_describe_observation(details, exception)}"
    return ExpectationOutcome(
        expectation=config["type"],
        column_name=", ".join(map(str, columns)) or None,
        kwargs=params,
        success=bool(result["success"]),
        observed_value=observed,
        unexpected_count=details.get("unexpected_count"),
        severity=str(config.get("severity") or BLOCKING_SEVERITY),
        description=description,
    )


def _describe_params(params: dict[str, Any]) -> list[str]:
    """min 0, max 100, regex ^...$, in {'Missing'}: the parameters that say what the data had to meet."""
    named = {"min_value": "min", "max_value": "max", "value_set": "in"}
    parts = []
    for key, value in params.items():
        if value is None or (key == "mostly" and value == 1):
            continue
        if key == "value_set":
            shown = "{" + ", ".join(_fmt(v) for v in value) + "}"
        elif key == "regex":
            shown = str(value)  # as written in the suite, without repr's doubled backslashes
        else:
            shown = _fmt(value)
        parts.append(f"{named.get(key, key)} {shown}")
    return parts


def _exception_message(info: dict[str, Any] | None) -> str | None:
    """Why GX could not evaluate an expectation, if it could not (e.g. a missing column), else None."""
    if not info:
        return None
    # Flat ({raised_exception, exception_message, ...}) or, when a metric failed, one such dict per metric.
    for entry in [info, *(v for v in info.values() if isinstance(v, dict))]:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "unknown error").strip()
    return None


def _describe_observation(details: dict[str, Any], exception: str | None) -> str:
    if exception is not None:
        return f"could not be evaluated: {exception}"
    if details.get("unexpected_count") is not None:
        sample: list[Any] = []
        for value in details.get("partial_unexpected_list") or []:
            if value not in sample:  # twelve rows of 0153 are one example, not three
                sample.append(value)
        examples = f", e.g. {', '.join(_fmt(v) for v in sample[:SAMPLE_SIZE])}" if sample else ""
        return f"{details['unexpected_count']} unexpected value(s){examples}"
    if "observed_value" in details:
        return f"observed {_fmt(details['observed_value'])}"
    return "not met"


def _fmt(value: Any) -> str:
    """Values as a person reads them: -5 not -5.0, strings quoted so blanks show, rows as (col=value, ...)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) + ")"
    return str(value)
