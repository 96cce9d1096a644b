{#- Catalogue indicators from the Werkplein exports (int_werkplein__measure_values) in the column set of
    int_cbs__indicator_values, with small numbers suppressed (int_werkplein__suppression): a suppressed cell keeps
    its row, with value null and is_suppressed. A cell the suppression model does not know is suppressed too
    (fail closed). -#}
with measure_values as (
    select * from {{ ref('int_werkplein__measure_values') }}
),

suppression as (
    select * from {{ ref('int_werkplein__suppression') }}
)

select
    measure_values.indicator_code,
    measure_values.measure_code,
    measure_values.is_primary_measure,
    measure_values.gemeentecode,
    measure_values.period_code,
    case when coalesce(suppression.is_suppressed, true) then null else measure_values.value end as value,
    measure_values.is_provisional,
    measure_values.source_system,
    measure_values.batch_id,
    measure_values.source_mode,
    measure_values.source_table_id,
    measure_values.source_title,
    measure_values.value_label,
    coalesce(suppression.is_suppressed, true) as is_suppressed
from measure_values
left join suppression
    on measure_values.gemeentecode = suppression.gemeentecode
    and measure_values.measure_code = suppression.measure_code
    and measure_values.period_code = suppression.period_code
