{#- The inputs of every computed indicator value (the marts' fct_indicator_value, value_source computed): one row
    per input, keyed like the value (indicator_code, measure_code, gemeentecode, period_code, source_system), with
    the batch it came from and the raw rows behind it. marts.indicator_value_lineage adds the batch (its status,
    file or request) and the value itself.
    - CBS: the formula (seeds/indicator_formula.csv) as int_cbs__indicator_values applies it: the numerator
      ('teller') and the denominator ('noemer'), or the published figure ('waarde'), each the version
      int_cbs__measure_values chose (newest edition, newest batch), with its raw.cbs_observation row: table, row
      number in the response stream, region, period, topic key, other dimensions and value.
    - UWV, Kennispunt, handmatig: the file row the value was read from (row number, the value as read).
    - Werkplein: counts of persons, so never a person: for the monthly bijstand measures the number of rows of the
      file that were counted and their row numbers (int_lineage__werkplein_rows), nothing when the value is
      suppressed (the count is the value); for the other measures the file (all its rows were read); for a year
      of herinstroom the twelve monthly files; for the participatie share both exports it combines (uitkeringen:
      who is in the doelgroep, activiteiten: who of them is active). -#}
with cbs_values as (
    select * from {{ ref('int_cbs__indicator_values') }}
),

-- numerator and denominator as int_cbs__indicator_values joined them (it carries their cells)
cbs_input_cells as (
    select
        cbs_values.*,
        roles.input_role,
        roles.input_order,
        roles.input_series,
        roles.input_measure,
        roles.input_value,
        roles.input_batch_id,
        roles.input_table_id,
        roles.input_period_code
    from cbs_values
    cross join lateral (
        values
            (
                case when cbs_values.denominator_measure is null then 'waarde' else 'teller' end, 1,
                cbs_values.numerator_series, cbs_values.numerator_measure, cbs_values.numerator_input_value,
                cbs_values.numerator_batch_id, cbs_values.numerator_table_id, cbs_values.numerator_period_code
            ),
            (
                'noemer', 2,
                cbs_values.denominator_series, cbs_values.denominator_measure, cbs_values.denominator_input_value,
                cbs_values.denominator_batch_id, cbs_values.denominator_table_id, cbs_values.denominator_period_code
            )
    ) as roles (
        input_role, input_order, input_series, input_measure, input_value, input_batch_id, input_table_id,
        input_period_code
    )
    where roles.input_batch_id is not null
),

cbs_inputs as (
    select
        cells.indicator_code,
        cells.measure_code,
        cells.gemeentecode,
        cells.period_code,
        'cbs' as source_system,
        cells.input_role,
        cells.input_order,
        cells.numerator_measure
            || coalesce(' / ' || cells.denominator_measure, '')
            || ' x ' || cells.multiplier::text as formula,
        cells.input_batch_id as batch_id,
        'raw.cbs_observation' as raw_table,
        cells.input_series || '.' || cells.input_measure as input_name,
        cells.input_value,
        'cel' as row_selection,
        observations.table_id as raw_table_id,
        observations.region_code as raw_region_code,
        observations.period_code as raw_period_code,
        observations.topic_key as raw_topic_key,
        observations.dimensions::text as raw_dimensions,
        observations.value as raw_value,
        1::bigint as raw_row_count,
        observations.source_row_number::text as raw_row_numbers
    from cbs_input_cells as cells
    left join {{ ref('stg_cbs__observations') }} as observations
        on cells.input_batch_id = observations.batch_id
        and cells.input_table_id = observations.table_id
        and cells.input_period_code = observations.period_code
        and cells.input_measure = observations.measure_code
        and cells.gemeentecode
            = case when observations.region_code = 'NL00' then 'NL01' else observations.region_code end
),

file_values as (
    {%- for model, system, raw_table in [
        ('int_indicator_values__uwv', 'uwv', 'raw.uwv_spanningsindicator'),
        ('int_indicator_values__kennispunt', 'kennispunt_twente', 'raw.kennispunt_waarde'),
        ('int_indicator_values__handmatig', 'handmatig', 'raw.handmatig_waarde')] %}
    select
        indicator_code,
        measure_code,
        gemeentecode,
        period_code,
        '{{ system }}' as source_system,
        'waarde' as input_role,
        1 as input_order,
        null::text as formula,
        batch_id,
        '{{ raw_table }}' as raw_table,
        measure_code as input_name,
        value as input_value,
        'cel' as row_selection,
        null::text as raw_table_id,
        null::text as raw_region_code,
        null::text as raw_period_code,
        null::text as raw_topic_key,
        null::text as raw_dimensions,
        value as raw_value,
        1::bigint as raw_row_count,
        source_row_number::text as raw_row_numbers
    from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

werkplein_values as (
    select * from {{ ref('int_indicator_values__werkplein') }}
),

werkplein_rows as (
    select * from {{ ref('int_lineage__werkplein_rows') }}
),

-- the monthly files behind a year's herinstroom (int_werkplein__measure_values sums its 12 months)
herinstroom_months as (
    select
        gemeentecode,
        {{ cbs_year_code('peildatum') }} as year_code,
        batch_id
    from {{ ref('int_werkplein__herinstroom_maand') }}
),

-- the two exports behind a participatie share (int_werkplein__measure_values: every month, and December for the year)
inzet_exports as (
    select inzet.gemeentecode, periods.period_code, periods.measure_code, exports.*
    from {{ ref('int_werkplein__maatschappelijke_inzet_maand') }} as inzet
    cross join lateral (
        values
            ({{ cbs_month_code('inzet.peildatum') }}, 'aandeel_participatie_actief_pct_maand'),
            (
                case when extract(month from inzet.peildatum) = 12 then {{ cbs_year_code('inzet.peildatum') }} end,
                'aandeel_participatie_actief_pct_jaar'
            )
    ) as periods (period_code, measure_code)
    cross join lateral (
        values
            (1, 'raw.werkplein_uitkering', inzet.uitkering_batch_id),
            (2, 'raw.werkplein_activiteit', inzet.activiteit_batch_id)
    ) as exports (export_order, export_table, export_batch_id)
    where periods.period_code is not null
),

-- the measures int_lineage__werkplein_rows names the rows of (all of int_werkplein__bijstand_maand's)
werkplein_row_measures as (
    select measure_code
    from (
        values
            ('open_dossiers_algemene_bijstand'), ('open_dossiers_ioaw'), ('open_dossiers_ioaz'),
            ('open_dossiers_bbz'), ('instroom_algemene_bijstand'), ('uitstroom_algemene_bijstand'),
            ('uitstroom_naar_werk'), ('uitstroom_arbeid_in_dienstbetrekking'), ('uitstroom_zelfstandig'),
            ('uitstroom_ww'), ('uitstroom_andere_uitkering'), ('uitstroom_administratief'), ('uitstroom_overig'),
            ('uitstroom_reden_onbekend')
    ) as measures (measure_code)
),

werkplein_inputs as (
    select
        werkplein_values.indicator_code,
        werkplein_values.measure_code,
        werkplein_values.gemeentecode,
        werkplein_values.period_code,
        'werkplein' as source_system,
        'waarde' as input_role,
        coalesce(inzet_exports.export_order, 1) as input_order,
        null::text as formula,
        coalesce(inzet_exports.export_batch_id, herinstroom_months.batch_id, werkplein_values.batch_id) as batch_id,
        coalesce(inzet_exports.export_table, 'raw.werkplein_uitkering') as raw_table,
        werkplein_values.measure_code as input_name,
        werkplein_values.value as input_value,
        case
            when werkplein_values.is_suppressed then 'onderdrukt'
            when werkplein_row_measures.measure_code is null then 'bestand'
            else 'rijen'
        end as row_selection,
        null::text as raw_table_id,
        null::text as raw_region_code,
        null::text as raw_period_code,
        null::text as raw_topic_key,
        null::text as raw_dimensions,
        null::numeric as raw_value,
        case
            when werkplein_row_measures.measure_code is not null and not werkplein_values.is_suppressed
                then coalesce(werkplein_rows.row_count, 0)
        end as raw_row_count,
        case when not werkplein_values.is_suppressed then werkplein_rows.row_numbers end as raw_row_numbers
    from werkplein_values
    left join werkplein_row_measures on werkplein_values.measure_code = werkplein_row_measures.measure_code
    left join werkplein_rows
        on werkplein_values.batch_id = werkplein_rows.batch_id
        and werkplein_values.gemeentecode = werkplein_rows.gemeentecode
        and werkplein_values.period_code = werkplein_rows.period_code
        and werkplein_values.measure_code = werkplein_rows.measure_code
    left join herinstroom_months
        on werkplein_values.measure_code = 'herinstroom_personen_jaar'
        and werkplein_values.gemeentecode = herinstroom_months.gemeentecode
        and werkplein_values.period_code = herinstroom_months.year_code
    left join inzet_exports
        on werkplein_values.measure_code = inzet_exports.measure_code
        and werkplein_values.gemeentecode = inzet_exports.gemeentecode
        and werkplein_values.period_code = inzet_exports.period_code
)

select * from cbs_inputs
union all
select * from file_values
union all
select * from werkplein_inputs
