{{ config(contract={'enforced': true}) }}

{#- Per indicator, measure and period: Almelo's value beside Twente's and Nederland's (computed values only).
    The Twente figure is never an average of ratios:
    - a regional figure the source publishes itself (UWV: arbeidsmarktregio Twente, AM05) is taken as is;
    - a CBS ratio (per 10 000, percentage; seeds/indicator_formula.csv) is recomputed from the summed numerators
      and denominators of the Twente gemeenten;
    - a count (catalogue unit `count`) is the sum over the Twente gemeenten;
    - anything else (a survey percentage or score without counts) has no Twente figure.
    A sum or recomputed ratio is only given when every Twente gemeente (seeds/gemeenten_twente.csv) has a value
    for the period: a partial total would look like a fall. -#}
with indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where value_source = 'computed'
),

cbs_terms as (
    select * from {{ ref('int_cbs__indicator_values') }}
    where numerator_value is not null and denominator_value is not null
),

twente as (
    select gemeente_code from {{ ref('gemeenten_twente') }}
),

catalogue as (
    select indicator_code, unit from {{ ref('indicator_catalogue') }}
),

keys as (
    select distinct indicator_code, measure_code, is_primary_measure, period_code, period_type, period_end
    from indicator_values
),

twente_values as (
    select
        indicator_values.indicator_code,
        indicator_values.measure_code,
        indicator_values.period_code,
        count(indicator_values.value)::int as gemeenten_with_value,
        sum(indicator_values.value) as value_sum
    from indicator_values
    inner join twente on indicator_values.gemeentecode = twente.gemeente_code
    group by 1, 2, 3
),

twente_ratios as (
    select
        cbs_terms.indicator_code,
        cbs_terms.measure_code,
        cbs_terms.period_code,
        count(*)::int as gemeenten_with_counts,
        round(sum(cbs_terms.numerator_value) * max(cbs_terms.multiplier) / nullif(sum(cbs_terms.denominator_value), 0), 4)
            as value
    from cbs_terms
    inner join twente on cbs_terms.gemeentecode = twente.gemeente_code
    group by 1, 2, 3
),

single_region as (
    select indicator_code, measure_code, period_code, gemeentecode, value
    from indicator_values
    where gemeentecode in ('{{ var("contract_gemeentecode") }}', 'NL01', 'AM05')
),

joined as (
    select
        keys.*,
        almelo.value as almelo_value,
        region.value as region_value,
        twente_ratios.value as ratio_value,
        twente_ratios.gemeenten_with_counts,
        twente_values.value_sum,
        coalesce(twente_values.gemeenten_with_value, 0) as gemeenten_with_value,
        (select count(*) from twente)::int as gemeenten_total,
        nl.value as nl_value,
        catalogue.unit
    from keys
    inner join catalogue on keys.indicator_code = catalogue.indicator_code
    left join single_region as almelo
        on keys.indicator_code = almelo.indicator_code and keys.measure_code = almelo.measure_code
        and keys.period_code = almelo.period_code and almelo.gemeentecode = '{{ var("contract_gemeentecode") }}'
    left join single_region as region
        on keys.indicator_code = region.indicator_code and keys.measure_code = region.measure_code
        and keys.period_code = region.period_code and region.gemeentecode = 'AM05'
    left join single_region as nl
        on keys.indicator_code = nl.indicator_code and keys.measure_code = nl.measure_code
        and keys.period_code = nl.period_code and nl.gemeentecode = 'NL01'
    left join twente_ratios
        on keys.indicator_code = twente_ratios.indicator_code and keys.measure_code = twente_ratios.measure_code
        and keys.period_code = twente_ratios.period_code
    left join twente_values
        on keys.indicator_code = twente_values.indicator_code and keys.measure_code = twente_values.measure_code
        and keys.period_code = twente_values.period_code
),

methods as (
    select
        *,
        case
            when region_value is not null then 'arbeidsmarktregio'
            when ratio_value is not null and gemeenten_with_counts = gemeenten_total then 'uit tellers en noemers'
            when ratio_value is null and unit = 'count' and gemeenten_with_value = gemeenten_total then 'som'
        end as twente_method
    from joined
)

select
    indicator_code::text as indicator_code,
    measure_code::text as measure_code,
    is_primary_measure::boolean as is_primary_measure,
    period_code::text as period_code,
    period_type::text as period_type,
    period_end::date as period_end,
    almelo_value::numeric as almelo_value,
    case twente_method
        when 'arbeidsmarktregio' then region_value
        when 'uit tellers en noemers' then ratio_value
        when 'som' then value_sum
    end::numeric as twente_value,
    twente_method::text as twente_method,
    gemeenten_with_value::integer as twente_gemeenten_with_value,
    gemeenten_total::integer as twente_gemeenten_total,
    nl_value::numeric as nl_value
from methods
