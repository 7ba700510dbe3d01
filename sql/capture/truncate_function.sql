-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function {function}() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{settings}as $pgaudit$
declare
{context}
{key_variables}
begin
{bound_claims}
{before_event}
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', {table_name},
            case when (tg_table_schema, tg_table_name) <> ({schema_of_table}, {name_of_table})
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function {function}() owner to {owner};
revoke all on function {function}() from public;
