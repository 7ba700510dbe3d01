-- Columns of the given tables that are part of a foreign key (referencing side), in column order:
-- init and check read such columns as identifiers, not personal data.
select a.attrelid, a.attname
from pg_catalog.pg_attribute a
where a.attrelid = any(%(oids)s) and a.attnum > 0 and not a.attisdropped
  and exists (select from pg_catalog.pg_constraint c
              where c.conrelid = a.attrelid and c.contype = 'f' and a.attnum = any(c.conkey))
order by a.attrelid, a.attnum
