-- INCLUDE columns are part of a generated index name.
create table t (a int not null, b int not null, unique (a) include (b));
create table u (a int not null, b int not null);
alter table u add constraint uu unique (a) include (b);
create unique index on u (a, b) nulls not distinct with (fillfactor = 70);
