-- PostgreSQL checks EXECUTE on the parent's row-trigger function when it clones the trigger onto a
-- partition being created or attached, so the table's owner (and roles acting as it) may execute
-- it. Trigger functions cannot be called directly, and the guard refuses any other trigger that
-- uses it, so this grants no way to write or forge audit rows.
grant execute on function {function}() to {table_owner};
