-- Columns of the given tables, with each column's base type (domains resolved) and array
-- element type, so catalog.py can decide how to compare old and new values, and whether that base
-- type is built into PostgreSQL (below FirstNormalObjectId, 16384: nobody can add casts to it).
with recursive base(oid, root) as (
    select t.oid, t.oid from pg_catalog.pg_type t
    where t.oid in (select atttypid from pg_catalog.pg_attribute where attrelid = any(%(oids)s))
  union all
    select t.typbasetype, base.root from base join pg_catalog.pg_type t on t.oid = base.oid
    where t.typtype = 'd'
)
select a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attgenerated, bt.typname, bt.typtype, et.typname, et.typtype,
       pg_catalog.col_description(a.attrelid, a.attnum), bt.oid < 16384
from pg_catalog.pg_attribute a
join base b on b.root = a.atttypid
join pg_catalog.pg_type bt on bt.oid = b.oid and bt.typtype <> 'd'
left join pg_catalog.pg_type et on et.oid = bt.typelem and bt.typsubscript = 'array_subscript_handler'::regproc
where a.attrelid = any(%(oids)s) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
