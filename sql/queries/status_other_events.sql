-- Events that are not data changes (CONFIG, DDL, KEY...).
select count(*) from {schema}.log_rows where op <> all(%(data_ops)s)
