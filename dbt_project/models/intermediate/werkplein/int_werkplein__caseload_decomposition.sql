{#- The monthly change in the algemene-bijstand caseload (int_werkplein__bijstand_maand.open_dossiers_algemene_bijstand)
    split into its flows, per gemeente and month, before small-number suppression (the mart
    bijstand_caseload_decomposition applies it). Counts are dossiers, like the caseload.
    - caseload_begin: the dossiers open on the previous month's peildatum (that month's export), caseload_eind: those
      open on this month's peildatum (this month's export): exactly the caseload figures of the marts. A month is
      only decomposed when the previous month was delivered too.
    - Every dossier of either set, and every dossier of this month's export that ended in the month, is one flow row:
      in the begin set and not in the end set = uitstroom; in the end set and not in the begin set = instroom; in
      neither but ended in this month (started and stopped between two peildata) = instroom and uitstroom. So
      caseload_begin + instroom_nieuw + herinstroom - uitstroom_* = caseload_eind holds for every row by construction
      of the sets, also when the exports disagree (a dossier that vanishes without einddatum is uitstroom overig, a
      dossier that appears with an earlier ingangsdatum is instroom in the month it appears).
    - An einddatum on the peildatum itself ends the dossier in that month (open means einddatum after the peildatum:
      is_open_op_peildatum of int_werkplein__dossier_maand).
    - instroom is split into herinstroom (int_werkplein__bijstand_dossiers.is_herinstroom, the rule of
      int_werkplein__herinstroom_maand too: the person's latest earlier algemene-bijstand dossier ended within
      var('herinstroom_window_months') before this ingangsdatum, and none is still open) and instroom_nieuw (all
      other inflow: first time, after the window, or beside another open dossier), so the two never count a
      dossier twice. Before a whole window of earlier months was delivered
      (is_terugkijkperiode_volledig false) herinstroom undercounts.
    - uitstroom by reason: seeds/werkplein_reden_beeindiging.csv decompositie_reden (werk 11, 13; andere uitkering 14,
      15; verhuizing 32, 33); every other code, no code, or a dossier gone from the export without einddatum = overig.
    - instroom_totaal and uitstroom_totaal are the sums: published on their own, they show the flow when its split
      is suppressed (a small herinstroom would otherwise hide instroom_nieuw too).
-#}
{%- set window = "make_interval(months => " ~ (var('herinstroom_window_months') | int) ~ ")" %}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

bijstand_dossiers as (
    select * from {{ ref('int_werkplein__bijstand_dossiers') }}
),

redenen as (
    select * from {{ ref('werkplein_reden_beeindiging') }}
),

-- the delivered months (one newest file each), as int_werkplein__bijstand_maand groups them
months as (
    select distinct
        gemeentecode,
        date_trunc('month', peildatum)::date as maand,
        peildatum,
        batch_id,
        source_mode,
        file_name
    from dossier_maand
),

decomposable_months as (
    select
        months.*,
        min(months.maand) over (partition by months.gemeentecode) as eerste_maand
    from months
),

bijstand as (
    select
        gemeentecode,
        date_trunc('month', peildatum)::date as maand,
        registratienummer,
        einddatum,
        reden_beeindiging,
        is_open_op_peildatum
    from dossier_maand
    where regeling = 'algemene_bijstand'
),

begin_set as (
    select gemeentecode, (maand + interval '1 month')::date as maand, registratienummer
    from bijstand
    where is_open_op_peildatum
),

-- the herinstroom rule of int_werkplein__herinstroom_maand, per dossier (int_werkplein__bijstand_dossiers)
herinstroom_dossiers as (
    select gemeentecode, registratienummer
    from bijstand_dossiers
    where is_herinstroom
),

