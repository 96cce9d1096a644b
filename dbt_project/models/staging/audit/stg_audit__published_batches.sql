{#- Batches that passed validation (status published). File deliveries (UWV, Kennispunt, Werkplein) carry a
    delivery_key: a corrected file for the same delivery is loaded as a new batch with the same key, and only the
    newest published batch of a key is read downstream (is_newest_of_delivery); raw keeps every version. -#}
with source as (
    select * from {{ source('audit', 'load_batch') }}
),

published as (
    select
        batch_id,
        source as source_system,
        entity,
        source_ref,
        source_mode,
        logical_date,
        finished_at as loaded_at,
        validated_at,
        -- CBS batches record which series and edition of ingestion/config/cbs_tables.yml they were loaded under.
        request_params ->> 'series' as cbs_series,
        (request_params ->> 'edition')::int as cbs_edition,
        -- File batches: the delivered file, its checksum, and the delivery it is a version of.
        case when file_sha256 is not null then source_ref end as file_name,
        file_sha256,
        delivery_key
    from source
    where status = 'published'
),

versioned as (
    select
        *,
        row_number() over (
            partition by source_system, entity, coalesce(delivery_key, batch_id::text)
            order by batch_id desc
        ) as delivery_version_rank
    from published
)

select
    batch_id,
    source_system,
    entity,
    source_ref,
    source_mode,
    logical_date,
    loaded_at,
    validated_at,
    cbs_series,
    cbs_edition,
    file_name,
    file_sha256,
    delivery_key,
    -- A batch without a delivery key (CBS) is its own delivery; CBS versions cells itself (stg_cbs__observations).
    delivery_version_rank = 1 as is_newest_of_delivery
from versioned
