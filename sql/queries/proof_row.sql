-- One row for a proof, in the same layout as verify_rows.sql.
copy (
    select id, txid, tx_time, stmt_time, op, table_name, changed_columns, login_role,
           effective_role, application_name, client_addr, request_id, trace_id, key_id,
           row_key, old_values, new_values
    from {schema}.log_rows
    where id = {row_id}
) to stdout
