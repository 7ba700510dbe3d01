-- Views, materialized views, composite types and foreign tables, one of them a partition.
create table base (id int primary key);
create view v as select * from base;
create materialized view mv as select * from base;
create type comp as (a int);
create foreign data wrapper w; create server srv foreign data wrapper w;
create foreign table ft (a int) server srv;
create table p (a int) partition by list (a);
create foreign table fp partition of p for values in (1) server srv;
create table p2 partition of p for values in (2);
alter view v rename to v2;
