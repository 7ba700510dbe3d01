-- The toolkit's version table, as Alembic creates it: inside the audit schema, never the
-- application's alembic_version. Used where a revision runs without Alembic's runner (the SQL of
-- plan, and the application's own Alembic revisions).
create table {version_table} (
    version_num varchar(32) not null,
    constraint schema_version_pkc primary key (version_num)
);
insert into {version_table} (version_num) values ({revision});
