-- The audit schema, owned by the owner role from the start.
create schema {schema} authorization {owner};
