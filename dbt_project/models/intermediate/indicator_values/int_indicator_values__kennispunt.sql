{#- Catalogue indicators from Kennispunt Twente exports: each export label mapped to its indicator
    (seeds/kennispunt_indicator.csv), per gemeentecode and period. An area's value (binnenstad) is reported under
    the gemeente it lies in (GM0141). A suppressed cell (<10) stays a row with value null and is_suppressed; an
    empty cell (not measured) is no value and is left out. -#}
with waarden as (
    select * from {{ ref('stg_kennispunt__waarden') }}
    where gemeentecode is not null
        and period_code is not null
        and (waarde is not null or is_suppressed)
),

labels as (
    select * from {{ ref('kennispunt_indicator') }}
    where indicator_code is not null
)

select
    labels.indicator_code,
    labels.measure_code,
    labels.is_primary_measure,
    waarden.gemeentecode,
    waarden.period_code,
    waarden.waarde as value,
    false as is_provisional,
    'kennispunt_twente' as source_system,
    waarden.batch_id,
    waarden.source_mode,
    waarden.file_name as source_table_id,
    'Kennispunt Twente ' || waarden.kennispunt_export as source_title,
    null::text as value_label,
    waarden.is_suppressed,
    -- the file row the value came from, for the lineage (marts.indicator_value_lineage)
    waarden.source_row_number
from waarden
inner join labels on waarden.indicator_label = labels.kennispunt_label
