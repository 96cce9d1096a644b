{#- Topic (measure) definitions per table from the newest published batch: title, unit, decimals. -#}
with published_batches as (
    select batch_id from {{ ref('stg_audit__published_batches') }} where source_system = 'cbs'
),

properties as (
    select * from {{ source('cbs', 'cbs_data_property') }}
),

renamed as (
    select
        properties.batch_id,
        properties.table_id,
        properties.key as topic_key,
        properties.type as property_type,
        properties.title as topic_title,
        properties.description as topic_description,
        properties.unit,
        properties.decimals,
        row_number() over (partition by properties.table_id, properties.key order by properties.batch_id desc)
            as version_rank
    from properties
    inner join published_batches on properties.batch_id = published_batches.batch_id
    where properties.type = 'Topic'
)

select batch_id, table_id, topic_key, topic_title, topic_description, unit, decimals
from renamed
where version_rank = 1
