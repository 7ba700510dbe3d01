-- truncate = "rows": every row this TRUNCATE removes, under its policies, read through the audited
-- table (the owner role is granted SELECT on it for this; row_security = off makes a table with
-- row-level security refuse rather than hide rows). A leaf's trigger takes its own rows only.
{read_key}
insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                          login_role, effective_role, application_name, client_addr,
                          request_id, trace_id, key_id)
select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', {table_name},
       {key_old},
       {image_old},
       v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
       v_ctx.request_id, v_ctx.trace_id, v_key_id
from {table} as o
where o.tableoid = tg_relid;
