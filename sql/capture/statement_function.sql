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
{context}
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
{bound_claims}
{read_key}
    if tg_op = 'INSERT' then
{insert_new}
    else
{insert_old}
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function {function}() owner to {owner};
revoke all on function {function}() from public;
