{{ config(materialized='view', contract={'enforced': true}) }}

{#- The veiligheid programme for BI, one row per indicator: see programme_indicator_overview and _programme_views.yml. -#}
{{ programme_view('veiligheid') }}
