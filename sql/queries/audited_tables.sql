-- The registry: what pgaudit-kit installed on each audited table. Columns added by later toolkit
-- revisions are read from the whole row as jsonb, so this query works on every revision.
select relid, table_name, partitioned, key_columns, policies, columns,
       array_remove(array[statement_function::text, row_function::text, truncate_function::text], null),
       triggers, fingerprint, installed_at, to_jsonb(t)
from {schema}.audited_tables as t
order by table_name
