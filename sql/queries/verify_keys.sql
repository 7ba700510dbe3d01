-- Key dates (never material: the keys view), for verify to compare with the sealed KEY events.
select key_id, created_at, retired_at, shredded_at, shred_reason from {schema}.keys order by key_id
