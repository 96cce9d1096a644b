{{ config(contract={'enforced': true}) }}

{#- Every period the marts use: each period code in fct_indicator_value, plus every year from the earliest value
    or programme start to the latest value or target year, so a year axis has no gaps. -#}
with value_periods as (
    select distinct period_code from {{ ref('fct_indicator_value') }}
),

catalogue_years as (
    select split_part(programme_period, '-', 1)::int as first_year, split_part(programme_period, '-', 2)::int as last_year
    from {{ ref('indicator_catalogue') }}
    where programme_period ~ '^\d{4}-\d{4}$'
),

year_range as (
    select
        least(
            (select min(first_year) from catalogue_years),
            (select min(substr(period_code, 1, 4)::int) from value_periods)
        ) as first_year,
        greatest(
            (select max(last_year) from catalogue_years),
            (select max(substr(period_code, 1, 4)::int) from value_periods)
        ) as last_year
),

all_periods as (
    select period_code from value_periods
    union
    select year::text || 'JJ00'
    from year_range
    cross join lateral generate_series(year_range.first_year, year_range.last_year) as year
)

select
    period_code::text as period_code,
    {{ cbs_period_type('period_code') }}::text as period_type,
    {{ cbs_period_type_nl('period_code') }}::text as period_type_nl,
    {{ cbs_period_start('period_code') }}::date as period_start,
    {{ cbs_period_end('period_code') }}::date as period_end,
    substr(period_code, 1, 4)::integer as year,
    case when substr(period_code, 5, 2) = 'KW' then substr(period_code, 7, 2)::int
         when substr(period_code, 5, 2) = 'MM' then (substr(period_code, 7, 2)::int + 2) / 3
    end::integer as quarter,
    case when substr(period_code, 5, 2) = 'MM' then substr(period_code, 7, 2)::int end::integer as month,
    {{ cbs_period_label_nl('period_code') }}::text as label_nl
from all_periods
