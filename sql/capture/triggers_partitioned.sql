-- Triggers of a partitioned table: one row trigger on the parent, which PostgreSQL clones onto
-- every partition, including partitions created or attached later (a statement trigger on the
-- parent would miss statements that name a partition directly).
create or replace trigger pgaudit_row after insert or update or delete on {table}
    for each row execute function {row_function}();
alter table {table} enable always trigger pgaudit_row;
