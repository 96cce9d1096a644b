{#- Werkplein bijstand per gemeente and month (one monthly uitkeringen export = one row):
    - the caseload: dossiers open on the peildatum (int_werkplein__dossier_maand: einddatum empty or after it), per
      regeling;
    - instroom: algemene-bijstand dossiers whose ingangsdatum falls in the month;
    - uitstroom: algemene-bijstand dossiers whose einddatum falls in the month, in total and per reden group
      (seeds/werkplein_reden_beeindiging.csv); naar werk = the reasons marked is_naar_werk (11, 13).
    Each export lists every benefit active on, or ended in, its month, so all of these come from that month's file.
    Regelingen come from seeds/werkplein_statistiekcode.csv (01 = algemene_bijstand) by way of
    int_werkplein__dossier_maand. -#}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

redenen as (
    select * from {{ ref('werkplein_reden_beeindiging') }}
),

dossiers as (
    select
        dossier_maand.gemeentecode,
        dossier_maand.peildatum,
        dossier_maand.batch_id,
        dossier_maand.source_mode,
        dossier_maand.file_name,
        dossier_maand.regeling,
        dossier_maand.is_open_op_peildatum,
        date_trunc('month', dossier_maand.ingangsdatum) = date_trunc('month', dossier_maand.peildatum) as is_instroom,
        coalesce(
            date_trunc('month', dossier_maand.einddatum) = date_trunc('month', dossier_maand.peildatum), false
        ) as is_uitstroom,
        redenen.reden_groep,
        coalesce(redenen.is_naar_werk, false) as is_naar_werk
    from dossier_maand
    left join redenen on dossier_maand.reden_beeindiging = redenen.reden_beeindiging
),

monthly as (
    select
        gemeentecode,
        peildatum,
        batch_id,
        source_mode,
        file_name,
        count(*) filter (where regeling = 'algemene_bijstand' and is_open_op_peildatum)
            as open_dossiers_algemene_bijstand,
        count(*) filter (where regeling = 'ioaw' and is_open_op_peildatum) as open_dossiers_ioaw,
        count(*) filter (where regeling = 'ioaz' and is_open_op_peildatum) as open_dossiers_ioaz,
        count(*) filter (where regeling = 'bbz' and is_open_op_peildatum) as open_dossiers_bbz,
        count(*) filter (where regeling = 'algemene_bijstand' and is_instroom) as instroom_algemene_bijstand,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom) as uitstroom_algemene_bijstand,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and is_naar_werk)
            as uitstroom_naar_werk,
        count(*) filter (
            where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'arbeid_in_dienstbetrekking'
        ) as uitstroom_arbeid_in_dienstbetrekking,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'zelfstandig')
            as uitstroom_zelfstandig,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'ww') as uitstroom_ww,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'andere_uitkering')
            as uitstroom_andere_uitkering,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'administratief')
            as uitstroom_administratief,
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep = 'overig')
            as uitstroom_overig,
        -- no reason given, or a code the seed does not know (the staging relationship test warns)
        count(*) filter (where regeling = 'algemene_bijstand' and is_uitstroom and reden_groep is null)
            as uitstroom_reden_onbekend
    from dossiers
    group by gemeentecode, peildatum, batch_id, source_mode, file_name
)

select
    gemeentecode,
    peildatum,
    {{ cbs_month_code('peildatum') }} as period_code,
    batch_id,
    source_mode,
    file_name,
    open_dossiers_algemene_bijstand,
    open_dossiers_ioaw,
    open_dossiers_ioaz,
    open_dossiers_bbz,
    instroom_algemene_bijstand,
    uitstroom_algemene_bijstand,
    uitstroom_naar_werk,
    uitstroom_arbeid_in_dienstbetrekking,
    uitstroom_zelfstandig,
    uitstroom_ww,
    uitstroom_andere_uitkering,
    uitstroom_administratief,
    uitstroom_overig,
    uitstroom_reden_onbekend
from monthly
