-- Unique, non-partial, non-expression indexes of the given tables: primary key first.
select i.indrelid, i.indisprimary, i.indisreplident,
       array(select a.attname::text
             from unnest(i.indkey) with ordinality as k(attnum, ord)
             join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
             order by k.ord) as columns,
       bool_and(a2.attnotnull) as all_not_null,
       ic.relname
from pg_catalog.pg_index i
join pg_catalog.pg_class ic on ic.oid = i.indexrelid
join pg_catalog.pg_attribute a2 on a2.attrelid = i.indrelid and a2.attnum = any(i.indkey)
where i.indrelid = any(%(oids)s) and i.indisunique and i.indpred is null and i.indexprs is null
  and i.indnkeyatts = i.indnatts
group by i.indrelid, i.indisprimary, i.indisreplident, i.indkey, ic.relname
order by i.indrelid, i.indisprimary desc, i.indisreplident desc, ic.relname
