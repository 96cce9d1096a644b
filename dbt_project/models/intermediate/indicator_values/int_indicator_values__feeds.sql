{#- Which automatic source can feed which catalogue indicator, with which measures: the mapping seeds the
    per-source indicator models (int_cbs__indicator_values, int_indicator_values__<source>) join on
    (indicator_formula for CBS, uwv_indicator, kennispunt_indicator, werkplein_indicator_measure). An indicator listed here is fed automatically; any other is left to the manual
    indicator file. -#}
with cbs as (
    select indicator_code, measure_code, is_primary_measure from {{ ref('indicator_formula') }}
),

uwv as (
    select indicator_code, measure_code, is_primary_measure from {{ ref('uwv_indicator') }}
),

kennispunt as (
    select indicator_code, measure_code, is_primary_measure from {{ ref('kennispunt_indicator') }}
    where indicator_code is not null
),

werkplein as (
    select indicator_code, measure_code, is_primary_measure from {{ ref('werkplein_indicator_measure') }}
),

feeds as (
    select 'cbs' as source_system, * from cbs
    union all
    select 'uwv', * from uwv
    union all
    select 'kennispunt_twente', * from kennispunt
    union all
    select 'werkplein', * from werkplein
)

select distinct
    indicator_code::text as indicator_code,
    source_system::text as source_system,
    measure_code::text as measure_code,
    coalesce(is_primary_measure, false)::boolean as is_primary_measure
from feeds
