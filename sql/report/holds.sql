-- Legal holds still in force, for the report.
select h.hold_id, h.reason, h.table_name, h.from_time, h.to_time, h.created_at
from {schema}.holds as h
where h.released_at is null
order by h.hold_id
