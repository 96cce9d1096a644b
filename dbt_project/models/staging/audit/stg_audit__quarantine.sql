{#- Rejected files and rows (audit.quarantine). The value found and the row's record are left out: even masked
    and reduced, they are row-level data about people and not needed to count or explain rejections. -#}
with source as (
    select * from {{ source('audit', 'quarantine') }}
)

select
    quarantine_id,
    batch_id,
    source as source_system,
    file_name,
    row_number,
    column_name,
    reason,
    quarantine_path,
    quarantined_at
from source
