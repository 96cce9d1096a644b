{#- The current version of every CBS cell: from published batches only, the newest batch wins, so a revised
    (formerly provisional) figure replaces the old one while raw keeps both. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, cbs_series, cbs_edition
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'cbs'
),

observations as (
    select * from {{ source('cbs', 'cbs_observation') }}
),

renamed as (
    select
        observations.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.cbs_series,
        published_batches.cbs_edition,
        observations.table_id,
        observations.row_number as source_row_number,
        observations.region_code,
        observations.period_code,
        observations.dimensions,
        observations.topic_key,
        observations.measure_code,
        observations.value,
        observations.string_value,
        observations.value_attribute,
        observations.value_attribute is not null as is_missing
    from observations
    inner join published_batches on observations.batch_id = published_batches.batch_id
),

versioned as (
    select
        *,
        row_number() over (
            partition by table_id, region_code, period_code, dimensions, topic_key
            order by batch_id desc
        ) as version_rank
    from renamed
)

select
    batch_id,
    loaded_at,
    source_mode,
    cbs_series,
    cbs_edition,
    table_id,
    source_row_number,
    region_code,
    period_code,
    dimensions,
    topic_key,
    measure_code,
    value,
    string_value,
    value_attribute,
    is_missing
from versioned
where version_rank = 1
