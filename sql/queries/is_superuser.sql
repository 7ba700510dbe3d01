select rolsuper, current_user from pg_catalog.pg_roles where rolname = current_user
