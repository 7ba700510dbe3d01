-- Renamed constraints and indexes, constraints made from an index (USING INDEX).
create table t (a int not null, b int not null);
alter table t add constraint first_key unique (a);
alter table t add constraint zero_key unique (b);
alter table t rename constraint first_key to zzz_key;
alter index zero_key rename to yyy_key;
alter table t drop constraint yyy_key;
create table u (a int not null);
create unique index u_idx on u (a);
alter table u add constraint u_named unique using index u_idx;
create table v (a int not null, b int);
create unique index v_idx on v (a);
alter table v add primary key using index v_idx;
