{#- Instances of the additive relations between Werkplein cells (seeds/werkplein_disclosure_relation.csv,
    int_werkplein__disclosure_cells): one row per member cell of each relation instance, anchored on an area (a
    gemeente) and a delivered month (relations of `month` / `previous_month` members) or a year (`year` /
    `months_of_year`). A member of area `anchor` is the anchor area's own cell; one of area `wijken` stands for the
    cells of every wijk of the anchor gemeente (the gemeente's caseload = the sum of its wijken + the part without
    wijk). Only complete instances: a member that is not there (a month not delivered, a year not complete, no wijk
    cell at all) is unknown to the reader, and a relation with an unknown member reveals nothing. -#}
with cells as (
    select gemeentecode, parent_gemeentecode, measure_code, period_code, maand
    from {{ ref('int_werkplein__disclosure_cells') }}
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
        definitions.area,
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
        definitions.area,
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

-- a member of area `anchor` is the anchor's own cell, one of area `wijken` each wijk cell of the anchor gemeente;
-- a member without any cell keeps one row with a null cell_gemeentecode (an incomplete instance)
found as (
    select
        members.relation,
        members.gemeentecode as anchor_gemeentecode,
        members.anchor_period_code,
        members.measure_code,
        members.period_code,
        cells.gemeentecode as cell_gemeentecode
    from members
    left join cells
        on members.gemeentecode = cells.gemeentecode
        and members.measure_code = cells.measure_code
        and members.period_code = cells.period_code
    where members.area = 'anchor'
    union all
    select
        members.relation,
        members.gemeentecode as anchor_gemeentecode,
        members.anchor_period_code,
        members.measure_code,
        members.period_code,
        cells.gemeentecode as cell_gemeentecode
    from members
    left join cells
        on members.gemeentecode = cells.parent_gemeentecode
        and members.measure_code = cells.measure_code
        and members.period_code = cells.period_code
    where members.area = 'wijken'
),

complete_instances as (
    select relation, anchor_gemeentecode, anchor_period_code
    from found
    group by relation, anchor_gemeentecode, anchor_period_code
    having bool_and(cell_gemeentecode is not null)
)

select
    found.relation || ':' || found.anchor_gemeentecode || ':' || found.anchor_period_code as relation_id,
    found.relation,
    found.anchor_gemeentecode,
    found.anchor_period_code,
    found.cell_gemeentecode as gemeentecode,
    found.measure_code,
    found.period_code
from found
inner join complete_instances
    on found.relation = complete_instances.relation
    and found.anchor_gemeentecode = complete_instances.anchor_gemeentecode
    and found.anchor_period_code = complete_instances.anchor_period_code
