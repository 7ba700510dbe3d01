-- PostgreSQL 18's named NOT NULL constraints.
-- PostgreSQL 18 only
create table t (a int, b int, c int not null, constraint named_nn not null a);
alter table t add constraint b_nn not null b;
alter table t drop constraint t_c_not_null;
create table p (a int, b int) partition by list (a);
create table p1 partition of p for values in (1);
alter table p add constraint bnn not null b;
alter table p drop constraint bnn;
