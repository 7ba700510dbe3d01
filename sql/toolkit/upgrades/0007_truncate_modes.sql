-- Revision 0007 on an installed 0006: TRUNCATE chosen per table. 'statement' records one event
-- (what every table did before), 'rows' one audit row per removed row as well, 'refuse' stops a
-- TRUNCATE outside a maintenance window. rows and refuse fire BEFORE TRUNCATE, while the rows
-- still exist; trigger_health and the guard's partition triggers follow each table's mode.
alter table {schema}.audited_tables
    add column truncate_mode text not null default 'statement'
        check (truncate_mode in ('statement', 'rows', 'refuse'));
