-- Column comments in every kind of string literal; NULL and empty comments.
create table t (a int, b int, c int, d int);
comment on column t.a is E'first\nline pgaudit:hash';
comment on column t.b is 'one'
  ' pgaudit:mask:card';
comment on column public.t.c is $$dollar pgaudit:omit$$;
comment on column t.d is 'pgaudit:plain';
comment on column t.d is '';
comment on table t is 'pgaudit:hash';
