{{ config(contract={'enforced': true}) }}

{#- Per source stream: its latest loads, open validation failures, rejections and freshness, as at build time.
    The rules are documented in _marts_data_quality__models.yml. var('data_quality_as_of') fixes the moment of the check
    (unit tests); unset, it is the build time. -#}
{%- set as_of = var('data_quality_as_of', none) %}

with checked as (
    select {% if as_of %}'{{ as_of }}'::timestamptz{% else %}now(){% endif %} as checked_at
),

batches as (
    select * from {{ ref('stg_audit__load_batches') }}
),

validation_results as (
    select * from {{ ref('stg_audit__validation_results') }}
),

quarantine as (
    select * from {{ ref('stg_audit__quarantine') }}
),

cadence as (
    select * from {{ ref('source_cadence') }}
),

-- Every stream with a load attempt, and every cadence entry without any: a source that never delivered is shown.
streams as (
    select distinct source_system, stream, entity from batches
    union
    select source_system, entity as stream, entity
    from cadence
    where not exists (
        select 1 from batches
        where batches.source_system = cadence.source_system and batches.entity = cadence.entity
    )
),

stream_batches as (
    select
        batches.source_system,
        batches.stream,
        max(batches.batch_id) as last_batch_id,
        max(batches.batch_id) filter (where batches.is_success) as last_success_batch_id,
        max(batches.batch_id) filter (where batches.status = 'published') as last_published_batch_id,
        max(batches.batch_id) filter (where batches.status = 'failed') as last_failed_batch_id,
        max(batches.batch_id) filter (where batches.validated_at is not null) as last_validated_batch_id,
        count(*) filter (
            where batches.status = 'failed' and batches.started_at >= checked.checked_at - interval '30 days'
        ) as loads_failed_last_30_days,
        count(*) filter (
            where batches.status = 'rejected' and batches.started_at >= checked.checked_at - interval '30 days'
        ) as rejected_files_last_30_days
    from batches
    cross join checked
    group by batches.source_system, batches.stream
),

-- Rows set aside from files that were loaded; a record without a row number, or of a rejected file (which is
-- counted as such), is no quarantined row. One row with several bad cells counts once.
quarantined_rows as (
    select
        batches.source_system,
        batches.stream,
        count(distinct quarantine.batch_id::text || ':' || quarantine.row_number::text) as quarantined_rows
    from quarantine
    inner join batches on quarantine.batch_id = batches.batch_id
    cross join checked
    where quarantine.row_number is not null
        and batches.status <> 'rejected'
        and quarantine.quarantined_at >= checked.checked_at - interval '30 days'
    group by batches.source_system, batches.stream
),

-- Failed blocking expectations; one in another raw table than the batch's entity (a CBS batch's cbs_table_info)
-- is prefixed with that table.
failed_blocking as (
    select
        validation_results.batch_id,
        case
            when validation_results.validated_table is null or validation_results.validated_table = batches.entity
                then validation_results.expectation_label
            else validation_results.validated_table || ': ' || validation_results.expectation_label
        end as failure_label
    from validation_results
    inner join batches on validation_results.batch_id = batches.batch_id
    where validation_results.is_blocking and not validation_results.is_success
),

blocking_failures as (
    select
        batch_id,
        string_agg(distinct failure_label, '; ' order by failure_label) as failing_expectations
    from failed_blocking
    group by batch_id
),

warnings as (
    select
        batch_id,
        count(*) filter (where severity = 'warning' and not is_success) as failed_warnings
    from validation_results
    group by batch_id
),

joined as (
    select
        streams.source_system,
        streams.stream,
        streams.entity,
        last_batch.started_at as last_load_at,
        last_batch.status as last_load_status,
        coalesce(last_success.finished_at, last_success.started_at) as last_success_at,
        stream_batches.last_published_batch_id,
        coalesce(last_published.finished_at, last_published.started_at) as last_new_data_at,
        coalesce(stream_batches.loads_failed_last_30_days, 0) as loads_failed_last_30_days,
        coalesce(stream_batches.rejected_files_last_30_days, 0) as rejected_files_last_30_days,
        coalesce(quarantined_rows.quarantined_rows, 0) as quarantined_rows_last_30_days,
        -- The latest failed batch, as long as no success followed it (batch ids are issued in load order).
        case
            when stream_batches.last_failed_batch_id > coalesce(stream_batches.last_success_batch_id, 0)
                then stream_batches.last_failed_batch_id
        end as failing_batch_id,
        case
            when stream_batches.last_validated_batch_id is not null then coalesce(warnings.failed_warnings, 0)
        end as warnings_last_run,
        cadence.cadence_label,
        cadence.expected_every_days,
        cadence.grace_days,
        cadence.freshness_basis,
        checked.checked_at
    from streams
    cross join checked
    left join stream_batches
        on streams.source_system = stream_batches.source_system and streams.stream = stream_batches.stream
    left join batches as last_batch on stream_batches.last_batch_id = last_batch.batch_id
    left join batches as last_success on stream_batches.last_success_batch_id = last_success.batch_id
    left join batches as last_published on stream_batches.last_published_batch_id = last_published.batch_id
    left join quarantined_rows
        on streams.source_system = quarantined_rows.source_system and streams.stream = quarantined_rows.stream
    left join warnings on stream_batches.last_validated_batch_id = warnings.batch_id
    left join cadence on streams.source_system = cadence.source_system and streams.entity = cadence.entity
),

freshness as (
    select
        joined.*,
        blocking_failures.failing_expectations,
        case joined.freshness_basis
            when 'attempt' then joined.last_success_at
            when 'new_delivery' then joined.last_new_data_at
        end + make_interval(days => joined.expected_every_days + joined.grace_days) as freshness_deadline
    from joined
    left join blocking_failures on joined.failing_batch_id = blocking_failures.batch_id
)

select
    source_system::text as source_system,
    stream::text as stream,
    entity::text as entity,
    last_load_at::timestamptz as last_load_at,
    last_load_status::text as last_load_status,
    last_success_at::timestamptz as last_success_at,
    last_published_batch_id::bigint as last_published_batch_id,
    last_new_data_at::timestamptz as last_new_data_at,
    loads_failed_last_30_days::integer as loads_failed_last_30_days,
    rejected_files_last_30_days::integer as rejected_files_last_30_days,
    quarantined_rows_last_30_days::integer as quarantined_rows_last_30_days,
    failing_expectations::text as failing_expectations,
    failing_batch_id::bigint as failing_batch_id,
    warnings_last_run::integer as warnings_last_run,
    cadence_label::text as cadence_label,
    expected_every_days::integer as expected_every_days,
    grace_days::integer as grace_days,
    freshness_basis::text as freshness_basis,
    freshness_deadline::timestamptz as freshness_deadline,
    case
        when expected_every_days is null or freshness_basis is null then 'geen cadans'
        when freshness_deadline is null then 'nooit geladen'
        when checked_at <= freshness_deadline then 'vers'
        else 'verlopen'
    end::text as freshness_status,
    checked_at::timestamptz as checked_at
from freshness
