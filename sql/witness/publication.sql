-- The primary's side of a witness: what it publishes. Inserts only, so no UPDATE, DELETE or
-- TRUNCATE run here, by anyone, ever reaches the witness; partitions go out as their root, so
-- the witness needs no partition of its own and a dropped partition drops nothing there.
create publication {publication}
    for table {schema}.log_rows, {schema}.blocks, {schema}.block_leaves, {schema}.settings
    with (publish = 'insert', publish_via_partition_root = true)
