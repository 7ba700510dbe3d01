-- The connected role: superuser, name, and whether it may create roles (a managed service's
-- administrator, which installs everything but what needs a superuser).
select rolsuper, current_user, rolcreaterole from pg_catalog.pg_roles where rolname = current_user
