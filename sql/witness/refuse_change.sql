-- The witness keeps what it received: an UPDATE, DELETE or TRUNCATE is refused, also one that
-- replication would apply (ENABLE ALWAYS: the apply worker runs with session_replication_role
-- = replica, under which ordinary triggers stay silent). A primary whose publication was changed
-- to send deletes stops replicating instead of erasing the witness. The one exception is witness
-- maintain, which deletes the rows and leaves of blocks the primary purged and its verify accepted
-- (it sets pgaudit_witness.purging in its own transaction; replication never does).
create or replace function {schema}.refuse_change() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
    if tg_op = 'DELETE' and tg_table_name in ('log_rows', 'block_leaves')
       and current_setting('pgaudit_witness.purging', true) = 'on' then
        return old;
    end if;
    raise exception 'pgaudit-kit witness: % on %.% refused: the witness keeps what it received',
        tg_op, tg_table_schema, tg_table_name using errcode = 'insufficient_privilege';
end
$$;
revoke all on function {schema}.refuse_change() from public;
