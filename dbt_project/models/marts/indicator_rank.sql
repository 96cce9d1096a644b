{{ config(contract={'enforced': true}) }}

{#- Rank of every gemeente per CBS-fed indicator and period, among all gemeenten the warehouse loads, within its
    CBS gemeentegrootteklasse and within Twente. Direction-aware: rank 1 is the best value in the indicator's
    direction; ties share the lowest rank (rank(): 1, 1, 3). Rule and percentile in _marts_comparison__models.yml. -#}
-- Only indicators with a direction, and only rates and shares: a count (persons with jeugdhulp) would rank the
-- gemeenten by their size.
with catalogue as (
    select indicator_code, direction from {{ ref('indicator_catalogue') }}
    where direction in ('higher_is_better', 'lower_is_better')
        and unit <> 'count'
),

-- CBS values straight from the intermediate layer: all gemeenten, not only the areas the marts report on.
cbs_values as (
    select indicator_code, measure_code, gemeentecode, period_code, value, is_provisional
    from {{ ref('int_cbs__indicator_values') }}
    where is_primary_measure
        and value is not null
        and gemeentecode like 'GM%'
),

twente as (
    select gemeente_code from {{ ref('gemeenten_twente') }}
),

-- Inhabitants: the latest CBS population figure per gemeente (as dim_gemeente takes it), so a gemeente keeps one
-- size class over all periods of the comparison.
population as (
    select distinct on (gemeentecode) gemeentecode, value as inhabitants
    from {{ ref('int_cbs__measure_values') }}
    where measure_code in ('inwoners', 'inwoners_einde_periode')
        and value is not null
        and not is_missing
    order by gemeentecode, period_end desc, measure_code
),

size_classes as (
    select grootteklasse, label_nl, min_inhabitants, max_inhabitants_exclusive
    from {{ ref('gemeentegrootteklasse') }}
),

ranked_values as (
    select
        cbs_values.*,
        catalogue.direction,
        -- one sort key for both directions: lower is better as is, higher is better negated
        case when catalogue.direction = 'lower_is_better' then cbs_values.value else -cbs_values.value end
            as sort_value,
        population.inhabitants,
        size_classes.grootteklasse,
        size_classes.label_nl as grootteklasse_label,
        twente.gemeente_code is not null as is_twente
    from cbs_values
    inner join catalogue on cbs_values.indicator_code = catalogue.indicator_code
    left join population on cbs_values.gemeentecode = population.gemeentecode
    left join size_classes
        on population.inhabitants >= size_classes.min_inhabitants
        and (size_classes.max_inhabitants_exclusive is null
            or population.inhabitants < size_classes.max_inhabitants_exclusive)
    left join twente on cbs_values.gemeentecode = twente.gemeente_code
),

nederland as (
    select
        *,
        rank() over (partition by indicator_code, period_code order by sort_value) as rank_nederland,
        count(*) over (partition by indicator_code, period_code) as n_nederland
    from ranked_values
),

per_size_class as (
    select
        indicator_code, period_code, gemeentecode,
        rank() over (partition by indicator_code, period_code, grootteklasse order by sort_value)
            as rank_grootteklasse,
        count(*) over (partition by indicator_code, period_code, grootteklasse) as n_grootteklasse
    from ranked_values
    where grootteklasse is not null
),

per_twente as (
    select
        indicator_code, period_code, gemeentecode,
        rank() over (partition by indicator_code, period_code order by sort_value) as rank_twente,
        count(*) over (partition by indicator_code, period_code) as n_twente
    from ranked_values
    where is_twente
)

select
    nederland.indicator_code::text as indicator_code,
    nederland.measure_code::text as measure_code,
    nederland.period_code::text as period_code,
    {{ cbs_period_end('nederland.period_code') }}::date as period_end,
    nederland.gemeentecode::text as gemeentecode,
    nederland.direction::text as direction,
    nederland.value::numeric as value,
    nederland.is_provisional::boolean as is_provisional,
    nederland.inhabitants::numeric as inhabitants,
    nederland.grootteklasse::integer as grootteklasse,
    nederland.grootteklasse_label::text as grootteklasse_label,
    nederland.is_twente::boolean as is_twente,
    nederland.rank_nederland::integer as rank_nederland,
    nederland.n_nederland::integer as n_nederland,
    {{ rank_percentile('nederland.rank_nederland', 'nederland.n_nederland') }}::numeric as percentile_nederland,
    per_size_class.rank_grootteklasse::integer as rank_grootteklasse,
    per_size_class.n_grootteklasse::integer as n_grootteklasse,
    {{ rank_percentile('per_size_class.rank_grootteklasse', 'per_size_class.n_grootteklasse') }}::numeric
        as percentile_grootteklasse,
    per_twente.rank_twente::integer as rank_twente,
    per_twente.n_twente::integer as n_twente,
    {{ rank_percentile('per_twente.rank_twente', 'per_twente.n_twente') }}::numeric as percentile_twente
from nederland
left join per_size_class
    on nederland.indicator_code = per_size_class.indicator_code
    and nederland.period_code = per_size_class.period_code
    and nederland.gemeentecode = per_size_class.gemeentecode
left join per_twente
    on nederland.indicator_code = per_twente.indicator_code
    and nederland.period_code = per_twente.period_code
    and nederland.gemeentecode = per_twente.gemeentecode
