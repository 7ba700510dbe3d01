-- Whether the role running apply may already act as the owner role (is a member of it).
select pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')
from pg_catalog.pg_roles as r
where r.rolname = %(owner)s
