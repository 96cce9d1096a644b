{#- The caseload decomposition starts and ends at the caseload the marts report (int_werkplein__bijstand_maand,
    ep_bijstandsdossiers): caseload_eind is the month's caseload, caseload_begin the previous month's. -#}
select
    decomposition.gemeentecode,
    decomposition.period_code,
    decomposition.caseload_begin,
    previous_month.open_dossiers_algemene_bijstand as previous_caseload,
    decomposition.caseload_eind,
    this_month.open_dossiers_algemene_bijstand as caseload
from {{ ref('int_werkplein__caseload_decomposition') }} as decomposition
left join {{ ref('int_werkplein__bijstand_maand') }} as this_month
    on decomposition.gemeentecode = this_month.gemeentecode
    and decomposition.peildatum = this_month.peildatum
left join {{ ref('int_werkplein__bijstand_maand') }} as previous_month
    on decomposition.gemeentecode = previous_month.gemeentecode
    and date_trunc('month', previous_month.peildatum) = decomposition.maand - interval '1 month'
where this_month.open_dossiers_algemene_bijstand is distinct from decomposition.caseload_eind
    or previous_month.open_dossiers_algemene_bijstand is distinct from decomposition.caseload_begin
