-- Default privileges granting TRIGGER on future tables to the audit owner (see
-- privileges/default_trigger.sql), as (table owner, schema) pairs.
select pg_catalog.pg_get_userbyid(d.defaclrole), n.nspname
from pg_catalog.pg_default_acl d
join pg_catalog.pg_namespace n on n.oid = d.defaclnamespace
cross join pg_catalog.aclexplode(d.defaclacl) a
join pg_catalog.pg_roles r on r.oid = a.grantee
where d.defaclobjtype = 'r' and a.privilege_type = 'TRIGGER' and r.rolname = %(owner)s
