{#- The wijk rows of a month (int_werkplein__bijstand_wijk_maand, the part without wijkcode included) add up to the
    gemeente's caseload: no dossier vanishes from, or is counted twice in, the wijk figures. -#}
select
    gemeente.gemeentecode,
    gemeente.period_code,
    gemeente.open_dossiers_algemene_bijstand,
    sum(wijk.open_dossiers_algemene_bijstand) as wijk_sum
from {{ ref('int_werkplein__bijstand_maand') }} as gemeente
inner join {{ ref('int_werkplein__bijstand_wijk_maand') }} as wijk
    on gemeente.gemeentecode = wijk.gemeentecode and gemeente.peildatum = wijk.peildatum
group by gemeente.gemeentecode, gemeente.period_code, gemeente.open_dossiers_algemene_bijstand
having sum(wijk.open_dossiers_algemene_bijstand) <> gemeente.open_dossiers_algemene_bijstand
