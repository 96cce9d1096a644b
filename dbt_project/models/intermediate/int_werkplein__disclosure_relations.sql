{#- Instances of the additive relations between published Werkplein cells (seeds/werkplein_disclosure_relation.csv):
    one row per member cell of each relation instance, per gemeente, anchored on a delivered month (relations of
    `month` / `previous_month` members) or on a year (`year` / `months_of_year`). Only complete instances: a
    member that is not published (a month not delivered, a year not complete) is unknown to the reader, and a
    relation with an unknown member reveals nothing. -#}
with cells as (
    select distinct gemeentecode, measure_code, period_code, maand
    from {{ ref('int_werkplein__measure_values') }}
),

definitions as (
    select * from {{ ref('werkplein_disclosure_relation') }}
),

relation_kinds as (
    select relation, bool_or(member in ('year', 'months_of_year')) as is_yearly
    from definitions
    group by relation
),

month_anchors as (
    select distinct gemeentecode, maand from cells where maand is not null
),

year_anchors as (
    select distinct gemeentecode, period_code as year_code from cells where period_code like '____JJ00'
),

month_members as (
    select
        definitions.relation,
        month_anchors.gemeentecode,
        {{ cbs_month_code('month_anchors.maand') }} as anchor_period_code,
        definitions.measure_code,
        case definitions.member
            when 'month' then {{ cbs_month_code('month_anchors.maand') }}
            when 'previous_month' then {{ cbs_month_code("month_anchors.maand - interval '1 month'") }}
        end as period_code
    from definitions
    inner join relation_kinds on definitions.relation = relation_kinds.relation and not relation_kinds.is_yearly
    cross join month_anchors
),

year_members as (
    select
        definitions.relation,
        year_anchors.gemeentecode,
        year_anchors.year_code as anchor_period_code,
        definitions.measure_code,
        case definitions.member
            when 'year' then year_anchors.year_code
            when 'months_of_year' then substr(year_anchors.year_code, 1, 4) || 'MM' || lpad(months.month::text, 2, '0')
        end as period_code
    from definitions
    inner join relation_kinds on definitions.relation = relation_kinds.relation and relation_kinds.is_yearly
    cross join year_anchors
    cross join lateral generate_series(
        1, case when definitions.member = 'months_of_year' then 12 else 1 end
    ) as months (month)
),

members as (
    select * from month_members
    union all
    select * from year_members
),

found as (
    select
        members.*,
        cells.measure_code is not null as is_published
    from members
    left join cells
        on members.gemeentecode = cells.gemeentecode
        and members.measure_code = cells.measure_code
        and members.period_code = cells.period_code
),

complete_instances as (
    select relation, gemeentecode, anchor_period_code
    from found
    group by relation, gemeentecode, anchor_period_code
    having bool_and(is_published)
)

select
    found.relation || ':' || found.gemeentecode || ':' || found.anchor_period_code as relation_id,
    found.relation,
    found.gemeentecode,
    found.anchor_period_code,
    found.measure_code,
    found.period_code
from found
inner join complete_instances
    on found.relation = complete_instances.relation
    and found.gemeentecode = complete_instances.gemeentecode
    and found.anchor_period_code = complete_instances.anchor_period_code
