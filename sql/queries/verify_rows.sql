-- Rows of a range of sealed transactions for verify: the header fields (chain.HEADER_COLUMNS),
-- then the payload fields last, so the verifier splits a line with three searches from the end.
-- Only built-in output functions run here: the verifier trusts no function of the audit schema.
copy (
    select id, txid, tx_time, stmt_time, op, table_name, changed_columns, login_role,
           effective_role, application_name, client_addr, request_id, trace_id, key_id,
           row_key, old_values, new_values
    from {schema}.log_rows
    where txid >= {lo} and txid < {hi}
    order by txid, id
) to stdout
