-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function {function}() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{settings}as $pgaudit$
declare
    v_ctx {schema}.statement_context := {schema}.statement_context();
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
{read_key}
    if tg_op = 'INSERT' then
        insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                                  login_role, effective_role, application_name, client_addr,
                                  request_id, trace_id, key_id)
        select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'INSERT', {table_name},
               {key_new},
               {image_new},
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key_id
        from new_rows as n;
    else
        insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  login_role, effective_role, application_name, client_addr,
                                  request_id, trace_id, key_id)
        select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'DELETE', {table_name},
               {key_old},
               {image_old},
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key_id
        from old_rows as o;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function {function}() owner to {owner};
revoke all on function {function}() from public;
