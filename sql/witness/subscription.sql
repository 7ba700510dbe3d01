-- The witness's side: a subscription to the primary's publication (copying what exists first).
-- It cannot run inside a transaction block: it creates the replication slot on the primary.
create subscription {subscription} connection {conninfo} publication {publication}
    with (copy_data = true)
