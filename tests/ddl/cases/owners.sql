-- OWNER TO, which partitions do not inherit.
create table t (a int); alter table t owner to @app@;
create table p (a int) partition by list (a); alter table p owner to @other@;
create table p1 partition of p for values in (1); alter table p1 owner to @app@;
