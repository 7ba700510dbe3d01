-- The stored leaves of the blocks the primary purged (their headers stay, as on the primary).
delete from {schema}.block_leaves where block_no = any(%(blocks)s)
