{#- Stock-flow identity: fails for every row where begin + the inflows - the outflows is not end (a null anywhere
    fails too: an unknown flow cannot be checked). begin/end are column names, inflows/outflows lists of them. -#}
{% test stock_flow_identity(model, begin, end, inflows, outflows) %}
select *
from {{ model }}
where not coalesce(
    {{ begin }}
    {%- for column in inflows %} + {{ column }}{% endfor %}
    {%- for column in outflows %} - {{ column }}{% endfor %}
    = {{ end }},
    false
)
{% endtest %}
