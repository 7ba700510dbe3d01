-- One INSERT of audit rows, the same on every capture path: the context and key variables come
-- from capture/context.sql and the key read; the generator fills in the rest.
insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                          new_values, changed_columns, login_role, effective_role,
                          application_name, client_addr, request_id, trace_id, key_id)
select v_txid, transaction_timestamp(), statement_timestamp(), {op}, {table_name},
       {row_key},
       {old_values},
       {new_values},
       {changed_columns}, v_login_role, v_effective_role, v_application_name, v_client_addr,
       v_request_id, v_trace_id, v_key_id{rows};
