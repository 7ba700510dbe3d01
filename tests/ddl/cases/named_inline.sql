-- Named inline constraints, retyping with USING, replica identity set and reset.
create table t (a int constraint t_pk primary key, b int constraint b_uq unique not null, c int);
alter table t add column d int not null constraint d_uq unique;
alter table t alter column c type varchar(10) using c::text, alter column c set not null;
alter table t add constraint c_key unique (c);
alter table t replica identity using index d_uq;
alter table t replica identity full;
