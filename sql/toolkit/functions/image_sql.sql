-- image_sql: the SQL expression of a jsonb object holding each live column of a table (virtual
-- generated ones left out, as capture leaves them out) under the record alias p_record: its value
-- as json (p_typed), or its text. Generic capture splices both into the bodies it writes when a
-- table's columns change: values are stored from the first, hashes and masks computed from the
-- second. The rule of generate.rendered_text: a built-in type (domains resolved) is its own json
-- and its text cast, a created type only the text of its output function (text_of), so that no
-- cast its owner added is ever called, and the same value gives the same token in fast and
-- generic capture. jsonb_build_object takes at most 100 arguments: wide tables are joined.
create or replace function {schema}.image_sql(p_relid oid, p_record text, p_typed boolean)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $pgaudit$
    with recursive columns as (
        select a.attnum, a.attname, a.atttypid
        from pg_attribute as a
        where a.attrelid = p_relid and a.attnum > 0 and not a.attisdropped
          and a.attgenerated <> 'v'
    ), base (attnum, typid, typtype) as (
        select c.attnum, t.oid, t.typtype
        from columns as c join pg_type as t on t.oid = c.atttypid
        union all
        select b.attnum, t.oid, t.typtype
        from base as b
        join pg_type as d on d.oid = b.typid and b.typtype = 'd'
        join pg_type as t on t.oid = d.typbasetype
    ), rendered as (
        select c.attnum, (row_number() over (order by c.attnum) - 1) / 50 as chunk,
               format('%L, %s', c.attname, case
                   when b.typid < 16384 and p_typed then format('%s.%I', p_record, c.attname)
                   when b.typid < 16384 then format('%s.%I::text', p_record, c.attname)
                   else format('%s.text_of(%s.%I)', quote_ident({schema_name}), p_record, c.attname)
               end) as pair
        from columns as c
        join base as b on b.attnum = c.attnum and b.typtype <> 'd'
    )
    select coalesce(string_agg(x.call, ' || ' order by x.chunk), '''{{}}''::jsonb')
    from (
        select r.chunk,
               'pg_catalog.jsonb_build_object(' || string_agg(r.pair, ', ' order by r.attnum) || ')'
                   as call
        from rendered as r
        group by r.chunk
    ) as x
$pgaudit$;
