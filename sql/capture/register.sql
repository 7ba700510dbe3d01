-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; registering (re)starts fast capture.
insert into {schema}.audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, attnums)
values ({table_regclass}::regclass, {table_name}, {partitioned}, {key_columns}, {policies}::jsonb,
        {columns}::jsonb, {statement_function_sig}, {row_function_sig}, {truncate_function_sig},
        {triggers}, {fingerprint}, {retention_class}, {default_policy}, {skip_unchanged},
        {update_images},
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = {table_regclass}::regclass and a.attnum > 0 and not a.attisdropped))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    attnums = excluded.attnums, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
