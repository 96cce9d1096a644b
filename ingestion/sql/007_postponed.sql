-- A file that was still being written is postponed to the next run, never published (ingestion/files/drop.py): its size
-- or modification time changed while it was read, or it changed less than FILE_SETTLE_SECONDS ago. The batch keeps
-- no rows; the file stays in the drop folder and the next run reads it whole.
alter table audit.load_batch drop constraint load_batch_status_check;
alter table audit.load_batch add constraint load_batch_status_check
    check (status in ('loading', 'loaded', 'published', 'failed', 'unchanged', 'rejected', 'postponed'));
comment on column audit.load_batch.status is
    'loading, loaded (waiting for validation), published, failed, unchanged (same content as an earlier batch), '
    'rejected (the file could not be loaded at all) or postponed (the file was still being written)';
