-- SET ROLE: the role owns what it creates, and its own schema comes first on the path.
create schema @app@ authorization @app@;
grant create on schema public to @app@;
set role @app@;
create table t (a int);
create table @app@.u (a int);
reset role;
create table v (a int);
