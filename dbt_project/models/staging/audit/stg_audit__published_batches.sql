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
        (request_params ->> 'edition')::int as cbs_edition
    from source
    where status = 'published'
)

select * from published
