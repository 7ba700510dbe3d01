-- Who is connected, as the role checks of a command see it: the role, whether it is a superuser,
-- and which of the given roles it is a member of (directly or through other roles).
select r.rolname, r.rolsuper,
       array(
           select g.rolname::text
           from pg_catalog.pg_roles as g
           where g.rolname = any(%(names)s::text[])
             and pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER')
       )
from pg_catalog.pg_roles as r
where r.rolname = current_user
