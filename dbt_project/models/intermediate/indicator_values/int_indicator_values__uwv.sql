{#- The UWV spanningsindicator as catalogue indicators (seeds/uwv_indicator.csv: ep_uwv_spanningsindicator and
    ea_spanningsindicator_twente, beroepsklasse Totaal): value = the ratio, value_label = the typering (class).
    The figure is regional: rows for the arbeidsmarktregio (AM05 Twente) and Nederland (NL01), and for the
    contract gemeente (var contract_gemeentecode, Almelo GM0141) the value of its arbeidsmarktregio
    (seeds/gemeenten_twente.csv, 'AM05 Twente'): UWV publishes no figure per gemeente. -#}
with spanningsindicator as (
    select * from {{ ref('stg_uwv__spanningsindicator') }}
    where region_code is not null
),

indicators as (
    select * from {{ ref('uwv_indicator') }}
),

contract_gemeente as (
    select
        gemeente_code as gemeentecode,
        split_part(arbeidsmarktregio, ' ', 1) as region_code
    from {{ ref('gemeenten_twente') }}
    where gemeente_code = '{{ var("contract_gemeentecode") }}'
),

regional as (
    select
        indicators.indicator_code,
        indicators.measure_code,
        indicators.is_primary_measure,
        spanningsindicator.region_code,
        spanningsindicator.period_code,
        spanningsindicator.spanningsindicator as value,
        spanningsindicator.typering as value_label,
        spanningsindicator.batch_id,
        spanningsindicator.source_mode,
        spanningsindicator.file_name,
        spanningsindicator.source_row_number
    from spanningsindicator
    inner join indicators on spanningsindicator.beroepsklasse = indicators.beroepsklasse
    where spanningsindicator.spanningsindicator is not null or spanningsindicator.typering is not null
),

per_region as (
    select regional.*, regional.region_code as gemeentecode
    from regional
),

per_gemeente as (
    select regional.*, contract_gemeente.gemeentecode
    from regional
    inner join contract_gemeente on regional.region_code = contract_gemeente.region_code
),

all_values as (
    select * from per_region
    union all
    select * from per_gemeente
)

select
    indicator_code,
    measure_code,
    is_primary_measure,
    gemeentecode,
    period_code,
    value,
    false as is_provisional,
    'uwv' as source_system,
    batch_id,
    source_mode,
    file_name as source_table_id,
    'UWV spanningsindicator' as source_title,
    value_label,
    false as is_suppressed,
    -- the file row the value came from, for the lineage (marts.indicator_value_lineage)
    source_row_number
from all_values
