{#- The cells the small-number rule works on (int_werkplein__disclosure_relations, int_werkplein__suppression): every
    published Werkplein cell (int_werkplein__measure_values, per area, measure and period), plus cells that are never
    published but follow from published ones, so a relation can name them: per gemeente and month, the caseload
    without a (usable) wijkcode (measure open_dossiers_algemene_bijstand_zonder_wijk) = the gemeente's caseload
    minus its wijken's. The suppression treats such a cell as known to the reader unless it is small itself
    (the reader can compute it whenever the wijken are all shown), so it is protected when small but never chosen
    to protect another. The flows of the caseload decomposition (int_werkplein__caseload_decomposition, measure
    codes decompositie_<flow>) are published cells too, in marts.bijstand_caseload_decomposition.
    parent_gemeentecode: the gemeente of a wijk (WK0141..) or buurt (BU0141..) cell. -#}
with published as (
    select distinct
        gemeentecode, measure_code, period_code, maand, value, disclosure_count, true as is_published
    from {{ ref('int_werkplein__measure_values') }}
),

zonder_wijk as (
    select
        gemeentecode,
        'open_dossiers_algemene_bijstand_zonder_wijk' as measure_code,
        period_code,
        date_trunc('month', peildatum)::date as maand,
        open_dossiers_algemene_bijstand::numeric as value,
        open_dossiers_algemene_bijstand::numeric as disclosure_count,
        false as is_published
    from {{ ref('int_werkplein__bijstand_wijk_maand') }}
    where wijkcode is null
),

-- the caseload decomposition (published as marts.bijstand_caseload_decomposition): its flows are cells of their own;
-- its begin and end are the caseload cells of the previous and this month
decomposition as (
    select
        decomposition.gemeentecode,
        'decompositie_' || flows.flow as measure_code,
        decomposition.period_code,
        decomposition.maand,
        flows.value::numeric as value,
        flows.value::numeric as disclosure_count,
        true as is_published
    from {{ ref('int_werkplein__caseload_decomposition') }} as decomposition
    cross join lateral (
        values
            ('instroom_nieuw', decomposition.instroom_nieuw),
            ('herinstroom', decomposition.herinstroom),
            ('instroom_totaal', decomposition.instroom_totaal),
            ('uitstroom_totaal', decomposition.uitstroom_totaal),
            ('uitstroom_werk', decomposition.uitstroom_werk),
            ('uitstroom_andere_uitkering', decomposition.uitstroom_andere_uitkering),
            ('uitstroom_verhuizing', decomposition.uitstroom_verhuizing),
            ('uitstroom_overig', decomposition.uitstroom_overig)
    ) as flows (flow, value)
),

cells as (
    select * from published
    union all
    select * from zonder_wijk
    union all
    select * from decomposition
)

select
    gemeentecode,
    case when substr(gemeentecode, 1, 2) in ('WK', 'BU') then 'GM' || substr(gemeentecode, 3, 4) end
        as parent_gemeentecode,
    measure_code,
    period_code,
    maand,
    value,
    disclosure_count,
    is_published
from cells
