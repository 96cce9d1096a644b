{#- The algemene-bijstand caseload (dossiers open on the peildatum: int_werkplein__dossier_maand, as for
    int_werkplein__bijstand_maand) per gemeente, wijk and month, from the export's optional wijkcode (WK014111).
    One row per wijk the gemeente's exports ever named, for every delivered month (a wijk without open dossiers
    that month counts 0), plus one row with wijkcode null: the dossiers without a (usable) wijkcode, so that the
    rows of a month add up to the gemeente's caseload (the data test werkplein_wijk_caseload_adds_up checks it). A
    wijkcode of another gemeente than the export's is not usable: it counts as without wijk. A gemeente whose
    exports carry no wijkcode at all gets no rows. -#}
with dossier_maand as (
    select * from {{ ref('int_werkplein__dossier_maand') }}
),

dossiers as (
    select
        gemeentecode,
        peildatum,
        batch_id,
        source_mode,
        file_name,
        case
            when substr(trim(wijkcode), 3, 4) = substr(gemeentecode, 3, 4)
                then trim(wijkcode)
        end as wijkcode,
        regeling = 'algemene_bijstand' and is_open_op_peildatum as is_open_op_peildatum
    from dossier_maand
),

months as (
    select distinct gemeentecode, peildatum, batch_id, source_mode, file_name
    from dossiers
),

wijken as (
    select distinct gemeentecode, wijkcode
    from dossiers
    where wijkcode is not null
),

-- every known wijk in every month, and the part without wijk, for gemeenten with any wijkcode
spine as (
    select months.*, wijken.wijkcode
    from months
    inner join wijken on months.gemeentecode = wijken.gemeentecode
    union all
    select months.*, null as wijkcode
    from months
    where exists (select 1 from wijken where wijken.gemeentecode = months.gemeentecode)
),

counts as (
    select
        gemeentecode,
        peildatum,
        wijkcode,
        count(*) filter (where is_open_op_peildatum) as open_dossiers_algemene_bijstand
    from dossiers
    group by gemeentecode, peildatum, wijkcode
)

select
    spine.gemeentecode,
    spine.wijkcode,
    spine.peildatum,
    {{ cbs_month_code('spine.peildatum') }} as period_code,
    spine.batch_id,
    spine.source_mode,
    spine.file_name,
    coalesce(counts.open_dossiers_algemene_bijstand, 0) as open_dossiers_algemene_bijstand
from spine
left join counts
    on spine.gemeentecode = counts.gemeentecode
    and spine.peildatum = counts.peildatum
    and spine.wijkcode is not distinct from counts.wijkcode
