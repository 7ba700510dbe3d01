-- record_event: writes one event that belongs to the trail itself (HOLD, PURGE...) to the log,
-- with who did it; it is sealed into the chain like any change.
create or replace function {schema}.record_event(p_op text, p_table_name text, p_details json)
returns void
language sql
begin atomic
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                                   effective_role, application_name, client_addr, request_id, trace_id)
    select c.txid, pg_catalog.transaction_timestamp(), pg_catalog.statement_timestamp(), p_op,
           p_table_name, p_details, c.login_role, c.effective_role, c.application_name,
           c.client_addr, c.request_id, c.trace_id
    from {schema}.statement_context() as c;
end;
