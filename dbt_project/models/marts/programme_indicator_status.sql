{{ config(contract={'enforced': true}) }}

{#- Status per programme x indicator x gemeente; the rule is documented in _marts_programmes__models.yml (status). -#}
with catalogue as (
    select
        indicator_code,
        programme,
        programme_period,
        name_nl as indicator_name,
        unit,
        direction,
        target_kind,
        {{ to_numeric_or_null('baseline_value') }} as catalogue_baseline_value,
        nullif(baseline_period, '') as catalogue_baseline_period,
        {{ to_numeric_or_null('target_value') }} as target_value_numeric,
        nullif(target_value, '') as target_value_text,
        nullif(target_period, '') as target_period,
        make_date(split_part(programme_period, '-', 1)::int, 1, 1) as programme_start
    from {{ ref('indicator_catalogue') }}
),

-- Open definition questions (CATALOGUE.md §4); blocks_status: no status until the programme owner settles it.
definitions as (
    select indicator_code, catalogue_question, blocks_status, open_question_nl
    from {{ ref('indicator_definition') }}
),

-- A suppressed cell (value null, no label) is no measurement: the status is judged on the latest known value.
-- Realised values quoted in the programme documents (value_source reported) count as measurements too; where a
-- computed value exists for the same period it goes first. A wijk or buurt (WK.., BU..) is no gemeente with a
-- programme or a comparison: its values are in fct_indicator_value, not in the status.
indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where is_primary_measure
        and (value is not null or value_label is not null)
        and substr(gemeentecode, 1, 2) not in ('WK', 'BU')
),

latest as (
    select distinct on (indicator_code, gemeentecode)
        indicator_code, gemeentecode, period_code, period_end, value, value_label, is_provisional, batch_id,
        value_source
    from indicator_values
    order by indicator_code, gemeentecode, period_end desc, period_code desc, value_source = 'reported'
),

earliest as (
    select distinct on (indicator_code, gemeentecode)
        indicator_code, gemeentecode, period_code, value
    from indicator_values
    order by indicator_code, gemeentecode, period_end asc, period_code asc, value_source = 'reported'
),

