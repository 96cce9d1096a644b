{#- Werkplein re-integration provisions per gemeente, month and type: open on the peildatum, started in the month,
    ended in the month. Not (yet) a catalogue indicator, so not in the marts. -#}
with voorzieningen as (
    select * from {{ ref('stg_werkplein__voorzieningen') }}
),

types as (
    select * from {{ ref('werkplein_type_voorziening') }}
),

monthly as (
    select
        voorzieningen.gemeentecode,
        voorzieningen.peildatum,
        voorzieningen.batch_id,
        voorzieningen.source_mode,
        voorzieningen.file_name,
        voorzieningen.type_voorziening,
        types.voorziening,
        count(*) filter (
            where voorzieningen.einddatum is null or voorzieningen.einddatum > voorzieningen.peildatum
        ) as open_voorzieningen,
        count(*) filter (
            where date_trunc('month', voorzieningen.begindatum) = date_trunc('month', voorzieningen.peildatum)
        ) as gestarte_voorzieningen,
        count(*) filter (
            where date_trunc('month', voorzieningen.einddatum) = date_trunc('month', voorzieningen.peildatum)
        ) as beeindigde_voorzieningen
    from voorzieningen
    left join types on voorzieningen.type_voorziening = types.type_voorziening
    group by 1, 2, 3, 4, 5, 6, 7
)

select
    gemeentecode,
    peildatum,
    {{ cbs_month_code('peildatum') }} as period_code,
    batch_id,
    source_mode,
    file_name,
    type_voorziening,
    voorziening,
    open_voorzieningen,
    gestarte_voorzieningen,
    beeindigde_voorzieningen
from monthly
