-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function {function}() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{settings}as $pgaudit$
declare
{context}
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
{bound_claims}
{read_key}
    if tg_op = 'UPDATE' then
{update_body}
{insert_update}
    elsif tg_op = 'INSERT' then
{read_key_for_image}
{insert_new}
    else
{read_key_for_image}
{insert_old}
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function {function}() owner to {owner};
revoke all on function {function}() from public;
