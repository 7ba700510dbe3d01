-- payload_digest: the hex SHA-256 of a log row's payload line as verify reads it (row_key,
-- old_values, new_values in COPY text, tab-separated), the value its leaf commits to (row_leaf).
-- Values render under the caller's settings: callers pin the canonical ones, as seal() does.
create or replace function {schema}.payload_digest(p_row {schema}.log_rows) returns text
language sql stable parallel safe
return pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    {schema}.copy_text(p_row.row_key::text) || E'\t' ||
    {schema}.copy_text(p_row.old_values::text) || E'\t' ||
    {schema}.copy_text(p_row.new_values::text), 'UTF8')), 'hex');
