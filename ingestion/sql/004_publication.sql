-- Every publish of the marts (ingestion/transform.py publish_marts): when BI got new marts. The nightly refresh
-- deadline (dags/refresh_deadline.py) asks whether one happened since the night began.
create table if not exists audit.marts_publication (
    publication_id  bigserial primary key,
    published_at    timestamptz not null default now(),
    relations       integer not null   -- tables and views in the published marts
);

comment on table audit.marts_publication is
    'One row per swap of marts_shadow into marts: the moment BI saw new marts (ingestion/transform.py).';
