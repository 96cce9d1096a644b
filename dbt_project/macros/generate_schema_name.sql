{#- Schemas are named by layer (staging, intermediate, marts, reference), not prefixed with the target schema.
    The marts layer goes to var('marts_schema') so a build can target the shadow schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ var('marts_schema', 'marts') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
