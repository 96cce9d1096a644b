{{ config(contract={'enforced': true}) }}

with cbs_values as (
    select * from {{ ref('int_indicator_values__cbs') }}
),

all_values as (
    select * from cbs_values
)

select
    indicator_code::text as indicator_code,
    measure_code::text as measure_code,
    is_primary_measure::boolean as is_primary_measure,
    gemeentecode::text as gemeentecode,
    period_code::text as period_code,
    {{ cbs_period_type('period_code') }}::text as period_type,
    {{ cbs_period_start('period_code') }}::date as period_start,
    {{ cbs_period_end('period_code') }}::date as period_end,
    value::numeric as value,
    source_system::text as source_system,
    batch_id::bigint as batch_id,
    is_provisional::boolean as is_provisional,
    'computed'::text as value_source,
    source_mode::text as source_mode,
    source_table_id::text as source_table_id,
    source_title::text as source_title
from all_values
