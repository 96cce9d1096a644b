{#- Handmatige indicatorwaarden from the newest published file of each onderwerp (delivery_key). The loader
    checked every row against the catalogue (code, gemeentecode, period window, unit) and derived the CBS period
    code. The same cell in files of two onderwerpen: the newer batch wins. An empty waarde with a toelichting is a
    period that was not measured: kept here, never a value in the marts. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name, delivery_key
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'handmatig' and entity = 'handmatig_waarde' and is_newest_of_delivery
),

waarden as (
    select * from {{ source('handmatig', 'handmatig_waarde') }}
),

renamed as (
    select
        waarden.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        published_batches.delivery_key as onderwerp,
        waarden.row_number as source_row_number,
        waarden.indicator_code,
        waarden.gemeentecode,
        waarden.periode,
        waarden.period_code,
        waarden.peildatum,
        waarden.waarde,
        waarden.waarde_label,
        waarden.eenheid,
        waarden.bron,
        waarden.toelichting,
        waarden.waarde is null and waarden.waarde_label is null as is_not_measured
    from waarden
    inner join published_batches on waarden.batch_id = published_batches.batch_id
),

-- rank(), not row_number(): a cell twice in one file stays twice and fails the uniqueness test instead of one
-- being dropped.
versioned as (
    select
        *,
        rank() over (partition by indicator_code, gemeentecode, period_code order by batch_id desc) as version_rank
    from renamed
)

select
    batch_id,
    loaded_at,
    source_mode,
    file_name,
    onderwerp,
    source_row_number,
    indicator_code,
    gemeentecode,
    periode,
    period_code,
    peildatum,
    waarde,
    waarde_label,
    eenheid,
    bron,
    toelichting,
    is_not_measured
from versioned
where version_rank = 1
