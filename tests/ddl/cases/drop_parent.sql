-- Dropping a partitioned table drops its partitions.
create table p (a int primary key) partition by list (a);
create table p1 partition of p for values in (1);
create table keep (a int);
drop table p;
