{{ config(materialized='view', contract={'enforced': true}) }}

{#- The duurzaamheid programme for BI, one row per indicator: see programme_indicator_overview and _programme_views.yml. -#}
{{ programme_view('duurzaamheid') }}
