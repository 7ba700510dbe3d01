-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', {table_name},
       {details}::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from {schema}.statement_context() as c;
