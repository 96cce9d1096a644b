"""Transform: dbt builds the marts in ``marts_shadow``, one task per seed, model and model's tests; only when every
one passed does ``publish`` swap the shadow into ``marts`` (BI's schema). Then the summary, the dbt docs and the
programme report.

``plan`` first compares what the marts are made of (published batches, dbt project, vars, report code) with the
last full publish: with nothing new, only ``data_quality`` (it reads the audit and the clock) is rebuilt and swapped
in, and the rest is skipped. Trigger with ``{"full_rebuild": true}`` to build everything regardless.

Runs when a source DAG published a validated batch of any raw entity (the ``raw.*`` Assets) and, as a fallback,
every night at 06:00 Amsterdam time. It starts with ``wait_for_sources``: while any source DAG is still loading it
waits, so a night of five sources is built once, not once per source.

The dbt graph comes from ``dbt_project/target/manifest.json`` (``dbt parse``): without it the build is one task
(``dbt_build``) and the DAG says why in its description.

Orchestration only: the tasks call ``ingestion.transform`` (the same functions as ``python -m ingestion
transform``); project code is imported inside the tasks, so parsing stays fast and does no I/O.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from airflow.sdk import AssetAny, AssetOrTimeSchedule, Param, dag, get_current_context, task

from programmamonitor.assets import ALL_RAW_ASSETS
from programmamonitor.dbt_build import DBT_TIMEOUT, dbt_task_group, manifest_problem
from programmamonitor.defaults import DEFAULT_ARGS, START_DATE, TAGS, nightly
from programmamonitor.tasks import wait_for_sources

log = logging.getLogger(__name__)

DAG_ID = "programmamonitor_transform"
NO_MANIFEST = manifest_problem()
if NO_MANIFEST:
    log.warning("%s: dbt rendered as one task: %s", DAG_ID, NO_MANIFEST)


@dag(
    dag_id=DAG_ID,
    description="dbt into marts_shadow (a task per model and test), publish into marts, summary, dbt docs, report."
    + (f" Rendered as one dbt task: {NO_MANIFEST}." if NO_MANIFEST else ""),
    schedule=AssetOrTimeSchedule(timetable=nightly("0 6 * * *"), assets=AssetAny(*ALL_RAW_ASSETS)),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "transform", "dbt"],
    doc_md=__doc__,
    params={"full_rebuild": Param(False, type="boolean", description="build everything, even with nothing new")},
)
def programmamonitor_transform() -> None:
    # The branch: the full build, or (nothing new since the last full publish) data_quality only. The fingerprint
    # of the inputs goes to XCom for the publish to record (taken before the build, so a batch published during
    # the build makes the next night build again).
    @task.branch(retries=0, execution_timeout=timedelta(minutes=5))
    def plan() -> str:
        from ingestion.config import settings
        from ingestion.transform import plan_refresh

        context = get_current_context()
        cfg = settings()
        decided = plan_refresh(cfg.require_warehouse_url(), cfg, force_full=bool(context["params"]["full_rebuild"]))
        context["ti"].xcom_push(key="inputs", value=decided.inputs)
        print(f"{'full build' if decided.full else 'data_quality only'}: {decided.reason}")
        return "prepare_shadow" if decided.full else "refresh_data_quality"

    @task(retries=0, execution_timeout=timedelta(minutes=20))
    def refresh_data_quality() -> None:
        from ingestion.config import settings
        from ingestion.transform import refresh_data_quality

        cfg = settings()
        inputs = get_current_context()["ti"].xcom_pull(task_ids="plan", key="inputs")
        refresh_data_quality(cfg.require_warehouse_url(), cfg, inputs)

    @task(retries=0, execution_timeout=timedelta(minutes=10))
    def prepare_shadow() -> str:
        from ingestion.config import settings
        from ingestion.transform import prepare_shadow

        return prepare_shadow(settings().require_warehouse_url())  # the build id, checked at publish

    # The verdict on the build is dbt's: a failing model or test stops the run here, and `marts` stays as it was.
    @task(retries=0, execution_timeout=DBT_TIMEOUT)
    def dbt_build() -> dict:
        from ingestion.config import settings
        from ingestion.transform import build_shadow

        cfg = settings()
        run = build_shadow(cfg.require_warehouse_url(), cfg)
        return {"results": run.results, "warnings": run.warnings}

    @task(retries=0, execution_timeout=timedelta(minutes=10))
    def publish() -> None:
        from ingestion.config import settings
        from ingestion.transform import publish_marts

        ti = get_current_context()["ti"]
        inputs = ti.xcom_pull(task_ids="plan", key="inputs")
        publish_marts(settings().require_warehouse_url(), inputs, ti.xcom_pull(task_ids="prepare_shadow"))

    @task(execution_timeout=timedelta(minutes=10))
    def summary() -> str:
        from ingestion.config import settings
        from ingestion.operator.summary import render

        cfg = settings()
        text = render(cfg.require_warehouse_url(), cfg)
        print(text)
        return text

    @task(execution_timeout=timedelta(minutes=20))
    def docs() -> str:
        from ingestion.config import settings
        from ingestion.transform import generate_docs

        cfg = settings()
        index = generate_docs(cfg.require_warehouse_url(), cfg)
        print(f"dbt docs: file://{index}")
        return str(index)

    # The programme report reads the marts just published (as bi_reader) and rewrites REPORTS_DIR.
    @task(execution_timeout=timedelta(minutes=10))
    def report() -> str:
        from ingestion.config import settings
        from ingestion.report import build_report

        index = build_report(settings())
        print(f"Programme report: file://{index}")
        return str(index)

    ready = prepare_shadow()
    wait_for_sources() >> plan() >> [ready, refresh_data_quality()]
    published = publish()
    if NO_MANIFEST:
        ready >> dbt_build() >> published
    else:
        group, producer = dbt_task_group(ready.operator.dag, ready.operator)
        # Publish only after the build itself and every model's and test's task succeeded.
        [group, producer] >> published

    published >> [summary(), docs(), report()]


programmamonitor_transform()
