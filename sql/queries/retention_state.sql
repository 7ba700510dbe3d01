-- The toolkit's retention settings: partition interval, retention classes (revision 0002 on),
-- and whether the log holds any row at all (the interval may change only while it is empty).
select s.partition_interval,
       exists (select 1 from {schema}.log_rows),
       (select count(*) from {schema}.log_rows_default)
from {schema}.settings as s
