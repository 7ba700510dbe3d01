-- The guard: event triggers that refuse DDL which would silence or erase the trail, and record
-- DDL on audited tables (see guard_sql_drop and guard_ddl_command_end). Creating event triggers
-- needs a superuser; their functions stay owned by the owner role.
create event trigger {guard_sql_drop} on sql_drop
    execute function {schema}.guard_sql_drop();
create event trigger {guard_ddl_command_end} on ddl_command_end
    execute function {schema}.guard_ddl_command_end();
