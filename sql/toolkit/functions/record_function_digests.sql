-- record_function_digests: (re)records the fingerprint of the given functions of the audit schema
-- (all of them when NULL) in function_digests, and forgets functions that no longer exist.
create or replace function {schema}.record_function_digests(p_functions oid[] default null)
returns void
language sql
begin atomic
    insert into {schema}.function_digests as d (function_oid, name, signature, digest)
    select p.oid, p.proname,
           pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,
                             pg_catalog.pg_get_function_identity_arguments(p.oid)),
           {schema}.function_digest(p.oid)
    from pg_catalog.pg_proc as p
    join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
    where n.nspname = {schema_name} and (p_functions is null or p.oid = any(p_functions))
    on conflict (function_oid) do update
        set name = excluded.name, signature = excluded.signature, digest = excluded.digest,
            recorded_at = pg_catalog.now();
    delete from {schema}.function_digests as d
    where not exists (select from pg_catalog.pg_proc as p where p.oid = d.function_oid);
end;
