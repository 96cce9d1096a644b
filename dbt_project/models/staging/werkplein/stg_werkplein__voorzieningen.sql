{#- Werkplein voorzieningen (re-integration provisions): one row per provision active on, or ended in, the month
    of the peildatum, from the newest published file of each month. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'werkplein' and entity = 'werkplein_voorziening' and is_newest_of_delivery
),

voorzieningen as (
    select * from {{ source('werkplein', 'werkplein_voorziening') }}
),

renamed as (
    select
        voorzieningen.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        voorzieningen.row_number as source_row_number,
        voorzieningen.peildatum,
        'GM' || voorzieningen.gemeentecode as gemeentecode,
        voorzieningen.registratienummer_voorziening,
        voorzieningen.persoon_pseudoniem,
        voorzieningen.type_voorziening,
        voorzieningen.begindatum,
        voorzieningen.einddatum,
        voorzieningen.reden_einde,
        voorzieningen.participatieladder,
        voorzieningen.loonwaarde
    from voorzieningen
    inner join published_batches on voorzieningen.batch_id = published_batches.batch_id
)

select * from renamed
