-- Defaults, checks and storage options that do not change a column's shape.
create sequence s;
create table t (a int default nextval('s'::regclass) not null, b text default case when current_user is null then 'x' else 'y' end not null, c int check (c > 0) not null, d int[] default array[]::int[] unique, e timestamp default (now() at time zone 'utc')) with (fillfactor = 70) tablespace pg_default;
alter table t add column id serial primary key;
