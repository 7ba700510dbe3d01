-- Revision 0002 on an installed 0001: tables gain a retention class (existing ones: default), and
-- premake_partitions is recreated below with its parameter renamed (p_months -> p_ahead, now that
-- the interval may be a day or a week), which CREATE OR REPLACE cannot do.
alter table {schema}.audited_tables add column retention_class text not null default 'default';
drop function {schema}.premake_partitions(integer);
alter table {schema}.blocks add column table_names text[];
