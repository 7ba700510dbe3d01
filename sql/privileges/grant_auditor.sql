-- An auditor reads the trail, the registry, blocks, holds, retention and key dates, and can check
-- trigger health; it can change nothing and never sees key material (hmac_keys is not granted,
-- keys is a view).
grant usage on schema {schema} to {role};
grant select on {schema}.log, {schema}.keys, {schema}.audited_tables, {schema}.blocks,
    {schema}.block_leaves, {schema}.holds, {schema}.retention_classes, {schema}.maintenance_runs,
    {schema}.redactions
    to {role};
grant execute on function {schema}.trigger_health(), {schema}.partitions() to {role};
