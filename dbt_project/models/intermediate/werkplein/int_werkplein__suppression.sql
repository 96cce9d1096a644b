{#- Small-number suppression of the Werkplein cells (personal data), documented in _int_werkplein__models.yml:
    - primary: a cell whose disclosure_count (the count itself; for a share its numerator) is below
      var('small_number_threshold') - zero included;
    - complementary: a relation instance (int_werkplein__disclosure_relations) with exactly one suppressed member
      would give it back as the sum or difference of the others, so its smallest published member is suppressed
      too. That can leave another relation with a single suppressed member, so this repeats: `passes` rounds,
      enough for the relations' depth; the data test werkplein_no_suppressed_cell_recomputable fails the build if
      a relation is still left with one. A cell that is never published (int_werkplein__disclosure_cells: the
      caseload without wijkcode) is judged like the others - suppressed when small - but never chosen as the
      complement: hiding it would hide nothing from a reader who can compute it. -#}
{%- set passes = 8 %}

with cells as (
    select gemeentecode, measure_code, period_code, value, disclosure_count, is_published
    from {{ ref('int_werkplein__disclosure_cells') }}
),

members as (
    select
        relations.relation_id,
        cells.gemeentecode,
        cells.measure_code,
        cells.period_code,
        cells.value,
        cells.is_published
    from {{ ref('int_werkplein__disclosure_relations') }} as relations
    inner join cells
        on relations.gemeentecode = cells.gemeentecode
        and relations.measure_code = cells.measure_code
        and relations.period_code = cells.period_code
),

primary_suppressed as (
    select gemeentecode, measure_code, period_code
    from cells
    where disclosure_count < {{ var('small_number_threshold') }}
),

suppressed_0 as (
    select * from primary_suppressed
),
{%- for pass in range(1, passes + 1) %}

state_{{ pass }} as (
    select
        members.*,
        suppressed.measure_code is not null as is_suppressed,
        count(suppressed.measure_code) over (partition by members.relation_id) as suppressed_in_relation
    from members
    left join suppressed_{{ pass - 1 }} as suppressed
        on members.gemeentecode = suppressed.gemeentecode
        and members.measure_code = suppressed.measure_code
        and members.period_code = suppressed.period_code
),

-- the smallest published member of each relation with exactly one suppressed member
complement_{{ pass }} as (
    select distinct on (relation_id) gemeentecode, measure_code, period_code
    from state_{{ pass }}
    where suppressed_in_relation = 1 and not is_suppressed and is_published
    order by relation_id, value, measure_code, period_code
),

suppressed_{{ pass }} as (
    select * from suppressed_{{ pass - 1 }}
    union
    select * from complement_{{ pass }}
),
{%- endfor %}

all_suppressed as (
    select * from suppressed_{{ passes }}
)

select
    cells.gemeentecode,
    cells.measure_code,
    cells.period_code,
    cells.is_published,
    all_suppressed.measure_code is not null as is_suppressed,
    case
        when primary_suppressed.measure_code is not null then 'primary'
        when all_suppressed.measure_code is not null then 'complementary'
    end as suppression
from cells
left join all_suppressed
    on cells.gemeentecode = all_suppressed.gemeentecode
    and cells.measure_code = all_suppressed.measure_code
    and cells.period_code = all_suppressed.period_code
left join primary_suppressed
    on cells.gemeentecode = primary_suppressed.gemeentecode
    and cells.measure_code = primary_suppressed.measure_code
    and cells.period_code = primary_suppressed.period_code
