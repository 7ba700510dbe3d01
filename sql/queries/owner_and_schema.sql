-- Whether the owner role and the audit schema exist (before anything else is read).
select exists (select 1 from pg_catalog.pg_roles where rolname = %(owner)s),
       pg_catalog.to_regnamespace(%(schema)s) is not null
