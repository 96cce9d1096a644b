{#- Which rows of a Werkplein uitkeringen file a monthly bijstand measure counted (int_werkplein__bijstand_maand,
    int_werkplein__bijstand_wijk_maand), per batch, area, month and measure: the number of rows and their row
    numbers as ranges ("2-14, 17, 20-31"), never who they are. The predicates are those of the two models (open on
    the peildatum: int_werkplein__dossier_maand); for every measure listed here row_count equals the measure's
    value (tests/marts/test_lineage.py checks it on the marts). -#}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

redenen as (
    select * from {{ ref('werkplein_reden_beeindiging') }}
),

rows_classified as (
    select
        dossier_maand.batch_id,
        dossier_maand.gemeentecode,
        case
            when substr(trim(dossier_maand.wijkcode), 3, 4) = substr(dossier_maand.gemeentecode, 3, 4)
                then trim(dossier_maand.wijkcode)
        end as wijkcode,
        {{ cbs_month_code('dossier_maand.peildatum') }} as period_code,
        dossier_maand.source_row_number,
        dossier_maand.regeling,
        dossier_maand.is_open_op_peildatum as is_open,
        date_trunc('month', dossier_maand.ingangsdatum) = date_trunc('month', dossier_maand.peildatum) as is_instroom,
        coalesce(date_trunc('month', dossier_maand.einddatum) = date_trunc('month', dossier_maand.peildatum), false)
            as is_uitstroom,
        redenen.reden_groep,
        coalesce(redenen.is_naar_werk, false) as is_naar_werk
    from dossier_maand
    left join redenen on dossier_maand.reden_beeindiging = redenen.reden_beeindiging
),

row_measures as (
    select batch_id, gemeentecode, period_code, source_row_number, measure_code
    from rows_classified
    cross join lateral (
        values
            (case when is_open and regeling in ('algemene_bijstand', 'ioaw', 'ioaz', 'bbz')
                then 'open_dossiers_' || regeling end),
            (case when regeling = 'algemene_bijstand' and is_instroom then 'instroom_algemene_bijstand' end),
            (case when regeling = 'algemene_bijstand' and is_uitstroom then 'uitstroom_algemene_bijstand' end),
            (case when regeling = 'algemene_bijstand' and is_uitstroom and is_naar_werk then 'uitstroom_naar_werk' end),
            (case when regeling = 'algemene_bijstand' and is_uitstroom
                then 'uitstroom_' || coalesce(reden_groep, 'reden_onbekend') end)
    ) as measures (measure_code)
    where measure_code is not null
    union all
    -- the wijk's caseload, published with the wijk's code as gemeentecode
    select batch_id, wijkcode, period_code, source_row_number, 'open_dossiers_algemene_bijstand'
    from rows_classified
    where wijkcode is not null and regeling = 'algemene_bijstand' and is_open
),

-- consecutive row numbers form one range (gaps and islands)
islands as (
    select
        *,
        source_row_number - row_number() over (
            partition by batch_id, gemeentecode, period_code, measure_code order by source_row_number
        ) as island
    from row_measures
),

ranges as (
    select
        batch_id, gemeentecode, period_code, measure_code,
        min(source_row_number) as range_first,
        max(source_row_number) as range_last,
        count(*) as range_rows
    from islands
    group by batch_id, gemeentecode, period_code, measure_code, island
)

select
    batch_id,
    gemeentecode,
    period_code,
    measure_code,
    sum(range_rows)::bigint as row_count,
    min(range_first) as row_first,
    max(range_last) as row_last,
    string_agg(
        case when range_first = range_last then range_first::text else range_first || '-' || range_last end,
        ', ' order by range_first
    ) as row_numbers
from ranges
group by batch_id, gemeentecode, period_code, measure_code
