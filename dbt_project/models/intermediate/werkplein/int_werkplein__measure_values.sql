{#- Catalogue indicators from the Werkplein exports, per gemeente and period, in the column set of
    int_cbs__indicator_values, before small-number suppression (int_werkplein__suppression; the marts read
    int_indicator_values__werkplein). Which measure feeds which indicator, and which one is primary, is in
    seeds/werkplein_indicator_measure.csv; a measure not listed there stays out of the marts.
    disclosure_count is the number of persons or dossiers a value discloses: the value itself for counts, the
    numerator (active persons) for the participatie share.
    Months are CBS month codes (2022MM03); year values (2022JJ00):
    - herinstroom_personen_jaar: the sum of the 12 months, only for years whose 12 months were all delivered
      with a complete 12-month look-back (a partial year would look like an improvement);
    - aandeel_participatie_actief_pct_jaar: December's share (the position at the end of the year), only once
      December was delivered.
    Per wijk (int_werkplein__bijstand_wijk_maand): the algemene-bijstand caseload only, as rows whose gemeentecode
    is the wijk's code (WK014111), the marts' convention for an area. The dossiers without a wijkcode are no row
    here (no CBS area); int_werkplein__disclosure_cells keeps them for the suppression. -#}
with bijstand as (
    select * from {{ ref('int_werkplein__bijstand_maand') }}
),

bijstand_wijk as (
    select * from {{ ref('int_werkplein__bijstand_wijk_maand') }}
    where wijkcode is not null
),

herinstroom as (
    select * from {{ ref('int_werkplein__herinstroom_maand') }}
    where is_terugkijkperiode_volledig
),

inzet as (
    select * from {{ ref('int_werkplein__maatschappelijke_inzet_maand') }}
    where aandeel_actief_pct is not null
),

measures as (
    select * from {{ ref('werkplein_indicator_measure') }}
),

bijstand_measures as (
    select
        bijstand.gemeentecode,
        bijstand.period_code,
        unpivoted.measure_code,
        unpivoted.value::numeric as value,
        unpivoted.value::numeric as disclosure_count,
        date_trunc('month', bijstand.peildatum)::date as maand,
        bijstand.batch_id,
        bijstand.source_mode,
        bijstand.file_name
    from bijstand
    cross join lateral (
        values
            ('open_dossiers_algemene_bijstand', bijstand.open_dossiers_algemene_bijstand),
            ('open_dossiers_ioaw', bijstand.open_dossiers_ioaw),
            ('open_dossiers_ioaz', bijstand.open_dossiers_ioaz),
            ('open_dossiers_bbz', bijstand.open_dossiers_bbz),
            ('instroom_algemene_bijstand', bijstand.instroom_algemene_bijstand),
            ('uitstroom_algemene_bijstand', bijstand.uitstroom_algemene_bijstand),
            ('uitstroom_naar_werk', bijstand.uitstroom_naar_werk),
            ('uitstroom_arbeid_in_dienstbetrekking', bijstand.uitstroom_arbeid_in_dienstbetrekking),
            ('uitstroom_zelfstandig', bijstand.uitstroom_zelfstandig),
            ('uitstroom_ww', bijstand.uitstroom_ww),
            ('uitstroom_andere_uitkering', bijstand.uitstroom_andere_uitkering),
            ('uitstroom_administratief', bijstand.uitstroom_administratief),
            ('uitstroom_overig', bijstand.uitstroom_overig),
            ('uitstroom_reden_onbekend', bijstand.uitstroom_reden_onbekend)
    ) as unpivoted (measure_code, value)
),

wijk_measures as (
    select
        wijkcode as gemeentecode,
        period_code,
        'open_dossiers_algemene_bijstand' as measure_code,
        open_dossiers_algemene_bijstand::numeric as value,
        open_dossiers_algemene_bijstand::numeric as disclosure_count,
        date_trunc('month', peildatum)::date as maand,
        batch_id,
        source_mode,
        file_name
    from bijstand_wijk
),

herinstroom_months as (
    select
        gemeentecode,
        period_code,
        'herinstroom_personen_maand' as measure_code,
        herinstroom_personen::numeric as value,
        herinstroom_personen::numeric as disclosure_count,
        date_trunc('month', peildatum)::date as maand,
        batch_id,
        source_mode,
        file_name
    from herinstroom
),

herinstroom_years as (
    select
        gemeentecode,
        {{ cbs_year_code('peildatum') }} as period_code,
        'herinstroom_personen_jaar' as measure_code,
        sum(herinstroom_personen)::numeric as value,
        sum(herinstroom_personen)::numeric as disclosure_count,
        null::date as maand,
        max(batch_id) as batch_id,
        (array_agg(source_mode order by batch_id desc))[1] as source_mode,
        (array_agg(file_name order by batch_id desc))[1] as file_name
    from herinstroom
    group by gemeentecode, extract(year from peildatum)
    having count(distinct date_trunc('month', peildatum)) = 12
),

inzet_months as (
    select
        gemeentecode,
        period_code,
        'aandeel_participatie_actief_pct_maand' as measure_code,
        aandeel_actief_pct as value,
        participatie_personen_actief::numeric as disclosure_count,
        date_trunc('month', peildatum)::date as maand,
        batch_id,
        source_mode,
        file_name
    from inzet
),

inzet_years as (
    select
        gemeentecode,
        {{ cbs_year_code('peildatum') }} as period_code,
        'aandeel_participatie_actief_pct_jaar' as measure_code,
        aandeel_actief_pct as value,
        participatie_personen_actief::numeric as disclosure_count,
        null::date as maand,
        batch_id,
        source_mode,
        file_name
    from inzet
    where extract(month from peildatum) = 12
),

all_measures as (
    select * from bijstand_measures
    union all
    select * from wijk_measures
    union all
    select * from herinstroom_months
    union all
    select * from herinstroom_years
    union all
    select * from inzet_months
    union all
    select * from inzet_years
)

select
    measures.indicator_code,
    all_measures.measure_code,
    measures.is_primary_measure,
    all_measures.gemeentecode,
    all_measures.period_code,
    all_measures.maand,
    all_measures.value,
    all_measures.disclosure_count,
    false as is_provisional,
    'werkplein' as source_system,
    all_measures.batch_id,
    all_measures.source_mode,
    all_measures.file_name as source_table_id,
    'Werkplein Participatiewet-export' as source_title,
    null::text as value_label
from all_measures
inner join measures on all_measures.measure_code = measures.measure_code
