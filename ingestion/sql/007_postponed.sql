-- A file that was still being written is postponed to the next run, never published (ingestion/files.py): its size
-- or modification time changed while it was read, or it changed less than FILE_SETTLE_SECONDS ago. The batch keeps
-- no rows; the file stays in the drop folder and the next run reads it whole.
alter table audit.load_batch drop constraint load_batch_status_check;
alter table audit.load_batch add constraint load_batch_status_check
    check (status in ('loading', 'loaded', 'published', 'failed', 'unchanged', 'rejected', 'postponed'));
