-- What each publish was made of (ingestion/transform.py): a fingerprint of the published batches, the dbt project,
-- its vars and the report code. A night whose fingerprint equals the last full publish's has nothing new to build:
-- only data_quality (which reads the audit and the clock) is rebuilt and swapped in (scope 'data_quality').
alter table audit.marts_publication
    add column if not exists scope text not null default 'all' check (scope in ('all', 'data_quality')),
    add column if not exists inputs text;

comment on column audit.marts_publication.scope is
    'all: the whole shadow schema swapped into marts; data_quality: only marts.data_quality rebuilt (nothing new).';
comment on column audit.marts_publication.inputs is
    'sha256 of the published batch ids, the dbt project files, the dbt vars and the report code at build start.';
