{#- A table, as every model of intermediate/cbs/ (dbt_project.yml): with every gemeente loaded (region set
    alle_gemeenten) the self-join below and its readers (fct_indicator_value, indicator_peer_value, indicator_rank)
    need real row estimates, which a stack of windowed views does not give the planner. -#}

{#- Mapped CBS measures per series, region and period. Editions of a series are stitched into one history: where
    two editions hold the same period, the newer edition wins. The Kerncijfers wijken en buurten and the politie
    tables (47018NED, 47024NED) call Nederland NL00; everywhere else it is NL01 (the uitkeringen tables' NL00 is "Totaal" incl. buitenland, and is not loaded:
    cbs_tables.yml). -#}
with observations as (
    select * from {{ ref('stg_cbs__observations') }}
    where measure_code is not null
),

periods as (
    select * from {{ ref('stg_cbs__period_codes') }}
),

ranked as (
    select
        observations.cbs_series as series,
        observations.cbs_edition as edition,
        observations.table_id,
        case when observations.region_code = 'NL00' then 'NL01' else observations.region_code end as gemeentecode,
        observations.period_code,
        {{ cbs_period_end('observations.period_code') }} as period_end,
        observations.measure_code,
        observations.value,
        observations.is_missing,
        coalesce(periods.is_provisional, false) as is_provisional,
        observations.batch_id,
        observations.source_mode,
        row_number() over (
            partition by observations.cbs_series, observations.region_code, observations.period_code,
                observations.measure_code
            order by observations.cbs_edition desc nulls last, observations.batch_id desc
        ) as edition_rank
    from observations
    left join periods
        on observations.table_id = periods.table_id
        and observations.period_code = periods.period_code
)

select
    series, edition, table_id, gemeentecode, period_code, period_end, measure_code, value, is_missing,
    is_provisional, batch_id, source_mode
from ranked
where edition_rank = 1
