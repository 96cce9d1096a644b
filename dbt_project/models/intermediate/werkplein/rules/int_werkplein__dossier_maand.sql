{#- One row per dossier per monthly uitkeringen export (gemeente, peildatum): its regeling and whether it is open on
    the peildatum. The one place of the rule "a dossier counts in the caseload of a month when it is open on that
    month's peildatum": einddatum empty or after the peildatum (a benefit ending on the peildatum itself is not
    open, it is uitstroom of that month). Every row of the export, also those ended in the month and those of a
    statistiekcode the seed does not know (regeling null). Regelingen come from seeds/werkplein_statistiekcode.csv.
    No BSN, birth year or postcode: only what the caseload, flow and lineage models need. -#}
with uitkeringen as (
    select * from {{ ref('stg_werkplein__uitkeringen') }}
),

regelingen as (
    select * from {{ ref('werkplein_statistiekcode') }}
),

dossier_maand as (
    select
        uitkeringen.batch_id,
        uitkeringen.source_mode,
        uitkeringen.file_name,
        uitkeringen.source_row_number,
        uitkeringen.gemeentecode,
        uitkeringen.wijkcode,
        uitkeringen.peildatum,
        uitkeringen.registratienummer,
        uitkeringen.persoon_pseudoniem,
        regelingen.regeling,
        uitkeringen.ingangsdatum,
        uitkeringen.einddatum,
        uitkeringen.reden_beeindiging,
        -- open on the peildatum: not ended, or ending after it (a benefit ending on the peildatum is not open)
        uitkeringen.einddatum is null or uitkeringen.einddatum > uitkeringen.peildatum as is_open_op_peildatum
    from uitkeringen
    left join regelingen on uitkeringen.statistiekcode = regelingen.statistiekcode
)

select * from dossier_maand
