-- Data events per audited table, and the newest.
select table_name, count(*), max(tx_time)
from {schema}.log_rows
where op = any(%(data_ops)s)
group by table_name
