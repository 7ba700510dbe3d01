-- The rows one block should hold (its transaction range and bucket), to diagnose a failed block.
copy (
    select id, txid, tx_time, stmt_time, op, table_name, changed_columns, login_role,
           effective_role, application_name, client_addr, request_id, trace_id, key_id,
           row_key, old_values, new_values
    from {schema}.log_rows
    where txid >= {lo} and txid < {hi}
      and tx_time >= {bucket_start}::timestamptz and tx_time < {bucket_end}::timestamptz
    order by txid, id
) to stdout
