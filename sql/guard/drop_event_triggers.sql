drop event trigger if exists {guard_sql_drop};
drop event trigger if exists {guard_ddl_command_end};
