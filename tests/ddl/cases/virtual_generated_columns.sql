-- Virtual generated columns, explicit and by default.
-- PostgreSQL 18 only
create table v (a int, b int generated always as (a * 2) virtual, c int generated always as (a * 3));
