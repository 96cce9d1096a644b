{#- Catalogue indicators from handmatige indicatorbestanden: a number goes to value, a category's label (a class,
    a milestone) to value_label; a period not measured (neither) is left out. The measure is the indicator as
    the catalogue defines it (measure_code = indicator_code), primary.
    The files fill what no API or export delivers: where another source has a value for the same indicator,
    gemeente and period, that value wins and the manual one is left out (it stays in staging). -#}
with waarden as (
    select * from {{ ref('stg_handmatig__waarden') }}
    where not is_not_measured
),

{%- set automatic = ['int_cbs__indicator_values', 'int_indicator_values__uwv', 'int_indicator_values__kennispunt',
                     'int_indicator_values__werkplein'] %}

delivered_elsewhere as (
    {%- for model in automatic %}
    select indicator_code, gemeentecode, period_code from {{ ref(model) }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
)

select
    waarden.indicator_code,
    waarden.indicator_code as measure_code,
    true as is_primary_measure,
    waarden.gemeentecode,
    waarden.period_code,
    waarden.waarde as value,
    false as is_provisional,
    'handmatig' as source_system,
    waarden.batch_id,
    waarden.source_mode,
    waarden.file_name as source_table_id,
    waarden.bron as source_title,
    waarden.waarde_label as value_label,
    false as is_suppressed,
    -- the file row the value came from, for the lineage (marts.indicator_value_lineage)
    waarden.source_row_number
from waarden
where not exists (
    select 1
    from delivered_elsewhere
    where delivered_elsewhere.indicator_code = waarden.indicator_code
        and delivered_elsewhere.gemeentecode = waarden.gemeentecode
        and delivered_elsewhere.period_code = waarden.period_code
)
