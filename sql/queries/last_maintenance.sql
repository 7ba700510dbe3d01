select started_at, finished_at, ok, summary from {schema}.maintenance_runs
order by run_id desc limit 1
