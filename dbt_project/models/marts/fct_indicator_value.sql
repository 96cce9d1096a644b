{{ config(contract={'enforced': true}) }}

{#- Every source's indicator values in one contract. Each per-source model (int_cbs__indicator_values,
    int_indicator_values__<source>) has the same columns; file sources (UWV, Kennispunt Twente, Werkplein) use CBS style period codes. The sources' values
    are 'computed'; the realised values quoted in the programme documents (int_indicator_values__reported) are
    added as 'reported', so history before the warehouse shows and stays distinguishable. -#}
-- CBS tables loaded for all gemeenten (region set alle_gemeenten) feed marts.indicator_rank; the marts report on
-- the Twente gemeenten, Nederland and Almelo's wijken, so a gemeente outside Twente stays out of this fact.
with cbs_values as (
    select * from {{ ref('int_cbs__indicator_values') }}
    where gemeentecode not like 'GM%'
        or gemeentecode in (select gemeente_code from {{ ref('gemeenten_twente') }})
),

uwv_values as (
    select * from {{ ref('int_indicator_values__uwv') }}
),

kennispunt_values as (
    select * from {{ ref('int_indicator_values__kennispunt') }}
),

werkplein_values as (
    select * from {{ ref('int_indicator_values__werkplein') }}
),

reported_values as (
    select * from {{ ref('int_indicator_values__reported') }}
),

handmatig_values as (
    select * from {{ ref('int_indicator_values__handmatig') }}
),

-- When each batch finished loading: the report shows a value's load date, and BI reads the marts only.
load_batches as (
    select batch_id, finished_at from {{ ref('stg_audit__load_batches') }}
),

{%- set value_columns = [
    'indicator_code', 'measure_code', 'is_primary_measure', 'gemeentecode', 'period_code', 'value',
    'value_label', 'is_suppressed', 'is_provisional', 'source_system', 'batch_id', 'source_mode',
    'source_table_id', 'source_title'
] %}

all_values as (
    {%- for relation in ['cbs_values', 'uwv_values', 'kennispunt_values', 'werkplein_values', 'handmatig_values'] %}
    select {{ value_columns | join(', ') }}, 'computed' as value_source from {{ relation }}
    union all
    {%- endfor %}
    select {{ value_columns | join(', ') }}, 'reported' as value_source from reported_values
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
    value_label::text as value_label,
    is_suppressed::boolean as is_suppressed,
    source_system::text as source_system,
    all_values.batch_id::bigint as batch_id,
    load_batches.finished_at::timestamptz as loaded_at,
    is_provisional::boolean as is_provisional,
    value_source::text as value_source,
    source_mode::text as source_mode,
    source_table_id::text as source_table_id,
    source_title::text as source_title
from all_values
left join load_batches on all_values.batch_id = load_batches.batch_id
