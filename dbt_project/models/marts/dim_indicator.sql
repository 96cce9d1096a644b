{{ config(contract={'enforced': true}) }}

{#- Every catalogue indicator with its programme, definition, baseline and target, how it is fed and whether
    its definition is settled. feed: 'automatisch' when an automatic source maps it (int_indicator_values__feeds, the
    seeds the int_indicator_values models join on); otherwise 'handmatig' once the manual indicator file
    (source_system 'handmatig') delivered a value; otherwise 'nog niet gevoed'. definition_status: 'open' for the
    indicators with an open question in CATALOGUE.md §4 (seeds/indicator_definition.csv), else 'vastgesteld'. -#}
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

programmes as (
    select * from {{ ref('programme') }}
),

definitions as (
    select * from {{ ref('indicator_definition') }}
),

feeds as (
    select indicator_code, string_agg(distinct source_system, ', ' order by source_system) as feed_sources
    from {{ ref('int_indicator_values__feeds') }}
    group by indicator_code
),

computed_values as (
    select
        indicator_code,
        bool_or(source_system = 'handmatig') as has_manual_values,
        count(*) filter (where value is not null or value_label is not null) as computed_value_count,
        max(period_end) filter (where value is not null or value_label is not null) as latest_period_end
    from {{ ref('fct_indicator_value') }}
    where value_source = 'computed'
    group by indicator_code
),

reported_values as (
    select indicator_code, count(*) as reported_value_count
    from {{ ref('fct_indicator_value') }}
    where value_source = 'reported'
    group by indicator_code
)

select
    catalogue.indicator_code::text as indicator_code,
    catalogue.programme::text as programme,
    programmes.programme_short::text as programme_short,
    catalogue.programme_period::text as programme_period,
    catalogue.goal_nl::text as goal_nl,
    catalogue.name_nl::text as name_nl,
    catalogue.name_en::text as name_en,
    catalogue.unit::text as unit,
    catalogue.direction::text as direction,
    {{ to_numeric_or_null('catalogue.baseline_value') }}::numeric as baseline_value,
    nullif(catalogue.baseline_period, '')::text as baseline_period,
    {{ to_numeric_or_null('catalogue.target_value') }}::numeric as target_value,
    nullif(catalogue.target_value, '')::text as target_value_text,
    nullif(catalogue.target_period, '')::text as target_period,
    catalogue.target_kind::text as target_kind,
    nullif(catalogue.realised_values, '')::text as realised_values,
    catalogue.geography::text as geography,
    catalogue.source_system::text as source_system,
    nullif(catalogue.source_dataset, '')::text as source_dataset,
    nullif(catalogue.derivation, '')::text as derivation,
    catalogue.seed_refs::text as seed_refs,
    nullif(catalogue.notes, '')::text as notes,
    case
        when feeds.indicator_code is not null then 'automatisch'
        when computed_values.has_manual_values then 'handmatig'
        else 'nog niet gevoed'
    end::text as feed,
    coalesce(feeds.feed_sources, case when computed_values.has_manual_values then 'handmatig' end)::text
        as feed_sources,
    coalesce(computed_values.computed_value_count, 0)::integer as computed_value_count,
    coalesce(reported_values.reported_value_count, 0)::integer as reported_value_count,
    computed_values.latest_period_end::date as latest_computed_period_end,
    case when definitions.indicator_code is not null then 'open' else 'vastgesteld' end::text as definition_status,
    definitions.catalogue_question::text as definition_question,
    definitions.open_question_nl::text as definition_open_question,
    definitions.warehouse_choice_nl::text as definition_choice,
    coalesce(definitions.blocks_status, false)::boolean as definition_blocks_status
from catalogue
left join programmes on catalogue.programme = programmes.programme
left join definitions on catalogue.indicator_code = definitions.indicator_code
left join feeds on catalogue.indicator_code = feeds.indicator_code
left join computed_values on catalogue.indicator_code = computed_values.indicator_code
left join reported_values on catalogue.indicator_code = reported_values.indicator_code
