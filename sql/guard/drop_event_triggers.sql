-- Drops the guard's event triggers (apply recreates them; uninstall removes the guard).
drop event trigger if exists {guard_sql_drop};
drop event trigger if exists {guard_ddl_command_end};
drop event trigger if exists {guard_table_rewrite};
drop event trigger if exists {guard_leaf_triggers};
