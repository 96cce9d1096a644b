{#- Period code list per table from the newest published batch: title and status. StatLine's statuses are Definitief,
    Voorlopig (*) and Nader voorlopig (**, revised but not final); v4 writes the last as NaderVoorlopig. -#}
with published_batches as (
    select batch_id from {{ ref('stg_audit__published_batches') }} where source_system = 'cbs'
),

codes as (
    select * from {{ source('cbs', 'cbs_dimension_code') }}
),

renamed as (
    select
        codes.batch_id,
        codes.table_id,
        codes.key as period_code,
        codes.title as period_title,
        codes.status as period_status,
        row_number() over (partition by codes.table_id, codes.key order by codes.batch_id desc) as version_rank
    from codes
    inner join published_batches on codes.batch_id = published_batches.batch_id
    where codes.key ~ '^\d{4}[A-Z]{2}\d{2}$'
)

select batch_id, table_id, period_code, period_title, period_status, coalesce(period_status in ('Voorlopig', 'Nader voorlopig', 'NaderVoorlopig'), false) as is_provisional
from renamed
where version_rank = 1
