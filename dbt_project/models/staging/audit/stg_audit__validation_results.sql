{#- Every expectation evaluated on a batch (audit.validation_result), with a short label for reports. The observed
    value is left out: for a failed column expectation it quotes sample values of the batch. -#}
with source as (
    select * from {{ source('audit', 'validation_result') }}
)

select
    validation_result_id,
    batch_id,
    suite,
    -- The raw table the suite validates (suite raw_<table>): a batch may land rows in several raw tables (a CBS
    -- batch: observations, table info, properties, dimension codes), each validated with its own suite.
    case when suite like 'raw\_%' then substr(suite, 5) end as validated_table,
    expectation,
    column_name,
    -- e.g. expect_column_values_to_be_between(value); compound expectations name their columns comma-separated.
    expectation || coalesce('(' || column_name || ')', '') as expectation_label,
    kwargs,
    success as is_success,
    unexpected_count,
    severity,
    -- Only a failed error-severity (GX critical) expectation fails a batch; warnings and info are on record only.
    severity = 'error' as is_blocking,
    run_at
from source
