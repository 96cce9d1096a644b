{#- The body of a programme_<short> view: its indicators from programme_indicator_overview, the one table it
    depends on (a view over a table in the same schema survives the shadow-schema swap: PostgreSQL binds a
    view to the table itself, not to its schema name). -#}
{% macro programme_view(programme_short) -%}
select
    indicator_code, indicator_name, unit, direction, feed, definition_status,
    actual_value, actual_value_label, actual_period_code, actual_period_label, actual_value_source, is_provisional,
    baseline_value, baseline_period, target_value, target_value_text, target_kind, target_period,
    status, status_reason, projected_status, projected_value, projected_lower, projected_upper,
    previous_value, previous_period_code, change_vs_previous, last_values, last_values_array,
    twente_value, twente_method, nl_value
from {{ ref('programme_indicator_overview') }}
where programme_short = '{{ programme_short }}'
{%- endmacro %}
