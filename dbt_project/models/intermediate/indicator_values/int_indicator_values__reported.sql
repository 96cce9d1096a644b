{#- Realised values quoted in the programme documents (the catalogue's realised_values, e.g.
    `2018-06=2857;2019-01-01=2706;2022=top 10`) as rows in the column set of int_cbs__indicator_values, so the
    history before the warehouse is visible beside the computed values (fct_indicator_value.value_source =
    'reported'). Periods become CBS codes: a year `2019` -> 2019JJ00, a month `2018-06` -> 2018MM06, a date
    `2019-12-31` -> the month it falls in, 2019MM12 (the text's own period stays in realised_period). A value
    that is no number (`top 10`) goes to value_label. Every value is Almelo's (var contract_gemeentecode); an
    area of Almelo (binnenstad, NSK) is reported under it, as Kennispunt values are. An entry that does not parse
    keeps a null period_code or value, which the not_null tests in _int_indicator_values__models.yml reject. -#}
with catalogue as (
    select indicator_code, realised_values
    from {{ ref('indicator_catalogue') }}
    where nullif(trim(realised_values), '') is not null
),

primary_measures as (
    select distinct on (indicator_code) indicator_code, measure_code
    from {{ ref('int_indicator_values__feeds') }}
    where is_primary_measure
    order by indicator_code, source_system, measure_code
),

entries as (
    select
        catalogue.indicator_code,
        split.entry_number,
        trim(split.entry) as entry,
        case when strpos(split.entry, '=') > 0 then trim(split_part(split.entry, '=', 1)) end as realised_period,
        case when strpos(split.entry, '=') > 0 then trim(substr(split.entry, strpos(split.entry, '=') + 1)) end
            as realised_value
    from catalogue
    cross join lateral regexp_split_to_table(catalogue.realised_values, ';') with ordinality as split (entry, entry_number)
    where trim(split.entry) <> ''
),

parsed as (
    select
        entries.*,
        case
            when realised_period ~ '^\d{4}$' then realised_period || 'JJ00'
            when realised_period ~ '^\d{4}-(0[1-9]|1[0-2])$' then replace(realised_period, '-', 'MM')
            when realised_period ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$'
                then {{ cbs_month_code("to_date(realised_period, 'YYYY-MM-DD')") }}
        end as period_code,
        {{ to_numeric_or_null('realised_value') }} as value_numeric
    from entries
)

select
    parsed.indicator_code,
    coalesce(primary_measures.measure_code, 'waarde') as measure_code,
    true as is_primary_measure,
    '{{ var("contract_gemeentecode") }}' as gemeentecode,
    parsed.period_code,
    parsed.value_numeric as value,
    case when parsed.value_numeric is null then nullif(parsed.realised_value, '') end as value_label,
    false as is_suppressed,
    false as is_provisional,
    'programmadocumenten' as source_system,
    null::bigint as batch_id,
    null::text as source_mode,
    'indicator_catalogue' as source_table_id,
    'Programmadocumenten: gerealiseerd ' || coalesce(parsed.realised_period, parsed.entry) as source_title,
    parsed.entry_number,
    parsed.entry,
    parsed.realised_period
from parsed
left join primary_measures on parsed.indicator_code = primary_measures.indicator_code
