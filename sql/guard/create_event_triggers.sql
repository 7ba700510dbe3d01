-- The guard: event triggers that refuse DDL which would silence, erase or rewrite the trail, and
-- record DDL on audited tables (see guard_sql_drop, guard_ddl_command_end, guard_table_rewrite and
-- guard_leaf_triggers). Creating event triggers needs a superuser; their functions stay owned by
-- the owner role. ENABLE ALWAYS: they fire under session_replication_role = replica too.
create event trigger {guard_sql_drop} on sql_drop
    execute function {schema}.guard_sql_drop();
create event trigger {guard_ddl_command_end} on ddl_command_end
    execute function {schema}.guard_ddl_command_end();
create event trigger {guard_table_rewrite} on table_rewrite
    execute function {schema}.guard_table_rewrite();
create event trigger {guard_leaf_triggers} on ddl_command_end
    execute function {schema}.guard_leaf_triggers();
alter event trigger {guard_sql_drop} enable always;
alter event trigger {guard_ddl_command_end} enable always;
alter event trigger {guard_table_rewrite} enable always;
alter event trigger {guard_leaf_triggers} enable always;
