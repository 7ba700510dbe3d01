-- An admin role runs the trail's upkeep (seal, maintain, purge, legal holds, key rotation) and
-- reads what an auditor reads. It never sees key material and cannot write audit rows directly:
-- every one of these functions checks its own inputs and records what it did.
grant usage on schema {schema} to {role};
grant select on {schema}.log, {schema}.keys, {schema}.audited_tables, {schema}.blocks,
    {schema}.block_leaves, {schema}.holds, {schema}.retention_classes, {schema}.maintenance_runs,
    {schema}.redactions
    to {role};
grant execute on function {schema}.trigger_health(), {schema}.partitions(),
    {schema}.seal(bigint), {schema}.maintain(integer, boolean), {schema}.purge(boolean),
    {schema}.hold_add(text, text, timestamptz, timestamptz), {schema}.hold_release(integer, text),
    {schema}.rotate_key(), {schema}.premake_partitions(integer),
    {schema}.shred_key(integer, text), {schema}.redact(bigint, text)
    to {role};
