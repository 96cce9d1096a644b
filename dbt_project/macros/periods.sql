{#- CBS period codes are yyyyXXnn: JJ00 year, HJ01-02 half year, KW01-04 quarter, MM01-12 month. -#}

{% macro cbs_period_type(code) -%}
    case substr({{ code }}, 5, 2)
        when 'JJ' then 'year'
        when 'HJ' then 'half_year'
        when 'KW' then 'quarter'
        when 'MM' then 'month'
        else 'other'
    end
{%- endmacro %}

{#- The CBS code of the month / year a date falls in: 2022-03-31 -> 2022MM03 / 2022JJ00. -#}
{% macro cbs_month_code(date_expr) -%}
    to_char({{ date_expr }}, 'YYYY"MM"MM')
{%- endmacro %}

{% macro cbs_year_code(date_expr) -%}
    (extract(year from {{ date_expr }})::int || 'JJ00')
{%- endmacro %}

{% macro _cbs_period_months(code) -%}
    case substr({{ code }}, 5, 2) when 'JJ' then 12 when 'HJ' then 6 when 'KW' then 3 when 'MM' then 1 end
{%- endmacro %}

{% macro cbs_period_start(code) -%}
    case when {{ code }} ~ '^\d{4}(JJ00|HJ0[12]|KW0[1-4]|MM(0[1-9]|1[0-2]))$' then
        make_date(
            substr({{ code }}, 1, 4)::int,
            case when substr({{ code }}, 5, 2) = 'JJ' then 1
                 else (substr({{ code }}, 7, 2)::int - 1) * {{ _cbs_period_months(code) }} + 1 end,
            1)
    end
{%- endmacro %}

{% macro cbs_period_end(code) -%}
    ({{ cbs_period_start(code) }} + make_interval(months => {{ _cbs_period_months(code) }}) - interval '1 day')::date
{%- endmacro %}

{#- Periods as the programme documents write them: '2022', '2018-06', '2019-12-31' -> the last day they cover. -#}
{% macro document_period_end(text) -%}
    case
        when {{ text }} ~ '^\d{4}$' then make_date({{ text }}::int, 12, 31)
        when {{ text }} ~ '^\d{4}-\d{2}$'
            then (to_date({{ text }}, 'YYYY-MM') + interval '1 month' - interval '1 day')::date
        when {{ text }} ~ '^\d{4}-\d{2}-\d{2}$' then to_date({{ text }}, 'YYYY-MM-DD')
    end
{%- endmacro %}

{% macro document_period_start(text) -%}
    case
        when {{ text }} ~ '^\d{4}$' then make_date({{ text }}::int, 1, 1)
        when {{ text }} ~ '^\d{4}-\d{2}$' then to_date({{ text }}, 'YYYY-MM')
        when {{ text }} ~ '^\d{4}-\d{2}-\d{2}$' then to_date({{ text }}, 'YYYY-MM-DD')
    end
{%- endmacro %}

{#- A catalogue number written as text ('2857', '1.22', 'gemiddeld'): numeric when it is one, else null. -#}
{% macro to_numeric_or_null(text) -%}
    case when {{ text }} ~ '^-?\d+(\.\d+)?$' then {{ text }}::numeric end
{%- endmacro %}

{#- Dutch label of a CBS period code, as StatLine writes it: 2024, 2024 1e halfjaar, 2024 2e kwartaal, 2024 maart. -#}
{% macro cbs_period_label_nl(code) -%}
    case substr({{ code }}, 5, 2)
        when 'JJ' then substr({{ code }}, 1, 4)
        when 'HJ' then substr({{ code }}, 1, 4) || ' ' || substr({{ code }}, 8, 1)::int || 'e halfjaar'
        when 'KW' then substr({{ code }}, 1, 4) || ' ' || substr({{ code }}, 8, 1)::int || 'e kwartaal'
        when 'MM' then substr({{ code }}, 1, 4) || ' ' || (array[
            'januari', 'februari', 'maart', 'april', 'mei', 'juni',
            'juli', 'augustus', 'september', 'oktober', 'november', 'december'
        ])[substr({{ code }}, 7, 2)::int]
    end
{%- endmacro %}

{#- Dutch name of the period type: jaar, halfjaar, kwartaal, maand. -#}
{% macro cbs_period_type_nl(code) -%}
    case substr({{ code }}, 5, 2)
        when 'JJ' then 'jaar'
        when 'HJ' then 'halfjaar'
        when 'KW' then 'kwartaal'
        when 'MM' then 'maand'
    end
{%- endmacro %}
