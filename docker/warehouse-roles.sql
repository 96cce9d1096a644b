-- Warehouse roles, applied by docker/airflow-init.sh on every deploy (idempotent).
-- PLACEHOLDER: the role model will be refined (BI login accounts, a least-privilege pipeline role).
--
-- bi_reader: read-only on the published marts, nothing else. NOLOGIN: BI accounts are separate login roles that
-- are granted membership (`grant bi_reader to <account>`), so no password lives here.
-- The marts schema is replaced by a rename on every publish (ingestion/transform.py), and grants belong to the
-- schema object, so transform.py grants again after each swap; this file covers a warehouse that already has marts.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'bi_reader') then
        create role bi_reader nologin;
    end if;
    if exists (select 1 from pg_namespace where nspname = 'marts') then
        grant usage on schema marts to bi_reader;
        grant select on all tables in schema marts to bi_reader;
    end if;
end
$$;
