-- The alert cursor and the transaction horizon: rows from the one to the other are judged now.
select c.horizon, pg_snapshot_xmin(pg_current_snapshot())::text::bigint
from {schema}.alert_cursor as c
