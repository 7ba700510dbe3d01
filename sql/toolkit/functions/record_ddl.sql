-- record_ddl: writes one DDL event (op DDL) to the log: who changed the structure of an audited
-- table, with the command tag and object. Called only by the guard's event-trigger functions.
create or replace function {schema}.record_ddl(p_table_name text, p_command_tag text, p_object_identity text)
returns void
language sql
begin atomic
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    select c.txid, pg_catalog.transaction_timestamp(), pg_catalog.statement_timestamp(), 'DDL',
           p_table_name,
           pg_catalog.json_build_object('command_tag', p_command_tag, 'object_identity', p_object_identity),
           c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id, c.trace_id
    from {schema}.statement_context() c;
end;
