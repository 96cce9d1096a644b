{#- Werkplein activiteiten: maatschappelijke inzet (tegenprestatie, vrijwilligerswerk, mantelzorg) registered per
    person per month, from the newest published file of each month. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'werkplein' and entity = 'werkplein_activiteit' and is_newest_of_delivery
),

activiteiten as (
    select * from {{ source('werkplein', 'werkplein_activiteit') }}
),

renamed as (
    select
        activiteiten.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        activiteiten.row_number as source_row_number,
        activiteiten.peildatum,
        'GM' || activiteiten.gemeentecode as gemeentecode,
        activiteiten.persoon_pseudoniem,
        activiteiten.soort,
        activiteiten.uren_per_week
    from activiteiten
    inner join published_batches on activiteiten.batch_id = published_batches.batch_id
)

select * from renamed
