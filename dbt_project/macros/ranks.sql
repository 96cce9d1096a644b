{#- Percentile of a direction-aware rank among n: the share (0-100) of the other members that do not do better
    (100 = best, 0 = worst; a member alone in its group gets 100). -#}
{% macro rank_percentile(rank_expr, n_expr) -%}
    case when {{ n_expr }} = 1 then 100.0
         else round(100.0 * ({{ n_expr }} - {{ rank_expr }}) / ({{ n_expr }} - 1), 1) end
{%- endmacro %}
