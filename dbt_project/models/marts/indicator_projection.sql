{{ config(contract={'enforced': true}) }}

{#- Projection to the target period from the recent trend, per indicator for the contract gemeente (Almelo; the
    targets are Almelo's). Method (documented in _marts_projection__models.yml): Theil-Sen over the last
    `projection_window` observations - slope = median of the pairwise slopes, intercept = median of
    y - slope * x, x in years - with an 80 % prediction interval at the target period's end from the residual
    spread: projected +- t(0.90, n-2) * s * sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx). projected_status compares the
    band with the target on the indicator's good side. -#}
{%- set window = var('projection_window', 8) %}
{%- set minimum = var('projection_min_observations', 4) %}
with status as (
    select * from {{ ref('programme_indicator_status') }}
    where is_contract_gemeente
),

definitions as (
    select indicator_code, blocks_status from {{ ref('indicator_definition') }}
),

t_quantiles as (
    select degrees_of_freedom, t_two_sided_80 from {{ ref('student_t_quantile') }}
),

-- One observation per period end: a computed value goes before a value quoted in the programme documents.
-- Suppressed cells (value null) are no observation.
observations as (
    select distinct on (indicator_code, gemeentecode, period_end)
        indicator_code, gemeentecode, period_code, period_end, value
    from {{ ref('fct_indicator_value') }}
    where is_primary_measure
        and value is not null
        and gemeentecode = '{{ var("contract_gemeentecode") }}'
    order by indicator_code, gemeentecode, period_end, value_source = 'reported', period_code
),

numbered as (
    select
        *,
        -- time in years since 2000-01-01, so the slope reads "per year" whatever the period grain
        (period_end - date '2000-01-01')::numeric / 365.25 as x,
        row_number() over (partition by indicator_code, gemeentecode order by period_end desc) as recency,
        count(*) over (partition by indicator_code, gemeentecode) as n_available
    from observations
),

recent as (
    select * from numbered where recency <= {{ window }}
),

pairwise_slopes as (
    select
        earlier.indicator_code,
        earlier.gemeentecode,
        (later.value - earlier.value) / (later.x - earlier.x) as slope
    from recent as earlier
    inner join recent as later
        on earlier.indicator_code = later.indicator_code
        and earlier.gemeentecode = later.gemeentecode
        and later.x > earlier.x
),

slopes as (
    select indicator_code, gemeentecode, percentile_cont(0.5) within group (order by slope)::numeric as slope
    from pairwise_slopes
    group by indicator_code, gemeentecode
),

window_summary as (
    select
        recent.indicator_code,
        recent.gemeentecode,
        count(*) as n_used,
        max(recent.n_available) as n_available,
        min(recent.period_code) filter (where recent.recency = count_in_window.n) as first_period_code,
        min(recent.period_code) filter (where recent.recency = 1) as last_period_code,
        max(recent.period_end) as last_period_end,
        min(recent.value) filter (where recent.recency = 1) as last_value,
        avg(recent.x) as mean_x,
        slopes.slope,
        percentile_cont(0.5) within group (order by recent.value - slopes.slope * recent.x)::numeric as intercept
    from recent
    inner join slopes
        on recent.indicator_code = slopes.indicator_code and recent.gemeentecode = slopes.gemeentecode
    inner join (
        select indicator_code, gemeentecode, count(*) as n from recent group by indicator_code, gemeentecode
    ) as count_in_window
        on recent.indicator_code = count_in_window.indicator_code
        and recent.gemeentecode = count_in_window.gemeentecode
    group by recent.indicator_code, recent.gemeentecode, slopes.slope
),

fit as (
    select
        window_summary.indicator_code,
        window_summary.gemeentecode,
        -- residual standard deviation around the robust line (n - 2 degrees of freedom: slope and intercept)
        sqrt(sum(power(recent.value - (window_summary.intercept + window_summary.slope * recent.x), 2))
            / nullif(window_summary.n_used - 2, 0)) as residual_sd,
        sum(power(recent.x - window_summary.mean_x, 2)) as sxx
    from window_summary
    inner join recent
        on window_summary.indicator_code = recent.indicator_code
        and window_summary.gemeentecode = recent.gemeentecode
    group by window_summary.indicator_code, window_summary.gemeentecode, window_summary.intercept,
        window_summary.slope, window_summary.n_used
),

