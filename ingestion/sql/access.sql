-- Who may read what. Not a numbered migration: ingestion/warehouse.py applies it on every migrate, after the
-- numbered ones, so a restored or copied warehouse gets its access back. Every statement is idempotent.
--
-- bi_reader: the BI dashboards' group role. It reads the published marts (schema `marts`) and nothing else: not
-- raw (personal data, pseudonymised or not), staging, intermediate, audit (quarantine records), reference (the
-- seeds), the shadow build or the previous marts. NOLOGIN: BI accounts are login roles granted membership
-- (`grant bi_reader to <account>`); `migrate` creates one from BI_LOGIN_NAME / BI_LOGIN_PASSWORD when set.
-- The marts schema is replaced by a rename on every publish: ingestion/transform.py grants on the new one inside
-- the swap's transaction, so BI never sees a marts without its grants.

-- Roles are cluster-wide while the advisory lock of migrate is per database: migrates of several databases of one
-- cluster (the tests) race here. CREATE ROLE has no IF NOT EXISTS; the loser of the race gets duplicate_object,
-- or unique_violation on pg_authid.
do $$
begin
    if not exists (select from pg_roles where rolname = 'bi_reader') then
        create role bi_reader nologin;
    end if;
exception when duplicate_object or unique_violation then
    null;  -- created meanwhile by the migrate of another database in this cluster
end
$$;

-- The database: PostgreSQL lets every role connect and create temporary tables. Here only bi_reader members (and
-- the owner, the pipeline) connect, and nobody but the owner creates anything, temporary tables included.
do $$
begin
    execute format('revoke all on database %I from public', current_database());
    execute format('grant connect on database %I to bi_reader', current_database());
end
$$;

-- Schema public: unused by the warehouse; before PostgreSQL 15 everyone could create tables in it.
do $$
begin
    if exists (select from pg_namespace where nspname = 'public') then
        revoke all on schema public from public;
    end if;
end
$$;

-- The layers below the marts grant nothing to anyone but their owner. dbt creates staging, intermediate and
-- reference on its first build; creating them here first puts them under this rule from the start.
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists reference;
revoke all on schema raw, audit, staging, intermediate, reference from public, bi_reader;
revoke all on all tables in schema raw, audit, staging, intermediate, reference from public, bi_reader;
revoke all on all sequences in schema raw, audit from public, bi_reader;

-- The marts: read-only for bi_reader (here for a warehouse that already has marts; transform.py does it on every
-- publish). The previous marts and the shadow build are not for BI.
do $$
begin
    if exists (select from pg_namespace where nspname = 'marts') then
        grant usage on schema marts to bi_reader;
        grant select on all tables in schema marts to bi_reader;
    end if;
    if exists (select from pg_namespace where nspname = 'marts_previous') then
        revoke all on schema marts_previous from bi_reader;
    end if;
    if exists (select from pg_namespace where nspname = 'marts_shadow') then
        revoke all on schema marts_shadow from bi_reader;
    end if;
end
$$;

-- The programme report (ingestion/report) reads the marts exactly as BI does: the pipeline's own connection
-- switches to bi_reader (SET ROLE), so it needs no login of its own. A superuser may already; any other owner
-- becomes a member (it keeps its own rights; bi_reader gains nothing). Where the owner may not grant bi_reader
-- (PostgreSQL 16+ without ADMIN on it) the report says so and how to fix it.
do $$
begin
    if not pg_has_role(current_user, 'bi_reader', 'member') then
        execute format('grant bi_reader to %I', current_user);
    end if;
exception when insufficient_privilege then
    raise notice 'cannot grant bi_reader to %: the programme report needs `grant bi_reader to %`', current_user, current_user;
end
$$;
