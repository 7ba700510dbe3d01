create or replace trigger pgaudit_truncate {truncate_timing} truncate on {leaf}
    for each statement execute function {truncate_function}();
alter table {leaf} enable always trigger pgaudit_truncate;
