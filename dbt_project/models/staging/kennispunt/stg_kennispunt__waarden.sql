{#- Kennispunt Twente values from the newest published export of each onderwerp (delivery_key), in long form.
    gebiedcode becomes a CBS gemeentecode: GM0141 stays, a gemeente number (141, 1742) is padded to GM0141 /
    GM1742, and an area name (binnenstad) takes the gemeente it lies in (seeds/kennispunt_gebied.csv) and is kept
    in `gebied`. A year becomes the CBS period code 2019JJ00. Suppressed cells (<10) stay null with is_suppressed;
    an empty long-layout cell (period in the export, not measured) stays null without it. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name, delivery_key
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'kennispunt' and entity = 'kennispunt_waarde' and is_newest_of_delivery
),

waarden as (
    select * from {{ source('kennispunt', 'kennispunt_waarde') }}
),

areas as (
    select * from {{ ref('kennispunt_gebied') }}
),

renamed as (
    select
        waarden.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        published_batches.delivery_key as kennispunt_export,
        waarden.row_number as source_row_number,
        waarden.layout,
        regexp_replace(trim(waarden.indicator), '\s+', ' ', 'g') as indicator_label,
        trim(waarden.gebiedcode) as gebiedcode,
        waarden.gebiednaam,
        trim(waarden.periode) as periode,
        waarden.waarde,
        waarden.is_suppressed,
        waarden.suppressed_as,
        waarden.eenheid
    from waarden
    inner join published_batches on waarden.batch_id = published_batches.batch_id
),

located as (
    select
        renamed.*,
        case
            when upper(renamed.gebiedcode) ~ '^GM\d{4}$' then upper(renamed.gebiedcode)
            when renamed.gebiedcode ~ '^\d{1,4}$' then 'GM' || lpad(renamed.gebiedcode, 4, '0')
            else areas.gemeentecode
        end as gemeentecode,
        case when upper(renamed.gebiedcode) !~ '^(GM)?\d{1,4}$' then renamed.gebiedcode end as gebied,
        case
            when renamed.periode ~ '^\d{4}$' then renamed.periode || 'JJ00'
            when renamed.periode ~ '^\d{4}(JJ00|HJ0[12]|KW0[1-4]|MM(0[1-9]|1[0-2]))$' then renamed.periode
        end as period_code
    from renamed
    left join areas on lower(renamed.gebiedcode) = lower(areas.gebiedcode)
),

-- The same cell in two exports (e.g. 141 in one, GM0141 in another): the newer batch wins. rank(), not
-- row_number(): a cell twice in one file stays twice and fails the uniqueness test instead of one being dropped.
versioned as (
    select
        *,
        rank() over (
            partition by indicator_label, gemeentecode, gebied, periode
            order by batch_id desc
        ) as version_rank
    from located
)

select
    batch_id,
    loaded_at,
    source_mode,
    file_name,
    kennispunt_export,
    source_row_number,
    layout,
    indicator_label,
    gebiedcode,
    gebiednaam,
    gemeentecode,
    gebied,
    periode,
    period_code,
    waarde,
    is_suppressed,
    suppressed_as,
    eenheid
from versioned
where version_rank = 1
