-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column
-- images are gathered as jsonb (json has no ||) and stored as json, like every image.
create or replace function {function}() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{settings}as $pgaudit$
declare
    v_ctx {schema}.statement_context;
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[] := '{{}}';
    v_old jsonb;
    v_new jsonb;
    v_old_image json;
    v_new_image json;
begin
{read_key}
    if tg_op = 'UPDATE' then
{update_body}
    elsif tg_op = 'INSERT' then
{read_key_for_image}
        v_new_image := {image_new};
    else
{read_key_for_image}
        v_old_image := {image_old};
    end if;
    v_ctx := {schema}.statement_context();
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                              new_values, changed_columns, login_role, effective_role,
                              application_name, client_addr, request_id, trace_id, key_id)
    values (v_ctx.txid, transaction_timestamp(), statement_timestamp(), tg_op, {table_name},
            case when tg_op = 'INSERT'
                then {key_new}
                else {key_old}
            end,
            v_old_image, v_new_image, case when tg_op = 'UPDATE' then v_changed end,
            v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
            v_ctx.request_id, v_ctx.trace_id, v_key_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function {function}() owner to {owner};
revoke all on function {function}() from public;