-- Every catalogue indicator has an Almelo row (the programmes are Almelo's); peers appear where they have values.
scope as (
    select indicator_code, '{{ var("contract_gemeentecode") }}' as gemeentecode from catalogue
    union
    select indicator_code, gemeentecode from latest
),

joined as (
    select
        catalogue.*,
        scope.gemeentecode,
        scope.gemeentecode = '{{ var("contract_gemeentecode") }}' as is_contract_gemeente,
        latest.value as actual_value,
        latest.value_label as actual_value_label,
        latest.period_code as actual_period_code,
        latest.period_end as actual_period_end,
        latest.is_provisional,
        latest.batch_id,
        latest.value_source as actual_value_source,
        coalesce(definitions.blocks_status, false) as is_definition_blocking,
        definitions.indicator_code is not null as is_definition_open,
        definitions.catalogue_question,
        definitions.open_question_nl,
        {{ document_period_start('catalogue.target_period') }} as target_start,
        {{ document_period_end('catalogue.target_period') }} as target_end,
        -- Baseline: the catalogue's; without one, the first observed value of the series.
        case
            when catalogue.catalogue_baseline_value is not null then catalogue.catalogue_baseline_value
            when earliest.period_code <> latest.period_code then earliest.value
        end as baseline_value,
        case
            when catalogue.catalogue_baseline_value is not null then catalogue.catalogue_baseline_period
            when earliest.period_code <> latest.period_code then earliest.period_code
        end as baseline_period,
        case
            when catalogue.catalogue_baseline_value is not null then 'catalogue'
            when earliest.period_code <> latest.period_code then 'first_observation'
        end as baseline_source
    from scope
    inner join catalogue on scope.indicator_code = catalogue.indicator_code
    left join latest on scope.indicator_code = latest.indicator_code and scope.gemeentecode = latest.gemeentecode
    left join earliest
        on scope.indicator_code = earliest.indicator_code and scope.gemeentecode = earliest.gemeentecode
    left join definitions on scope.indicator_code = definitions.indicator_code
),

targets as (
    select
        *,
        case
            when target_kind = 'change_vs_baseline' then baseline_value + target_value_numeric
            when target_kind in ('absolute_level', 'max', 'min') then target_value_numeric
        end as target_value
    from joined
),

measured as (
    select
        *,
        case
            when direction = 'higher_is_better' or target_kind = 'min' then actual_value >= target_value
            when direction = 'lower_is_better' or target_kind = 'max' then actual_value <= target_value
        end as is_target_reached,
        -- Category targets (UWV typering 'gemiddeld'): the latest class equals the target class.
        lower(trim(actual_value_label)) = lower(trim(target_value_text)) as is_target_class,
        -- The latest value lies in or after the target period (no target period: any time counts).
        coalesce(actual_period_end >= target_start, true) as is_in_target_period,
        round((actual_value - baseline_value) / nullif(target_value - baseline_value, 0), 4) as progress_share,
        -- greatest()/least() skip NULLs, so guard explicitly: no target date or no actual means no share.
        case when actual_period_end is not null and target_end > programme_start then
            round(least(1, greatest(0,
                (actual_period_end - programme_start)::numeric / (target_end - programme_start)
            )), 4)
        end as elapsed_share
    from targets
),

evaluated as (
    select
        *,
        case
            when not is_contract_gemeente then 'niet te beoordelen'
            when is_definition_blocking then 'niet te beoordelen'
            when actual_value is null and actual_value_label is null then 'niet te beoordelen'
            when direction is null or direction in ('', 'none') then 'niet te beoordelen'
            when target_kind = 'category' and (actual_value_label is null or target_value_text is null)
                then 'niet te beoordelen'
            when target_kind = 'category' and is_target_class and is_in_target_period then 'behaald'
            when target_kind = 'category' and is_target_class then 'op koers'
            when target_kind = 'category' then 'achter'
            when target_value is null then 'niet te beoordelen'
            when is_target_reached then 'behaald'
            -- the target period is over and the target was not met: no baseline needed to say so
            when actual_period_end >= target_end then 'achter'
            when baseline_value is null or progress_share is null or elapsed_share is null then 'niet te beoordelen'
            when progress_share >= elapsed_share then 'op koers'
            else 'achter'
        end as status,
        case
            when not is_contract_gemeente then 'vergelijkingsgemeente: het programmadoel geldt voor Almelo'
            when is_definition_blocking
                then 'definitie open (CATALOGUE.md §' || catalogue_question || '): ' || open_question_nl
            when actual_value is null and actual_value_label is null then 'nog geen gemeten waarde'
            when (direction is null or direction in ('', 'none')) and is_definition_open
                then 'geen richting vastgelegd (definitie open, CATALOGUE.md §' || catalogue_question || ')'
            when direction is null or direction in ('', 'none')
                then 'geen richting vastgelegd: trend- of contextindicator'
            when target_kind = 'category' and (actual_value_label is null or target_value_text is null)
                then 'categoriedoel: geen klasse bij de laatste waarde'
            when target_kind = 'category' and is_target_class and is_in_target_period
                then 'klasse ' || actual_value_label || ' is de doelklasse'
            when target_kind = 'category' and is_target_class
                then 'klasse ' || actual_value_label || ' is de doelklasse; de doelperiode is nog niet bereikt'
            when target_kind = 'category'
                then 'klasse ' || actual_value_label || ', doel ' || target_value_text
            when target_value is null then 'geen streefwaarde'
            when is_target_reached then 'streefwaarde bereikt'
            when actual_period_end >= target_end then 'doelperiode verstreken, streefwaarde niet bereikt'
            when baseline_value is null or progress_share is null or elapsed_share is null
                then 'geen basiswaarde of looptijd om voortgang aan af te meten'
            else 'voortgang ' || round(100 * progress_share) || '% van de weg naar het doel, '
                || round(100 * elapsed_share) || '% van de looptijd verstreken'
        end as status_reason
    from measured
)

select
    programme::text as programme,
    indicator_code::text as indicator_code,
    indicator_name::text as indicator_name,
    gemeentecode::text as gemeentecode,
    is_contract_gemeente::boolean as is_contract_gemeente,
    unit::text as unit,
    direction::text as direction,
    actual_value::numeric as actual_value,
    actual_value_label::text as actual_value_label,
    actual_period_code::text as actual_period_code,
    actual_period_end::date as actual_period_end,
    is_provisional::boolean as is_provisional,
    actual_value_source::text as actual_value_source,
    case when is_definition_open then 'open' else 'vastgesteld' end::text as definition_status,
    case when is_contract_gemeente then baseline_value end::numeric as baseline_value,
    case when is_contract_gemeente then baseline_period end::text as baseline_period,
    case when is_contract_gemeente then baseline_source end::text as baseline_source,
    case when is_contract_gemeente then target_value end::numeric as target_value,
    case when is_contract_gemeente then target_value_text end::text as target_value_text,
    target_kind::text as target_kind,
    target_period::text as target_period,
    case when is_contract_gemeente then progress_share end::numeric as progress_share,
    case when is_contract_gemeente then elapsed_share end::numeric as elapsed_share,
    status::text as status,
    status_reason::text as status_reason,
    batch_id::bigint as batch_id
from evaluated
