{{ config(contract={'enforced': true}) }}

{#- Every area the marts report on: the 14 Twente gemeenten (seeds/gemeenten_twente.csv), Nederland (NL01),
    arbeidsmarktregio Twente (AM05) and any other area code in fct_indicator_value. Inhabitants: the latest CBS
    population figure the warehouse loads (kerncijfers wijken en buurten `inwoners`, yearly, or bevolking per
    maand `inwoners_einde_periode`, whichever is later); null when neither is loaded for the area. -#}
with gemeenten as (
    select * from {{ ref('gemeenten_twente') }}
),

value_areas as (
    select distinct gemeentecode from {{ ref('fct_indicator_value') }}
),

population as (
    select distinct on (gemeentecode)
        gemeentecode, value as inhabitants, period_code, table_id
    from {{ ref('int_cbs__measure_values') }}
    where measure_code in ('inwoners', 'inwoners_einde_periode')
        and value is not null
        and not is_missing
    order by gemeentecode, period_end desc, measure_code
),

known as (
    select
        gemeente_code as gemeentecode,
        gemeente_name as name,
        'gemeente' as area_type,
        -- COROP Twente lies wholly in Overijssel
        case when corop = 'Twente' then 'Overijssel' end as provincie,
        true as is_twente,
        case in_werkplein_hart_van_twente when 'true' then true when 'false' then false end
            as in_werkplein_hart_van_twente,
        split_part(arbeidsmarktregio, ' ', 1) as arbeidsmarktregio_code,
        corop
    from gemeenten
    union all
    select 'NL01', 'Nederland', 'land', null, false, null, null, null
    union all
    select 'AM05', 'Arbeidsmarktregio Twente', 'arbeidsmarktregio', 'Overijssel', true, null, 'AM05', 'Twente'
),

other_areas as (
    select
        value_areas.gemeentecode,
        null::text as name,
        case substr(value_areas.gemeentecode, 1, 2)
            when 'GM' then 'gemeente' when 'WK' then 'wijk' when 'BU' then 'buurt'
            when 'AM' then 'arbeidsmarktregio' when 'NL' then 'land' else 'overig'
        end as area_type,
        null::text as provincie,
        -- a wijk or buurt of a Twente gemeente (WK0141.., BU0141..) is in Twente
        exists (
            select 1 from gemeenten where 'GM' || substr(value_areas.gemeentecode, 3, 4) = gemeenten.gemeente_code
        ) and substr(value_areas.gemeentecode, 1, 2) in ('WK', 'BU') as is_twente,
        null::boolean as in_werkplein_hart_van_twente,
        null::text as arbeidsmarktregio_code,
        null::text as corop
    from value_areas
    where not exists (select 1 from known where known.gemeentecode = value_areas.gemeentecode)
),

areas as (
    select * from known
    union all
    select * from other_areas
)

select
    areas.gemeentecode::text as gemeentecode,
    areas.name::text as name,
    areas.area_type::text as area_type,
    case when areas.area_type in ('wijk', 'buurt') then 'GM' || substr(areas.gemeentecode, 3, 4) end::text
        as parent_gemeentecode,
    areas.provincie::text as provincie,
    areas.is_twente::boolean as is_twente,
    (areas.gemeentecode = '{{ var("contract_gemeentecode") }}')::boolean as is_contract_gemeente,
    areas.in_werkplein_hart_van_twente::boolean as in_werkplein_hart_van_twente,
    areas.arbeidsmarktregio_code::text as arbeidsmarktregio_code,
    areas.corop::text as corop,
    population.inhabitants::numeric as inhabitants,
    population.period_code::text as inhabitants_period_code,
    case when population.table_id is not null then 'CBS ' || population.table_id end::text as inhabitants_source
from areas
left join population on areas.gemeentecode = population.gemeentecode
