-- Key ids and their dates (never key material: the keys view has none).
select k.key_id, k.created_at, k.retired_at, k.shredded_at, k.shred_reason
from {schema}.keys as k
order by k.key_id
