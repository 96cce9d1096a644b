-- Every raw row belongs to a registered batch: checked once per statement instead of once per row.
--
-- A foreign key checks each row of a COPY on its own (a lookup in audit.load_batch per row): for a Werkplein export
-- that was 60 % of the whole COPY (docs/benchmarks.md). The same rule, held per statement: after an INSERT or COPY
-- (and an UPDATE) on a raw table, its batches are key-share locked as the foreign key locked them (so a concurrent
-- delete of one waits and then sees the rows) and one anti-join checks them; a batch that still has raw rows cannot
-- be deleted or truncated away (batch ids are generated always: never renumbered). The rows a statement brings are
-- all checked, as before; a violation raises foreign_key_violation and rolls the statement back, as before.

create or replace function audit.raw_rows_have_a_batch() returns trigger
language plpgsql as $$
declare
    missing bigint;
begin
    perform 1 from audit.load_batch where batch_id in (select distinct batch_id from new_rows) for key share;
    select n.batch_id into missing
    from (select distinct batch_id from new_rows) as n
    where not exists (select 1 from audit.load_batch as b where b.batch_id = n.batch_id)
    limit 1;
    if found then
        raise foreign_key_violation using
            message = format('%s.%s: batch_id %s is not in audit.load_batch', tg_table_schema, tg_table_name, missing),
            hint = 'rows reach raw only through the loader, which registers the batch first';
    end if;
    return null;
end $$;

create or replace function audit.batch_without_raw_rows() returns trigger
language plpgsql as $$
declare
    raw_table record;
    used boolean;
begin
    -- From the catalogue, not information_schema (which hides tables the current role has no privilege on).
    for raw_table in
        select c.relname from pg_attribute as a
        join pg_class as c on c.oid = a.attrelid
        join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'raw' and c.relkind in ('r', 'p') and a.attname = 'batch_id' and not a.attisdropped
    loop
        if tg_op = 'TRUNCATE' then
            execute format('select exists (select 1 from raw.%I)', raw_table.relname) into used;
        else
            execute format('select exists (select 1 from raw.%I where batch_id = $1)', raw_table.relname)
                into used using old.batch_id;
        end if;
        if used then
            raise foreign_key_violation using
                message = format('audit.load_batch: %s still has rows in raw.%s',
                                 case when tg_op = 'TRUNCATE' then 'a batch' else 'batch ' || old.batch_id end,
                                 raw_table.relname);
        end if;
    end loop;
    return old;
end $$;

do $$
declare
    fk record;
begin
    for fk in
        select con.conname, cls.relname
        from pg_constraint as con
        join pg_class as cls on cls.oid = con.conrelid
        join pg_namespace as ns on ns.oid = cls.relnamespace
        where con.contype = 'f' and ns.nspname = 'raw' and con.confrelid = 'audit.load_batch'::regclass
    loop
        execute format('alter table raw.%I drop constraint %I', fk.relname, fk.conname);
        -- One trigger per event: PostgreSQL allows transition tables only on a trigger with a single event.
        execute format('create trigger rows_have_a_batch_on_insert after insert on raw.%I'
                       ' referencing new table as new_rows for each statement'
                       ' execute function audit.raw_rows_have_a_batch()', fk.relname);
        execute format('create trigger rows_have_a_batch_on_update after update on raw.%I'
                       ' referencing new table as new_rows for each statement'
                       ' execute function audit.raw_rows_have_a_batch()', fk.relname);
    end loop;
end $$;

create trigger batch_without_raw_rows before delete on audit.load_batch
    for each row execute function audit.batch_without_raw_rows();
create trigger no_batch_truncated_under_raw_rows before truncate on audit.load_batch
    for each statement execute function audit.batch_without_raw_rows();
