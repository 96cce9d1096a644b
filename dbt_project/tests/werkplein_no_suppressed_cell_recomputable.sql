{#- No Werkplein relation instance (int_werkplein__disclosure_relations) may have exactly one suppressed member:
    the published others would give it back. Fails the build (and so the publish) when int_werkplein__suppression
    needed more rounds than it has. -#}
select
    relations.relation_id,
    count(*) filter (where suppression.is_suppressed) as suppressed_members
from {{ ref('int_werkplein__disclosure_relations') }} as relations
inner join {{ ref('int_werkplein__suppression') }} as suppression
    on relations.gemeentecode = suppression.gemeentecode
    and relations.measure_code = suppression.measure_code
    and relations.period_code = suppression.period_code
group by relations.relation_id
having count(*) filter (where suppression.is_suppressed) = 1
