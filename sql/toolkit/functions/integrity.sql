-- integrity: where the live audit schema differs from what pgaudit-kit made of it, beyond the
-- audit triggers (trigger_health): a function whose definition or owner no longer matches the
-- fingerprint recorded when pgaudit-kit created it ('function changed'), one recorded but gone
-- ('function missing'), one pgaudit-kit never made ('function added'), and a partition of an
-- audited table caught half detached by DETACH ... CONCURRENTLY, which the guard refused
-- ('detach pending'). status, check and report show each row; apply repairs the functions.
-- SECURITY DEFINER, granted to readers of the trail: it reads the fingerprints, which only the
-- owner may, and returns names only.
create or replace function {schema}.integrity()
returns table (kind text, object text, name text, detail text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
    select case when p.oid is null then 'function missing' else 'function changed' end,
           d.signature,
           d.name,
           case when p.oid is null then 'recorded by pgaudit-kit, no longer exists'
                else 'its definition or owner differs from the one pgaudit-kit installed' end
    from {schema}.function_digests as d
    left join pg_proc as p on p.oid = d.function_oid
    where p.oid is null or {schema}.function_digest(p.oid) <> d.digest
    union all
    select 'function added',
           format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
           p.proname::text,
           'in the audit schema, but not made by pgaudit-kit'
    from pg_proc as p
    join pg_namespace as n on n.oid = p.pronamespace
    where n.nspname = {schema_name}
      and not exists (select from {schema}.function_digests as d where d.function_oid = p.oid)
    union all
    select 'detach pending', i.inhrelid::regclass::text, null,
           format('a partition of audited table %s, half detached (DETACH ... CONCURRENTLY)',
                  t.table_name)
    from {schema}.audited_tables as t
    cross join lateral pg_partition_tree(t.relid::regclass) as p  -- without pending ones
    join pg_inherits as i on i.inhparent = p.relid and i.inhdetachpending
    order by 1, 2
$pgaudit$;
