{#- Werkplein uitkeringen: one row per benefit (dossier) active on, or ended in, the month of the peildatum, from
    the newest published file of each month (a corrected file replaces the earlier one; raw keeps both). -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'werkplein' and entity = 'werkplein_uitkering' and is_newest_of_delivery
),

uitkeringen as (
    select * from {{ source('werkplein', 'werkplein_uitkering') }}
),

renamed as (
    select
        uitkeringen.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        uitkeringen.row_number as source_row_number,
        uitkeringen.peildatum,
        'GM' || uitkeringen.gemeentecode as gemeentecode,
        uitkeringen.registratienummer,
        uitkeringen.persoon_pseudoniem,
        uitkeringen.geboortejaar,
        uitkeringen.geslacht,
        uitkeringen.postcode4,
        uitkeringen.wijkcode,
        uitkeringen.statistiekcode,
        uitkeringen.leefvorm,
        uitkeringen.aantal_kostendelers,
        uitkeringen.ingangsdatum,
        uitkeringen.einddatum,
        uitkeringen.reden_beeindiging,
        uitkeringen.ontheffing_arbeidsplicht as has_ontheffing_arbeidsplicht,
        uitkeringen.tegenprestatie as has_tegenprestatie,
        uitkeringen.doelgroep,
        uitkeringen.uitkeringsbedrag
    from uitkeringen
    inner join published_batches on uitkeringen.batch_id = published_batches.batch_id
)

select * from renamed
