{{ config(contract={'enforced': true}) }}

{#- The omgevingswet programme for BI, one row per indicator: a view (folder programme_views, dbt_project.yml) over
    programme_indicator_overview; documented in _marts_programmes__models.yml. -#}
{{ programme_view('omgevingswet') }}
