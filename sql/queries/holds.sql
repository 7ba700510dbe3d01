-- Legal holds, active and released, oldest first (hold list, status, and verify, which compares
-- them with the sealed HOLD events).
select hold_id, reason, table_name, from_time, to_time, created_at, created_by, released_at,
       released_by, release_reason
from {schema}.holds
order by hold_id
