{#- What the lineage of a value (marts.indicator_value_lineage, python -m ingestion explain) shows of a batch:
    where its data came from. CBS: the API, base URL and the TypedDataSet (v3) / Observations (v4) request with
    its $filter and $select as recorded in request_params (public parameters; the URL is rebuilt from them, not
    URL-encoded, and the number of requests made, paging included). Files: the file name, its sha256 and size.
    The file's path on the server (request_params.path) is left out, as in stg_audit__load_batches. -#}
with source as (
    select * from {{ source('audit', 'load_batch') }}
)

select
    batch_id,
    source as source_system,
    entity,
    source_ref,
    status,
    source_mode,
    logical_date,
    started_at,
    finished_at,
    validated_at,
    row_count,
    file_sha256,
    case when file_sha256 is not null then source_ref end as file_name,
    case when file_sha256 is not null then (request_params ->> 'bytes')::bigint end as file_bytes,
    request_params ->> 'api' as cbs_api,
    (request_params ->> 'requests')::int as request_count,
    case when source = 'cbs' then
        case request_params ->> 'api'
            when 'v4' then (request_params ->> 'base_url') || '/' || source_ref || '/Observations'
            else (request_params ->> 'base_url') || '/ODataFeed/odata/' || source_ref || '/TypedDataSet'
        end
        || coalesce('?' || nullif(concat_ws('&',
            '$select=' || (request_params ->> '$select'),
            '$filter=' || (request_params ->> '$filter')
        ), ''), '')
    end as request_url
from source
