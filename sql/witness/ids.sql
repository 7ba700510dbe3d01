-- Every row's id and time, in id order: the witness and the primary compare what each holds.
copy (select id, tx_time from {schema}.log_rows order by id) to stdout
