-- Column changes on a partitioned table reach every partition.
create table p (a int) partition by list (a);
create table p1 partition of p for values in (1);
create table p2 (a int);
alter table p attach partition p2 for values in (2);
alter table p add column b text not null, add unique (b, a);
alter table p add column c int;
alter table p alter column c type bigint;
alter table p rename column c to cc;
alter table p drop column cc;
alter table p alter column b drop not null;
alter table p alter column a set not null;