targets as (
    select
        status.programme,
        status.indicator_code,
        status.gemeentecode,
        status.direction,
        status.target_kind,
        status.target_value,
        status.target_period,
        {{ document_period_end('status.target_period') }} as target_period_end,
        coalesce(definitions.blocks_status, false) as is_definition_blocking,
        case
            when status.direction = 'higher_is_better' or status.target_kind = 'min' then 'higher'
            when status.direction = 'lower_is_better' or status.target_kind = 'max' then 'lower'
        end as good_side
    from status
    left join definitions on status.indicator_code = definitions.indicator_code
),

projected as (
    select
        targets.*,
        coalesce(window_summary.n_available, 0) as n_available,
        window_summary.n_used,
        window_summary.first_period_code,
        window_summary.last_period_code,
        window_summary.last_period_end,
        window_summary.last_value,
        window_summary.slope,
        window_summary.intercept,
        fit.residual_sd,
        (targets.target_period_end - date '2000-01-01')::numeric / 365.25 as target_x,
        window_summary.mean_x,
        fit.sxx,
        t_quantiles.t_two_sided_80 as t_value
    from targets
    left join window_summary
        on targets.indicator_code = window_summary.indicator_code
        and targets.gemeentecode = window_summary.gemeentecode
    left join fit on targets.indicator_code = fit.indicator_code and targets.gemeentecode = fit.gemeentecode
    left join t_quantiles on t_quantiles.degrees_of_freedom = window_summary.n_used - 2
),

reasoned as (
    select
        *,
        case
            when is_definition_blocking then 'definitie open: geen streefwaarde om naar te projecteren'
            when target_kind = 'category' then 'categoriedoel: een klasse laat zich niet als trend doortrekken'
            when target_value is null then 'geen streefwaarde'
            when good_side is null then 'geen richting vastgelegd'
            when target_period_end is null then 'geen doelperiode om naar te projecteren'
            when n_available < {{ minimum }}
                then 'te weinig waarnemingen voor een trend (' || n_available || ', minimaal {{ minimum }})'
            when last_period_end >= target_period_end
                then 'doelperiode bereikt: de gemeten waarde bepaalt de status'
            when t_value is null or sxx is null or sxx = 0 then 'geen trend te schatten'
        end as projection_reason
    from projected
),

banded as (
    select
        *,
        case when projection_reason is null then (intercept + slope * target_x)::numeric end as projected_value,
        case when projection_reason is null then
            (t_value * coalesce(residual_sd, 0)
                * sqrt(1 + 1.0 / n_used + power(target_x - mean_x, 2) / sxx))::numeric
        end as half_width
    from reasoned
)

select
    programme::text as programme,
    indicator_code::text as indicator_code,
    gemeentecode::text as gemeentecode,
    direction::text as direction,
    target_kind::text as target_kind,
    target_value::numeric as target_value,
    target_period::text as target_period,
    target_period_end::date as target_period_end,
    case when projection_reason is null then 'theil_sen' end::text as method,
    {{ window }}::integer as window_size,
    n_available::integer as n_available,
    case when projection_reason is null then n_used end::integer as n_used,
    case when projection_reason is null then first_period_code end::text as first_period_code,
    last_period_code::text as last_period_code,
    last_period_end::date as last_period_end,
    last_value::numeric as last_value,
    case when projection_reason is null then round(slope::numeric, 6) end::numeric as slope_per_year,
    case when projection_reason is null then round(residual_sd::numeric, 6) end::numeric as residual_sd,
    round(projected_value, 4)::numeric as projected_value,
    round(projected_value - half_width, 4)::numeric as projected_lower,
    round(projected_value + half_width, 4)::numeric as projected_upper,
    case when projection_reason is null then 0.80 end::numeric as interval_level,
    case
        when projection_reason is not null then null
        when good_side = 'higher' and projected_value - half_width >= target_value then 'haalbaar'
        when good_side = 'lower' and projected_value + half_width <= target_value then 'haalbaar'
        when good_side = 'higher' and projected_value + half_width < target_value then 'niet haalbaar'
        when good_side = 'lower' and projected_value - half_width > target_value then 'niet haalbaar'
        else 'onzeker'
    end::text as projected_status,
    projection_reason::text as projection_reason
from banded
