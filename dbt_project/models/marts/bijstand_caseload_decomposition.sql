{{ config(contract={'enforced': true}) }}

{#- The monthly change in the algemene-bijstand caseload split into its flows (int_werkplein__caseload_decomposition),
    as published: a cell the small-number rule suppresses (int_werkplein__suppression; the flows are cells
    decompositie_<flow>, begin and end the caseload cells open_dossiers_algemene_bijstand of the previous and this
    month) is null here and named in suppressed_cells. The identity begin + inflows - outflows = end is tested on
    the unsuppressed intermediate model; here it holds for every row without suppressed cells. -#}
{%- set flows = ['instroom_totaal', 'instroom_nieuw', 'herinstroom', 'uitstroom_totaal', 'uitstroom_werk',
    'uitstroom_andere_uitkering', 'uitstroom_verhuizing', 'uitstroom_overig'] %}
with decomposition as (
    select * from {{ ref('int_werkplein__caseload_decomposition') }}
),

suppressed as (
    select gemeentecode, measure_code, period_code
    from {{ ref('int_werkplein__suppression') }}
    where is_suppressed
),

load_batches as (
    select batch_id, finished_at from {{ ref('stg_audit__load_batches') }}
),

flagged as (
    select
        decomposition.*,
        {{ cbs_month_code("decomposition.maand - interval '1 month'") }} as previous_period_code,
        exists (
            select from suppressed
            where suppressed.gemeentecode = decomposition.gemeentecode
                and suppressed.measure_code = 'open_dossiers_algemene_bijstand'
                and suppressed.period_code = {{ cbs_month_code("decomposition.maand - interval '1 month'") }}
        ) as is_suppressed_caseload_begin,
        exists (
            select from suppressed
            where suppressed.gemeentecode = decomposition.gemeentecode
                and suppressed.measure_code = 'open_dossiers_algemene_bijstand'
                and suppressed.period_code = decomposition.period_code
        ) as is_suppressed_caseload_eind
        {%- for flow in flows %},
        exists (
            select from suppressed
            where suppressed.gemeentecode = decomposition.gemeentecode
                and suppressed.measure_code = 'decompositie_{{ flow }}'
                and suppressed.period_code = decomposition.period_code
        ) as is_suppressed_{{ flow }}
        {%- endfor %}
    from decomposition
)

{%- set cells = ['caseload_begin'] + flows + ['caseload_eind'] %}

select
    flagged.gemeentecode::text as gemeentecode,
    flagged.period_code::text as period_code,
    flagged.maand::date as period_start,
    flagged.peildatum::date as period_end,
    {%- for cell in cells %}
    (case when not flagged.is_suppressed_{{ cell }} then flagged.{{ cell }} end)::integer as {{ cell }},
    {%- endfor %}
    (case
        when not flagged.is_suppressed_caseload_begin and not flagged.is_suppressed_caseload_eind
            then flagged.caseload_eind - flagged.caseload_begin
    end)::integer as caseload_mutatie,
    ({%- for cell in cells %}{{ ' or ' if not loop.first }}flagged.is_suppressed_{{ cell }}{% endfor %})::boolean
        as has_suppressed_cells,
    nullif(concat_ws(', '
        {%- for cell in cells %},
        case when flagged.is_suppressed_{{ cell }} then '{{ cell }}' end
        {%- endfor %}
    ), '')::text as suppressed_cells,
    flagged.is_terugkijkperiode_volledig::boolean as is_terugkijkperiode_volledig,
    flagged.batch_id::bigint as batch_id,
    load_batches.finished_at::timestamptz as loaded_at,
    flagged.source_mode::text as source_mode,
    flagged.file_name::text as file_name
from flagged
left join load_batches on flagged.batch_id = load_batches.batch_id
