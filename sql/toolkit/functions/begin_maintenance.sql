-- begin_maintenance: opens a maintenance window for the current transaction only. Owner-only (no
-- grants): a role that could call it could silence the guard.
create or replace function {schema}.begin_maintenance(p_command text) returns void
language sql
begin atomic
    insert into {schema}.maintenance (txid, command)
    values (pg_catalog.pg_current_xact_id()::text::bigint, p_command)
    on conflict (txid) do nothing;
end;
