-- The configured roles that exist: superuser or not, and whether they are members of the owner
-- role (a member could write the trail); and the owner role itself, whether it can log in or is
-- a superuser (then whoever logs in as it can rewrite and delete audit rows).
select r.rolname, r.rolsuper,
       exists (select 1 from pg_catalog.pg_roles o
               where o.rolname = %(owner)s and pg_catalog.pg_has_role(r.oid, o.oid, 'MEMBER')),
       r.rolcanlogin
from pg_catalog.pg_roles r
where r.rolname = any(%(names)s) or r.rolname = %(owner)s
