{#- Every load attempt, whatever its outcome, with the stream it belongs to (marts.data_quality).
    The message and request_params are left out: a validation message quotes sample values, and request_params
    holds file paths; neither belongs in the BI-facing layers. -#}
with source as (
    select * from {{ source('audit', 'load_batch') }}
)

select
    batch_id,
    source as source_system,
    entity,
    source_ref,
    -- A stream is what arrives on its own schedule: a file source delivers one file per entity (and period), so
    -- its stream is the entity (werkplein_uitkering); an API source is checked per table, so its stream is the
    -- table (the CBS table id in source_ref). Files are recognised by their checksum.
    case when file_sha256 is not null then entity else source_ref end as stream,
    file_sha256 is not null as is_file_delivery,
    status,
    -- A successful attempt: new content passed validation (published), or the source was checked and still
    -- serves content that had been loaded before (unchanged).
    status in ('published', 'unchanged') as is_success,
    source_mode,
    logical_date,
    started_at,
    finished_at,
    validated_at,
    row_count,
    delivery_key,
    duplicate_of,
    request_params ->> 'series' as cbs_series
from source
