{{ config(contract={'enforced': true}) }}

{#- One row per catalogue indicator for Almelo (var contract_gemeentecode): the status row, the trend over the
    last periods and the Twente and NL figures at the actual's period, wide for BI. The programme_<short> views
    select from this table only: a view must not depend on staging or intermediate views, which dbt drops and
    recreates on every build, nor name a schema (the marts are built in marts_shadow and renamed). -#}
with status as (
    select * from {{ ref('programme_indicator_status') }}
    where is_contract_gemeente
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

peers as (
    select * from {{ ref('indicator_peer_value') }}
    where is_primary_measure
),

-- One value per period of the primary measure: computed before reported where both exist.
series as (
    select distinct on (indicator_code, period_code)
        indicator_code, period_code, period_end, value, value_label, value_source
    from {{ ref('fct_indicator_value') }}
    where is_primary_measure
        and gemeentecode = '{{ var("contract_gemeentecode") }}'
        and (value is not null or value_label is not null)
    order by indicator_code, period_code, value_source = 'reported'
),

ranked as (
    select
        series.*,
        row_number() over (partition by indicator_code order by period_end desc, period_code desc) as recency
    from series
),

trend as (
    select
        indicator_code,
        max(value) filter (where recency = 2) as previous_value,
        max(period_code) filter (where recency = 2) as previous_period_code,
        string_agg(
            period_code || '=' || coalesce(value::text, value_label)
                || case when value_source = 'reported' then ' (gerapporteerd)' else '' end,
            '; ' order by period_end, period_code
        ) filter (where recency <= 4) as last_values,
        array_agg(value order by period_end, period_code) filter (where recency <= 4) as last_values_array
    from ranked
    group by indicator_code
)

select
    status.programme::text as programme,
    indicators.programme_short::text as programme_short,
    status.indicator_code::text as indicator_code,
    status.indicator_name::text as indicator_name,
    status.unit::text as unit,
    status.direction::text as direction,
    indicators.feed::text as feed,
    status.definition_status::text as definition_status,
    status.actual_value::numeric as actual_value,
    status.actual_value_label::text as actual_value_label,
    status.actual_period_code::text as actual_period_code,
    {{ cbs_period_label_nl('status.actual_period_code') }}::text as actual_period_label,
    status.actual_value_source::text as actual_value_source,
    status.is_provisional::boolean as is_provisional,
    status.baseline_value::numeric as baseline_value,
    status.baseline_period::text as baseline_period,
    status.target_value::numeric as target_value,
    status.target_value_text::text as target_value_text,
    status.target_kind::text as target_kind,
    status.target_period::text as target_period,
    status.status::text as status,
    status.status_reason::text as status_reason,
    projection.projected_status::text as projected_status,
    projection.projected_value::numeric as projected_value,
    projection.projected_lower::numeric as projected_lower,
    projection.projected_upper::numeric as projected_upper,
    trend.previous_value::numeric as previous_value,
    trend.previous_period_code::text as previous_period_code,
    (status.actual_value - trend.previous_value)::numeric as change_vs_previous,
    trend.last_values::text as last_values,
    trend.last_values_array::numeric[] as last_values_array,
    peers.twente_value::numeric as twente_value,
    peers.twente_method::text as twente_method,
    peers.nl_value::numeric as nl_value
from status
inner join indicators on status.indicator_code = indicators.indicator_code
left join {{ ref('indicator_projection') }} as projection on status.indicator_code = projection.indicator_code
left join trend on status.indicator_code = trend.indicator_code
left join peers
    on status.indicator_code = peers.indicator_code and status.actual_period_code = peers.period_code
