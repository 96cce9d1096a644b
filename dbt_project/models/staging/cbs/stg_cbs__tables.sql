{#- Table metadata from the newest published batch per table. -#}
with published_batches as (
    select batch_id from {{ ref('stg_audit__published_batches') }} where source_system = 'cbs'
),

infos as (
    select * from {{ source('cbs', 'cbs_table_info') }}
),

renamed as (
    select
        infos.batch_id,
        infos.table_id,
        infos.title as table_title,
        infos.short_title as table_short_title,
        infos.modified as table_modified_at,
        infos.period as period_coverage,
        infos.frequency,
        row_number() over (partition by infos.table_id order by infos.batch_id desc) as version_rank
    from infos
    inner join published_batches on infos.batch_id = published_batches.batch_id
)

select batch_id, table_id, table_title, table_short_title, table_modified_at, period_coverage, frequency
from renamed
where version_rank = 1
