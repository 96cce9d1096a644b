-- Raw retention (ingestion/operator/retention.py): a batch older than RAW_RETENTION_MONTHS that nothing reads any more loses
-- its raw rows, its quarantine rows and its quarantined file. Its audit.load_batch row stays (status as it was,
-- with purged_at), its validation results stay, and audit.retention_purge says what went, when and under which
-- policy: the audit trail of what retention removed.
alter table audit.load_batch add column if not exists purged_at timestamptz;
comment on column audit.load_batch.purged_at is
    'When raw retention removed the rows of this batch (null: its rows are in raw). See audit.retention_purge.';

create table if not exists audit.retention_purge (
    purge_id        bigint generated always as identity primary key,
    batch_id        bigint      not null references audit.load_batch (batch_id),
    purged_at       timestamptz not null default now(),
    reason          text        not null,   -- why nothing needed it, e.g. 'failed', 'superseded (published)'
    rows_removed    jsonb       not null,   -- per table: {"raw.werkplein_uitkering": 2665, "audit.quarantine": 3}
    files_removed   text[]      not null default '{}',  -- quarantined files deleted from the drop folder
    policy          jsonb       not null    -- {"months": 12, "keep": "in_use"}
);
create index if not exists retention_purge_batch_idx on audit.retention_purge (batch_id);
comment on table audit.retention_purge is
    'One row per batch whose rows raw retention removed (ingestion/operator/retention.py, DAG raw_retention).';
