{#- Fails for every row where the SQL expression is not true (dbt_utils is unavailable). -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
