{{ config(materialized='table') }}

{#- Herinstroom in de bijstand per gemeente and month: persons who start an algemene-bijstand dossier
    (ingangsdatum in the month) while their previous algemene-bijstand dossier ended within the 12 months before
    the new ingangsdatum (ended on or after ingangsdatum - 12 months, and before it). A person with another
    dossier still open at the new ingangsdatum does not re-enter. Persons are followed by persoon_pseudoniem across
    the monthly exports; each dossier's dates come from its latest export.
    The exports only show dossiers active in or after the first delivered month, so a month is only complete
    (is_terugkijkperiode_volledig) once a whole window of earlier months was delivered; earlier months undercount. -#}
{%- set window = "make_interval(months => " ~ (var('herinstroom_window_months') | int) ~ ")" %}
with uitkeringen as (
    select * from {{ ref('stg_werkplein__uitkeringen') }}
),

regelingen as (
    select * from {{ ref('werkplein_statistiekcode') }}
),

months as (
    select distinct gemeentecode, peildatum, batch_id, source_mode, file_name
    from uitkeringen
),

delivered_months as (
    select
        *,
        date_trunc('month', peildatum)::date as maand,
        min(date_trunc('month', peildatum)::date) over (partition by gemeentecode) as eerste_maand
    from months
),

bijstand_dossiers as (
    select distinct on (uitkeringen.gemeentecode, uitkeringen.registratienummer)
        uitkeringen.gemeentecode,
        uitkeringen.registratienummer,
        uitkeringen.persoon_pseudoniem,
        uitkeringen.ingangsdatum,
        uitkeringen.einddatum
    from uitkeringen
    inner join regelingen on uitkeringen.statistiekcode = regelingen.statistiekcode
    where regelingen.regeling = 'algemene_bijstand'
    order by uitkeringen.gemeentecode, uitkeringen.registratienummer, uitkeringen.peildatum desc
),

sequenced as (
    select
        *,
        -- the latest end of the person's earlier dossiers; a still open one counts as never ending
        max(coalesce(einddatum, 'infinity'::date)) over (
            partition by persoon_pseudoniem
            order by ingangsdatum, registratienummer
            rows between unbounded preceding and 1 preceding
        ) as vorige_einddatum
    from bijstand_dossiers
),

herinstroom as (
    select
        gemeentecode,
        date_trunc('month', ingangsdatum)::date as maand,
        persoon_pseudoniem
    from sequenced
    where vorige_einddatum < ingangsdatum
        and vorige_einddatum >= ingangsdatum - {{ window }}
),

counted as (
    select
        delivered_months.gemeentecode,
        delivered_months.peildatum,
        delivered_months.batch_id,
        delivered_months.source_mode,
        delivered_months.file_name,
        delivered_months.maand >= (delivered_months.eerste_maand + {{ window }})::date
            as is_terugkijkperiode_volledig,
        count(distinct herinstroom.persoon_pseudoniem) as herinstroom_personen
    from delivered_months
    left join herinstroom
        on delivered_months.gemeentecode = herinstroom.gemeentecode
        and delivered_months.maand = herinstroom.maand
    group by 1, 2, 3, 4, 5, 6
)

select
    gemeentecode,
    peildatum,
    {{ cbs_month_code('peildatum') }} as period_code,
    batch_id,
    source_mode,
    file_name,
    herinstroom_personen,
    is_terugkijkperiode_volledig
from counted