flows as (
    select
        coalesce(eind.gemeentecode, begin_set.gemeentecode) as gemeentecode,
        coalesce(eind.maand, begin_set.maand) as maand,
        coalesce(eind.registratienummer, begin_set.registratienummer) as registratienummer,
        begin_set.registratienummer is not null as in_begin,
        coalesce(eind.is_open_op_peildatum, false) as in_eind,
        coalesce(date_trunc('month', eind.einddatum)::date = eind.maand, false) as is_beeindigd_in_maand,
        eind.reden_beeindiging
    from bijstand as eind
    full outer join begin_set
        on eind.gemeentecode = begin_set.gemeentecode
        and eind.maand = begin_set.maand
        and eind.registratienummer = begin_set.registratienummer
),

classified as (
    select
        flows.gemeentecode,
        flows.maand,
        flows.in_begin,
        flows.in_eind,
        not flows.in_begin and (flows.in_eind or flows.is_beeindigd_in_maand) as is_instroom,
        not flows.in_eind and (flows.in_begin or flows.is_beeindigd_in_maand) as is_uitstroom,
        herinstroom_dossiers.registratienummer is not null as is_herinstroom,
        coalesce(redenen.decompositie_reden, 'overig') as uitstroom_reden
    from flows
    left join herinstroom_dossiers
        on flows.gemeentecode = herinstroom_dossiers.gemeentecode
        and flows.registratienummer = herinstroom_dossiers.registratienummer
    left join redenen on flows.reden_beeindiging = redenen.reden_beeindiging
),

counted as (
    select
        gemeentecode,
        maand,
        count(*) filter (where in_begin) as caseload_begin,
        count(*) filter (where is_instroom and not is_herinstroom) as instroom_nieuw,
        count(*) filter (where is_instroom and is_herinstroom) as herinstroom,
        count(*) filter (where is_uitstroom and uitstroom_reden = 'werk') as uitstroom_werk,
        count(*) filter (where is_uitstroom and uitstroom_reden = 'andere_uitkering') as uitstroom_andere_uitkering,
        count(*) filter (where is_uitstroom and uitstroom_reden = 'verhuizing') as uitstroom_verhuizing,
        count(*) filter (where is_uitstroom and uitstroom_reden = 'overig') as uitstroom_overig,
        count(*) filter (where in_eind) as caseload_eind
    from classified
    group by gemeentecode, maand
)

select
    decomposable_months.gemeentecode,
    decomposable_months.peildatum,
    decomposable_months.maand,
    {{ cbs_month_code('decomposable_months.peildatum') }} as period_code,
    decomposable_months.batch_id,
    decomposable_months.source_mode,
    decomposable_months.file_name,
    decomposable_months.maand >= (decomposable_months.eerste_maand + {{ window }})::date
        as is_terugkijkperiode_volledig,
    coalesce(counted.caseload_begin, 0) as caseload_begin,
    coalesce(counted.instroom_nieuw, 0) as instroom_nieuw,
    coalesce(counted.herinstroom, 0) as herinstroom,
    coalesce(counted.instroom_nieuw, 0) + coalesce(counted.herinstroom, 0) as instroom_totaal,
    coalesce(counted.uitstroom_werk, 0) as uitstroom_werk,
    coalesce(counted.uitstroom_andere_uitkering, 0) as uitstroom_andere_uitkering,
    coalesce(counted.uitstroom_verhuizing, 0) as uitstroom_verhuizing,
    coalesce(counted.uitstroom_overig, 0) as uitstroom_overig,
    coalesce(counted.uitstroom_werk, 0) + coalesce(counted.uitstroom_andere_uitkering, 0)
    + coalesce(counted.uitstroom_verhuizing, 0) + coalesce(counted.uitstroom_overig, 0) as uitstroom_totaal,
    coalesce(counted.caseload_eind, 0) as caseload_eind
from decomposable_months
inner join months as previous_month
    on decomposable_months.gemeentecode = previous_month.gemeentecode
    and previous_month.maand = (decomposable_months.maand - interval '1 month')::date
left join counted
    on decomposable_months.gemeentecode = counted.gemeentecode
    and decomposable_months.maand = counted.maand
