{#- Maatschappelijke inzet of bijstandsgerechtigden in the doelgroep participatie, per gemeente and month:
    persons with an algemene-bijstand dossier open on the peildatum in doelgroep 'participatie' (the catalogue's
    target group), and how many of them have any activiteit (tegenprestatie, vrijwilligerswerk or mantelzorg)
    registered in that month's activiteiten export. Only months for which both the uitkeringen and the
    activiteiten export were delivered: a missing activiteiten file is no 0 %. -#}
with uitkeringen as (
    select * from {{ ref('stg_werkplein__uitkeringen') }}
),

activiteiten as (
    select * from {{ ref('stg_werkplein__activiteiten') }}
),

regelingen as (
    select * from {{ ref('werkplein_statistiekcode') }}
),

uitkering_months as (
    select distinct gemeentecode, peildatum, batch_id, source_mode, file_name
    from uitkeringen
),

activiteit_months as (
    select distinct
        gemeentecode,
        date_trunc('month', peildatum)::date as maand,
        batch_id,
        source_mode,
        file_name
    from activiteiten
),

months as (
    select
        uitkering_months.gemeentecode,
        uitkering_months.peildatum,
        -- the newest input of the two exports; both for the lineage (int_lineage__indicator_value_inputs)
        greatest(uitkering_months.batch_id, activiteit_months.batch_id) as batch_id,
        uitkering_months.batch_id as uitkering_batch_id,
        activiteit_months.batch_id as activiteit_batch_id,
        case
            when uitkering_months.batch_id >= activiteit_months.batch_id then uitkering_months.source_mode
            else activiteit_months.source_mode
        end as source_mode,
        case
            when uitkering_months.batch_id >= activiteit_months.batch_id then uitkering_months.file_name
            else activiteit_months.file_name
        end as file_name
    from uitkering_months
    inner join activiteit_months
        on uitkering_months.gemeentecode = activiteit_months.gemeentecode
        and date_trunc('month', uitkering_months.peildatum) = activiteit_months.maand
),

-- Participatie persons and active persons are stacked and aggregated rather than joined: one pass, no join
-- whose plan depends on row estimates through the staging views.
persons as (
    select
        uitkeringen.gemeentecode,
        date_trunc('month', uitkeringen.peildatum)::date as maand,
        uitkeringen.persoon_pseudoniem,
        true as is_participatie,
        false as is_actief
    from uitkeringen
    inner join regelingen on uitkeringen.statistiekcode = regelingen.statistiekcode
    where regelingen.regeling = 'algemene_bijstand'
        and (uitkeringen.einddatum is null or uitkeringen.einddatum > uitkeringen.peildatum)
        and uitkeringen.doelgroep = 'participatie'

    union all

    select
        gemeentecode,
        date_trunc('month', peildatum)::date as maand,
        persoon_pseudoniem,
        false as is_participatie,
        true as is_actief
    from activiteiten
),

per_person as (
    select
        gemeentecode,
        maand,
        persoon_pseudoniem,
        bool_or(is_participatie) as is_participatie,
        bool_or(is_actief) as is_actief
    from persons
    group by gemeentecode, maand, persoon_pseudoniem
),

per_month as (
    select
        gemeentecode,
        maand,
        count(*) filter (where is_participatie) as participatie_personen,
        count(*) filter (where is_participatie and is_actief) as participatie_personen_actief
    from per_person
    group by gemeentecode, maand
),

counted as (
    select
        months.gemeentecode,
        months.peildatum,
        months.batch_id,
        months.uitkering_batch_id,
        months.activiteit_batch_id,
        months.source_mode,
        months.file_name,
        coalesce(per_month.participatie_personen, 0) as participatie_personen,
        coalesce(per_month.participatie_personen_actief, 0) as participatie_personen_actief
    from months
    left join per_month
        on months.gemeentecode = per_month.gemeentecode
        and date_trunc('month', months.peildatum) = per_month.maand
)

select
    gemeentecode,
    peildatum,
    {{ cbs_month_code('peildatum') }} as period_code,
    batch_id,
    uitkering_batch_id,
    activiteit_batch_id,
    source_mode,
    file_name,
    participatie_personen,
    participatie_personen_actief,
    round(100.0 * participatie_personen_actief / nullif(participatie_personen, 0), 2) as aandeel_actief_pct
from counted
