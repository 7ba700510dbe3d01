-- A renamed parent: new partitions name their indexes after themselves.
create table p (a int primary key) partition by list (a);
alter table p rename to q;
create table q1 partition of q for values in (1);
