-- Ids more than one row holds (a forged row may copy a sealed row's id, and be sealed itself).
-- Built-in operators only; a hash aggregate over the ids, run while the workers hash rows.
select id, count(*) from {schema}.log_rows group by id having count(*) > 1 order by id limit 1000
