{#- Herinstroom in de bijstand per gemeente and month: persons who start an algemene-bijstand dossier
    (ingangsdatum in the month) while their previous algemene-bijstand dossier ended within the 12 months before
    the new ingangsdatum (ended on or after ingangsdatum - 12 months, and before it). A person with another
    dossier still open at the new ingangsdatum does not re-enter. The rule is int_werkplein__bijstand_dossiers'
    is_herinstroom (persons followed by persoon_pseudoniem, each dossier's dates from its latest export).
    The exports only show dossiers active in or after the first delivered month, so a month is only complete
    (is_terugkijkperiode_volledig) once a whole window of earlier months was delivered; earlier months undercount. -#}
{%- set window = "make_interval(months => " ~ (var('herinstroom_window_months') | int) ~ ")" %}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

bijstand_dossiers as (
    select * from {{ ref('int_werkplein__bijstand_dossiers') }}
),

months as (
    select distinct gemeentecode, peildatum, batch_id, source_mode, file_name
    from dossier_maand
),

delivered_months as (
    select
        *,
        date_trunc('month', peildatum)::date as maand,
        min(date_trunc('month', peildatum)::date) over (partition by gemeentecode) as eerste_maand
    from months
),

herinstroom as (
    select
        gemeentecode,
        date_trunc('month', ingangsdatum)::date as maand,
        persoon_pseudoniem
    from bijstand_dossiers
    where is_herinstroom
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
