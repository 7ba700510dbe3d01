-- REPLICA IDENTITY on a partitioned table concerns that table only.
create table p (a int primary key) partition by list (a);
create table p1 partition of p for values in (1);
create unique index pz on p (a);
alter table p replica identity using index pz;
