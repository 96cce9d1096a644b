{#- A table, as every model of intermediate/cbs/ (dbt_project.yml): with every gemeente loaded (region set
    alle_gemeenten) the self-join below and its readers (fct_indicator_value, indicator_peer_value, indicator_rank)
    need real row estimates, which a stack of windowed views does not give the planner. -#}

{#- Catalogue indicators computed from CBS counts (seeds/indicator_formula.csv): numerator / denominator
    * multiplier per region and period; a measure without denominator is taken as published (* multiplier).
    Ratios are always computed from counts, never averaged from ratios. The denominator may come from another
    series (e.g. population per month): it is taken at the same period end as the numerator. -#}
with formulas as (
    select * from {{ ref('indicator_formula') }}
),

measures as (
    select * from {{ ref('int_cbs__measure_values') }}
),

tables as (
    select * from {{ ref('stg_cbs__tables') }}
),

computed as (
    select
        formulas.indicator_code,
        formulas.measure_code,
        formulas.is_primary_measure,
        numerator.gemeentecode,
        numerator.period_code,
        case
            when formulas.denominator_measure is null then numerator.value * formulas.multiplier
            when denominator.value > 0 then round(numerator.value * formulas.multiplier / denominator.value, 4)
        end as value,
        -- the counts behind a ratio, so a region's ratio can be computed from summed counts (indicator_peer_value)
        case when formulas.denominator_measure is not null and denominator.value > 0 then numerator.value end
            as numerator_value,
        case when denominator.value > 0 then denominator.value end as denominator_value,
        formulas.multiplier,
        numerator.is_provisional or coalesce(denominator.is_provisional, false) as is_provisional,
        greatest(numerator.batch_id, denominator.batch_id) as batch_id,
        numerator.source_mode,
        numerator.table_id as source_table_id,
        -- the inputs' cells, for the lineage (int_lineage__indicator_value_inputs)
        formulas.numerator_series,
        formulas.numerator_measure,
        formulas.denominator_series,
        formulas.denominator_measure,
        numerator.value as numerator_input_value,
        numerator.batch_id as numerator_batch_id,
        numerator.table_id as numerator_table_id,
        numerator.period_code as numerator_period_code,
        denominator.value as denominator_input_value,
        denominator.batch_id as denominator_batch_id,
        denominator.table_id as denominator_table_id,
        denominator.period_code as denominator_period_code
    from formulas
    inner join measures as numerator
        on formulas.numerator_series = numerator.series
        and formulas.numerator_measure = numerator.measure_code
    left join measures as denominator
        on formulas.denominator_series = denominator.series
        and formulas.denominator_measure = denominator.measure_code
        and numerator.gemeentecode = denominator.gemeentecode
        and (
            numerator.period_end = denominator.period_end
            -- same series: match the code itself too, so a malformed period is not dropped here but
            -- reaches the marts' contract and tests, which fail the build loudly
            or (numerator.series = denominator.series and numerator.period_code = denominator.period_code)
        )
)

select
    computed.indicator_code,
    computed.measure_code,
    computed.is_primary_measure,
    computed.gemeentecode,
    computed.period_code,
    computed.value,
    computed.numerator_value,
    computed.denominator_value,
    computed.multiplier,
    computed.is_provisional,
    'cbs' as source_system,
    computed.batch_id,
    computed.source_mode,
    computed.source_table_id,
    'CBS ' || computed.source_table_id || ': ' || tables.table_title as source_title,
    null::text as value_label,
    false as is_suppressed,
    computed.numerator_series,
    computed.numerator_measure,
    computed.numerator_input_value,
    computed.numerator_batch_id,
    computed.numerator_table_id,
    computed.numerator_period_code,
    computed.denominator_series,
    computed.denominator_measure,
    computed.denominator_input_value,
    computed.denominator_batch_id,
    computed.denominator_table_id,
    computed.denominator_period_code
from computed
left join tables on computed.source_table_id = tables.table_id
-- A missing figure is no value: the cell stays visible in raw and staging (is_missing), not as 0 here.
where computed.value is not null
