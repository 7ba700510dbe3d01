-- An investigator reads what an auditor reads, and may look audit rows up by the value of a
-- hashed column (lookup, which records each search). It never sees key material.
grant usage on schema {schema} to {role};
grant select on {schema}.log, {schema}.keys, {schema}.audited_tables, {schema}.blocks,
    {schema}.block_leaves, {schema}.holds, {schema}.retention_classes, {schema}.maintenance_runs,
    {schema}.redactions
    to {role};
grant execute on function {schema}.trigger_health(), {schema}.partitions(),
    {schema}.lookup(text, text, text)
    to {role};
