-- Partitions four levels deep.
create table l0 (id int, k int, primary key (id, k)) partition by range (k);
create table l1 partition of l0 for values from (0) to (100) partition by range (k);
create table l2 partition of l1 for values from (0) to (50) partition by range (k);
create table l3 partition of l2 for values from (0) to (10);
create table l3b partition of l2 for values from (10) to (50);
create table l1b partition of l0 for values from (100) to (200);
