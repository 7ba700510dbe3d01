-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on {table}
    referencing new table as new_rows
    for each statement execute function {statement_function}();
create or replace trigger pgaudit_delete after delete on {table}
    referencing old table as old_rows
    for each statement execute function {statement_function}();
create or replace trigger pgaudit_update after update on {table}
    for each row execute function {row_function}();
create or replace trigger pgaudit_truncate {truncate_timing} truncate on {table}
    for each statement execute function {truncate_function}();
alter table {table}
    enable always trigger pgaudit_insert,
    enable always trigger pgaudit_delete,
    enable always trigger pgaudit_update,
    enable always trigger pgaudit_truncate;
