-- The toolkit's retention settings: partition interval, and whether the log holds any row at all
-- (the interval may change only while it is empty), and how many rows wait in the default
-- partition (read through the parent, which readers of the trail may read).
select s.partition_interval,
       exists (select 1 from {schema}.log_rows),
       (select count(*) from {schema}.log_rows as l
        where l.tableoid = pg_catalog.to_regclass({default_partition}))
from {schema}.settings as s
