-- An index on ONLY the parent is still given to partitions created later.
create table p (a int not null, b int) partition by list (a);
alter table only p add unique (a);
create table p1 partition of p for values in (1);
create unique index on only p (a, b);
create table p2 partition of p for values in (2);
drop table p1;
