{#- The algemene-bijstand dossiers: one row per gemeente and registratienummer, its dates from its latest export
    (int_werkplein__dossier_maand), followed per person by persoon_pseudoniem across the monthly exports. The one
    place of the herinstroom rule: a dossier is herinstroom when the person's latest end of an earlier
    algemene-bijstand dossier (earlier = ordered by ingangsdatum, then registratienummer) lies before the new
    ingangsdatum and within var('herinstroom_window_months') of it (on or after ingangsdatum - the window). A person
    with another dossier still open counts as never ended (infinity), so a dossier started beside an open one is no
    herinstroom. Earlier IOAW/IOAZ/Bbz benefits are no bijstand dossier. The exports only show dossiers active in or
    after the first delivered month, so dossiers starting within a window of it may miss an earlier dossier;
    int_werkplein__herinstroom_maand and int_werkplein__caseload_decomposition flag those months. -#}
{%- set window = "make_interval(months => " ~ (var('herinstroom_window_months') | int) ~ ")" %}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

latest as (
    select distinct on (gemeentecode, registratienummer)
        gemeentecode,
        registratienummer,
        persoon_pseudoniem,
        ingangsdatum,
        einddatum
    from dossier_maand
    where regeling = 'algemene_bijstand'
    order by gemeentecode, registratienummer, peildatum desc
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
    from latest
)

select
    gemeentecode,
    registratienummer,
    persoon_pseudoniem,
    ingangsdatum,
    einddatum,
    vorige_einddatum,
    coalesce(
        vorige_einddatum < ingangsdatum and vorige_einddatum >= ingangsdatum - {{ window }}, false
    ) as is_herinstroom
from sequenced
