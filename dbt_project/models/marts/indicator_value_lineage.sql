{{ config(contract={'enforced': true}) }}

{#- Where every value of fct_indicator_value came from: one row per input of the value (CBS formulas: numerator and
    denominator; everything else: one), with its batch (audit.load_batch through stg_audit__batch_lineage), the
    request or file, and the raw rows (int_lineage__indicator_value_inputs). A table, not a view: a view in marts
    must not read staging or intermediate models (dbt drops and recreates those), and this one reads the marts'
    own fct_indicator_value too. A reported value (programmadocumenten) has one row without batch. Marts-safe: no
    person, no server path; a suppressed Werkplein value shows its file, not its rows. -#}
with values_ as (
    select * from {{ ref('fct_indicator_value') }}
),

inputs as (
    select * from {{ ref('int_lineage__indicator_value_inputs') }}
),

batches as (
    select * from {{ ref('stg_audit__batch_lineage') }}
)

select
    values_.indicator_code::text as indicator_code,
    values_.measure_code::text as measure_code,
    values_.is_primary_measure::boolean as is_primary_measure,
    values_.gemeentecode::text as gemeentecode,
    values_.period_code::text as period_code,
    values_.value_source::text as value_source,
    values_.value::numeric as value,
    values_.value_label::text as value_label,
    values_.is_suppressed::boolean as is_suppressed,
    values_.is_provisional::boolean as is_provisional,
    values_.source_system::text as source_system,
    values_.batch_id::bigint as value_batch_id,
    values_.source_title::text as source_title,
    coalesce(inputs.input_order, 1)::integer as input_order,
    coalesce(inputs.input_role, 'waarde')::text as input_role,
    inputs.input_name::text as input_name,
    (case when not values_.is_suppressed then inputs.input_value end)::numeric as input_value,
    inputs.formula::text as formula,
    inputs.batch_id::bigint as batch_id,
    batches.status::text as batch_status,
    batches.entity::text as batch_entity,
    batches.source_ref::text as source_ref,
    batches.source_mode::text as source_mode,
    batches.logical_date::date as batch_logical_date,
    batches.finished_at::timestamptz as batch_loaded_at,
    batches.validated_at::timestamptz as batch_validated_at,
    batches.cbs_api::text as cbs_api,
    batches.request_url::text as request_url,
    batches.request_count::integer as request_count,
    batches.file_name::text as file_name,
    batches.file_sha256::text as file_sha256,
    batches.file_bytes::bigint as file_bytes,
    batches.row_count::bigint as batch_row_count,
    inputs.raw_table::text as raw_table,
    inputs.row_selection::text as row_selection,
    inputs.raw_table_id::text as raw_table_id,
    inputs.raw_region_code::text as raw_region_code,
    inputs.raw_period_code::text as raw_period_code,
    inputs.raw_topic_key::text as raw_topic_key,
    inputs.raw_dimensions::text as raw_dimensions,
    (case when not values_.is_suppressed then inputs.raw_value end)::numeric as raw_value,
    inputs.raw_row_count::bigint as raw_row_count,
    inputs.raw_row_numbers::text as raw_row_numbers
from values_
left join inputs
    on values_.value_source = 'computed'
    and values_.indicator_code = inputs.indicator_code
    and values_.measure_code = inputs.measure_code
    and values_.gemeentecode = inputs.gemeentecode
    and values_.period_code = inputs.period_code
    and values_.source_system = inputs.source_system
left join batches on inputs.batch_id = batches.batch_id
