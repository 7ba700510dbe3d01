-- Archives recorded (archive_record) and the sealed blocks no archive holds yet: what status
-- shows beside retention, and what purge of a tiered class waits for.
with recorded as (
    select count(*) as archives, max(a.last_block) as last_block, max(a.recorded_at) as last_recorded
    from {schema}.archives as a
)
select r.archives, r.last_block, r.last_recorded,
       (select count(*) from {schema}.blocks as b
        where b.block_no > coalesce(r.last_block, 0)) as blocks_behind,
       (select min(b.sealed_at) from {schema}.blocks as b
        where b.block_no > coalesce(r.last_block, 0)) as oldest_unarchived
from recorded as r
