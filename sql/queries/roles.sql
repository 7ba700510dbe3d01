-- The configured roles that exist: superuser or not, and whether they are members of the owner
-- role (a member could write the trail).
select r.rolname, r.rolsuper,
       exists (select 1 from pg_catalog.pg_roles o
               where o.rolname = %(owner)s and pg_catalog.pg_has_role(r.oid, o.oid, 'MEMBER'))
from pg_catalog.pg_roles r
where r.rolname = any(%(names)s)
