-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table {table} to {owner};
{lend_bypassrls}
set local role {owner};
set local row_security = off;
{settings}insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', {table_name},
       {key_new},
       {image_new},
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from {table} as n
cross join {schema}.statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from {schema}.hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
{take_back_bypassrls}
{take_back_select}
