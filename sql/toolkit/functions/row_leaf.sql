-- row_leaf: the leaf hash of one log row, format 1 (chain.py): SHA-256(0x00 || leaf line), the
-- leaf line being the header fields in COPY text followed by the hex SHA-256 of the payload line.
-- Values render under the caller's settings: only seal() calls it, with the canonical ones pinned.
-- Every value is its type's output function, as COPY writes it: ::text is the same for these
-- types except inet, whose text cast appends the mask (192.168.0.1/32), so format('%s') is used.
create or replace function {schema}.row_leaf(p_row {schema}.log_rows) returns bytea
language sql stable parallel safe
return pg_catalog.sha256('\x00'::bytea || pg_catalog.convert_to(
    {schema}.copy_text(p_row.id::text) || E'\t' ||
    {schema}.copy_text(p_row.txid::text) || E'\t' ||
    {schema}.copy_text(p_row.tx_time::text) || E'\t' ||
    {schema}.copy_text(p_row.stmt_time::text) || E'\t' ||
    {schema}.copy_text(p_row.op) || E'\t' ||
    {schema}.copy_text(p_row.table_name) || E'\t' ||
    {schema}.copy_text(p_row.changed_columns::text) || E'\t' ||
    {schema}.copy_text(p_row.login_role) || E'\t' ||
    {schema}.copy_text(p_row.effective_role) || E'\t' ||
    {schema}.copy_text(p_row.application_name) || E'\t' ||
    {schema}.copy_text(nullif(pg_catalog.format('%s', p_row.client_addr), '')) || E'\t' ||
    {schema}.copy_text(p_row.request_id) || E'\t' ||
    {schema}.copy_text(p_row.trace_id) || E'\t' ||
    {schema}.copy_text(p_row.key_id::text) || E'\t' ||
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
        {schema}.copy_text(p_row.row_key::text) || E'\t' ||
        {schema}.copy_text(p_row.old_values::text) || E'\t' ||
        {schema}.copy_text(p_row.new_values::text), 'UTF8')), 'hex'),
    'UTF8'));
