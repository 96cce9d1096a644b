{#- The UWV spanningsindicator per region, beroepsklasse and quarter, from the newest published file of each
    delivery (quarter). Region names become CBS codes (seeds/uwv_arbeidsmarktregio.csv); an empty typering is
    derived from the class bands (seeds/uwv_typering.csv). Should two deliveries hold the same quarter, the newer
    batch wins, as for CBS cells. -#}
with published_batches as (
    select batch_id, loaded_at, source_mode, file_name, delivery_key
    from {{ ref('stg_audit__published_batches') }}
    where source_system = 'uwv' and entity = 'uwv_spanningsindicator' and is_newest_of_delivery
),

spanningsindicator as (
    select * from {{ source('uwv', 'uwv_spanningsindicator') }}
),

regions as (
    select * from {{ ref('uwv_arbeidsmarktregio') }}
),

bands as (
    select * from {{ ref('uwv_typering') }}
),

renamed as (
    select
        spanningsindicator.batch_id,
        published_batches.loaded_at,
        published_batches.source_mode,
        published_batches.file_name,
        published_batches.delivery_key,
        spanningsindicator.row_number as source_row_number,
        spanningsindicator.arbeidsmarktregio,
        regions.region_code,
        spanningsindicator.beroepsklasse,
        spanningsindicator.periode,
        spanningsindicator.period_code,
        spanningsindicator.spanningsindicator,
        spanningsindicator.typering as delivered_typering
    from spanningsindicator
    inner join published_batches on spanningsindicator.batch_id = published_batches.batch_id
    left join regions on lower(trim(spanningsindicator.arbeidsmarktregio)) = lower(regions.arbeidsmarktregio)
),

classified as (
    select
        renamed.*,
        bands.typering as band_typering
    from renamed
    left join bands
        on (bands.lower_bound is null or renamed.spanningsindicator >= bands.lower_bound)
        and (bands.upper_bound is null or renamed.spanningsindicator < bands.upper_bound)
),

-- rank(), not row_number(): a row twice in one file stays twice and fails the uniqueness test.
versioned as (
    select
        *,
        rank() over (
            partition by region_code, arbeidsmarktregio, beroepsklasse, period_code
            order by batch_id desc
        ) as version_rank
    from classified
)

select
    batch_id,
    loaded_at,
    source_mode,
    file_name,
    delivery_key,
    source_row_number,
    arbeidsmarktregio,
    region_code,
    beroepsklasse,
    periode,
    period_code,
    spanningsindicator,
    coalesce(delivered_typering, band_typering) as typering,
    case
        when delivered_typering is not null then 'geleverd'
        when band_typering is not null then 'afgeleid'
    end as typering_herkomst,
    band_typering as typering_volgens_klassegrenzen
from versioned
where version_rank = 1
