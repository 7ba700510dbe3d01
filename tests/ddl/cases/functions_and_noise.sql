-- Statements that change no table: functions (BEGIN ATOMIC too), triggers, grants, policies.
create function f() returns trigger language plpgsql as $$ begin new.a := 1; return new; end $$;
create function g(int) returns int language sql begin atomic; select 1; select case when true then 2 end; end;
create or replace function h() returns int begin atomic select 1; end;
create table t (a int);
create trigger tr before insert on t for each row execute function f();
grant select on t to public;
revoke all on t from public;
create sequence sq;
create index ti on t (a);
alter table t enable row level security;
create policy p on t using (true);
alter table t alter column a set statistics 100, alter column a set storage plain;
alter table t cluster on ti;
alter table t set (fillfactor = 70);
select pg_catalog.setval('sq', 1, false);
insert into t values (1);
analyze t;
