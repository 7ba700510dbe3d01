-- Every privilege held in the audit schema by a role other than the object's owner, with
-- defaults made explicit (acldefault), so PUBLIC's implicit EXECUTE on functions shows up.
-- Row types of tables are left out: their default USAGE grants no access to data. Functions are
-- named with their argument types' pg_type names, as privileges.Grant names them: seal(int8).
select coalesce(pg_catalog.pg_get_userbyid(nullif(g.grantee, 0)), 'PUBLIC'), g.kind, g.object,
       g.privilege_type
from (
    select 'schema' as kind, n.nspname::text as object, a.grantee, a.privilege_type, n.nspowner as owner
    from pg_catalog.pg_namespace n,
         pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
    where n.oid = %(schema)s::regnamespace
  union all
    select case when c.relkind = 'S' then 'sequence' else 'table' end, c.relname::text, a.grantee,
           a.privilege_type, c.relowner
    from pg_catalog.pg_class c,
         pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault(
             case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner))) a
    where c.relnamespace = %(schema)s::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
  union all
    select 'function',
           p.proname || '(' || coalesce((
               select pg_catalog.string_agg(t.typname, ',' order by g.n)
               from unnest(p.proargtypes::oid[]) with ordinality as g(type, n)
               join pg_catalog.pg_type t on t.oid = g.type), '') || ')',
           a.grantee, a.privilege_type, p.proowner
    from pg_catalog.pg_proc p,
         pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
    where p.pronamespace = %(schema)s::regnamespace
  union all
    select 'type', t.typname::text, a.grantee, a.privilege_type, t.typowner
    from pg_catalog.pg_type t,
         pg_catalog.aclexplode(coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))) a
    where t.typnamespace = %(schema)s::regnamespace and t.typtype in ('c', 'd', 'e')
      and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
) g
where g.grantee <> g.owner
