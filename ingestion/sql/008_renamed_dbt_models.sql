-- dbt models renamed when intermediate/ was grouped by subject (docs/architecture.md): int_indicator_values__cbs is
-- now int_cbs__indicator_values, int_indicator_feeds is int_indicator_values__feeds. dbt never drops the relation of
-- a model it no longer has, so the old ones would stay in intermediate with stale rows that nothing reads. Views that
-- still read them are dropped with them (cascade): every intermediate view is built again by the next dbt run, and
-- the marts are tables, which no intermediate view reads.
do $$
declare
    old record;
begin
    for old in
        select c.relname, c.relkind
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'intermediate' and c.relname in ('int_indicator_values__cbs', 'int_indicator_feeds')
    loop
        execute format(
            case old.relkind when 'v' then 'drop view if exists intermediate.%I cascade'
                             when 'm' then 'drop materialized view if exists intermediate.%I cascade'
                             else 'drop table if exists intermediate.%I cascade' end,
            old.relname);
    end loop;
end $$;
