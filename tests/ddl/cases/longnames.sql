-- Names cut to 63 bytes, and generated index names that must avoid taken ones.
create table a_very_long_table_name_that_goes_on_and_on_for_quite_a_while_xyz (a_very_long_column_name_that_also_goes_on_and_on_and_on_abc int unique not null, b int not null, c int not null, unique (b, c, a_very_long_column_name_that_also_goes_on_and_on_and_on_abc));
create table t_a (x int);
create table t (a int not null unique, "a_key" int);
create table u (a int not null); create table u_a_key (z int); alter table u add unique (a); alter table u add unique (a);
