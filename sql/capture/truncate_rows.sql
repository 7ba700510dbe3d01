-- truncate = "rows": every row this TRUNCATE removes, under its policies, read through the audited
-- table (the owner role is granted SELECT on it for this; row_security = off makes a table with
-- row-level security refuse rather than hide rows). A leaf's trigger takes its own rows only.
-- The reads below name the table and its columns as apply saw them, so first: the name must
-- still be the audited table (locked, so it cannot move until commit; a rename could leave it
-- to a view or a decoy), and its columns must be those capture was generated for (a column
-- renamed, added, dropped or retyped would be missed, misnamed or rendered through casts its
-- new type's owner may add). Otherwise the TRUNCATE is refused until apply regenerates capture.
lock table {table} in access share mode;
if {table_regclass}::regclass is distinct from coalesce(pg_partition_root(tg_relid), tg_relid)
   or not exists (
       select 1 from {schema}.audited_tables as a
       where a.relid = {table_regclass}::regclass
         and a.capture_mode = 'fast'
         and a.attnums = (select jsonb_object_agg(t.attname, t.attnum)
                          from pg_attribute as t
                          where t.attrelid = a.relid and t.attnum > 0 and not t.attisdropped))
then
    raise exception 'pgaudit-kit: TRUNCATE of % is refused: the table was renamed or replaced, or its columns changed, since pgaudit-kit apply', {table_name}
        using errcode = 'object_not_in_prerequisite_state',
              hint = 'run pgaudit-kit apply, which regenerates its capture (DELETE is audited meanwhile)';
end if;
{read_key}
insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                          login_role, effective_role, application_name, client_addr,
                          request_id, trace_id, key_id)
select v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', {table_name},
       {key_old},
       {image_old},
       v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
       v_trace_id, v_key_id
from {table} as o
where o.tableoid = tg_relid;
