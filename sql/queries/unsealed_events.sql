-- The trail's own events not sealed yet, in the layout of verify_rows.sql: pending purges and
-- hold changes, judged like sealed ones; they prove nothing until sealed.
copy (
    select id, txid, tx_time, stmt_time, op, table_name, changed_columns, login_role,
           effective_role, application_name, client_addr, request_id, trace_id, key_id,
           row_key, old_values, new_values
    from {schema}.log_rows
    where txid >= {horizon}
      and txid < pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint
      and op in ('PURGE', 'REDACT', 'HOLD', 'KEY', 'CONFIG')
    order by txid, id
) to stdout
