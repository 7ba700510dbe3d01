-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into {schema}.audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ({table_regclass}::regclass,
        {table_name},
        {partitioned},
        {key_columns},
        {policies}::jsonb,
        {columns}::jsonb,
        {statement_function_sig},
        {row_function_sig},
        {truncate_function_sig},
        {triggers},
        {fingerprint},
        {retention_class},
        {default_policy},
        {skip_unchanged},
        {update_images},
        {truncate_mode},
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = {table_regclass}::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{{}}')
         from pg_catalog.pg_partition_tree({table_regclass}::regclass) as p
         where p.relid <> {table_regclass}::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select {schema}.record_function_digests(array_remove(array[
    {statement_function_sig}::oid,
    {row_function_sig}::oid,
    {truncate_function_sig}::oid
], null));
