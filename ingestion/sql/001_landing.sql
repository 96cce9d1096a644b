-- Landing zone and load audit: the base of write-audit-publish.
-- raw.*   append-only; every row carries the batch it arrived in.
-- audit.* one row per load attempt (audit.load_batch) and per expectation evaluated (audit.validation_result).

create schema if not exists raw;
create schema if not exists audit;

create table audit.load_batch (
    batch_id        bigint generated always as identity primary key,
    source          text        not null,                 -- cbs, uwv, kennispunt, werkplein, ...
    entity          text        not null,                 -- raw entity the batch lands in, e.g. cbs_observation
    source_ref      text        not null,                 -- CBS table id or file name
    request_params  jsonb       not null default '{}',    -- filter, select, urls fetched, ...
    source_mode     text        not null,                 -- recorded (bundled demo responses) or live
    logical_date    date,                                  -- the night this load belongs to (Airflow data interval)
    checksum        text,                                  -- sha256 of the landed content, for unchanged detection
    row_count       bigint,
    row_counts      jsonb       not null default '{}',    -- per raw table
    status          text        not null default 'loading'
        check (status in ('loading', 'loaded', 'published', 'failed', 'unchanged')),
    duplicate_of    bigint      references audit.load_batch (batch_id),
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    validated_at    timestamptz,
    message         text
);
create index load_batch_source_ref_idx on audit.load_batch (source, source_ref, batch_id desc);
comment on table audit.load_batch is
    'One row per load attempt. loading -> loaded -> published (validation passed) | failed; '
    'unchanged = same content as duplicate_of, nothing landed.';

create table audit.validation_result (
    validation_result_id bigint generated always as identity primary key,
    batch_id            bigint      not null references audit.load_batch (batch_id),
    suite               text        not null,
    expectation         text        not null,
    column_name         text,
    kwargs              jsonb       not null default '{}',
    success             boolean     not null,
    observed_value      jsonb,
    unexpected_count    bigint,
    severity            text        not null default 'error',
    run_at              timestamptz not null default now()
);
create index validation_result_batch_idx on audit.validation_result (batch_id);

-- CBS StatLine, v3 and v4 alike, in long form: one row per (response row, topic).
create table raw.cbs_observation (
    batch_id        bigint  not null references audit.load_batch (batch_id),
    table_id        text    not null,
    row_number      integer not null,          -- position in the response stream
    source_row_id   bigint,                    -- ID (v3) / Id (v4)
    region_code     text,                      -- padding stripped
    period_code     text,
    dimensions      jsonb   not null default '{}',  -- other dimensions: {"Geslacht": "T001038"}
    topic_key       text    not null,          -- as the API names it, e.g. Bijstandsuitkering_10
    measure_code    text,                      -- our name for it, from ingestion/config/cbs_tables.yml
    value           numeric,
    string_value    text,
    value_attribute text,                      -- NULL = ordinary value; Missing / secret / provisional flags
    primary key (batch_id, row_number, topic_key)
);

create table raw.cbs_table_info (
    batch_id            bigint not null references audit.load_batch (batch_id),
    table_id            text   not null,
    title               text,
    short_title         text,
    modified            timestamptz,
    meta_data_modified  timestamptz,
    period              text,
    frequency           text,
    summary             text,
    info                jsonb  not null,
    primary key (batch_id, table_id)
);

create table raw.cbs_data_property (
    batch_id    bigint  not null references audit.load_batch (batch_id),
    table_id    text    not null,
    position    integer,
    key         text    not null,
    type        text,
    title       text,
    description text,
    unit        text,
    decimals    integer,
    datatype    text,
    primary key (batch_id, table_id, key)
);

create table raw.cbs_dimension_code (
    batch_id    bigint not null references audit.load_batch (batch_id),
    table_id    text   not null,
    dimension   text   not null,
    key         text   not null,
    title       text,
    description text,
    status      text,                         -- Voorlopig / Definitief (periods)
    primary key (batch_id, table_id, dimension, key)
);
