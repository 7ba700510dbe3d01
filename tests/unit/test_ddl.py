"""ddl.read_ddl, statement by statement, without a server.

The expected values are what PostgreSQL 15 and 18 store for the same DDL (observed on both);
tests/db/test_ddl_matches_catalog.py keeps checking such files against the live catalog.
"""

from __future__ import annotations

import pytest

from pgaudit_kit.catalog import Column, Relation, TableModel
from pgaudit_kit.ddl import read_ddl
from pgaudit_kit.errors import InputError
from pgaudit_kit.identifiers import QualifiedName, parse_qualified_name


def table(ddl: str, name: str = "public.t") -> TableModel:
    found = read_ddl(ddl)[parse_qualified_name(name)]
    assert isinstance(found, TableModel)
    return found


def column(ddl: str, name: str, table_name: str = "public.t") -> Column:
    found = table(ddl, table_name).column(name)
    assert found is not None
    return found


def error(ddl: str, source: str = "schema.sql") -> str:
    with pytest.raises(InputError) as raised:
        read_ddl(ddl, source=source)
    return str(raised.value)


def qn(schema: str, name: str) -> QualifiedName:
    return QualifiedName(schema, name)


# --- names -------------------------------------------------------------------------------------


def test_unqualified_tables_are_in_public() -> None:
    assert list(read_ddl("create table t (a int);")) == [qn("public", "t")]


def test_unquoted_names_fold_to_lower_case() -> None:
    model = table("CREATE SCHEMA Shop; CREATE TABLE Shop.Orders (Order_ID int);", "shop.orders")
    assert model.name == qn("shop", "orders")
    assert [c.name for c in model.columns] == ["order_id"]


def test_quoted_names_keep_their_spelling() -> None:
    model = table(
        'create schema "Sales Co"; create table "Sales Co"."Order Lines" ("Line No" int);',
        '"Sales Co"."Order Lines"',
    )
    assert model.name == qn("Sales Co", "Order Lines")
    assert [c.name for c in model.columns] == ["Line No"]


def test_only_ascii_letters_fold() -> None:
    assert list(read_ddl("create table Café (Ä int);")) == [qn("public", "café")]


def test_names_are_cut_to_63_bytes() -> None:
    assert list(read_ddl(f"create table {'a' * 70} (x int);")) == [qn("public", "a" * 63)]


def test_doubled_quotes_inside_a_quoted_name_are_one_quote() -> None:
    assert list(read_ddl('create table "say ""hi""" (x int);')) == [qn("public", 'say "hi"')]


# --- types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("int", "integer"),
        ("int4", "integer"),
        ("integer", "integer"),
        ("serial", "integer"),
        ("bigserial", "bigint"),
        ("smallserial", "smallint"),
        ("int2", "smallint"),
        ("int8", "bigint"),
        ("text", "text"),
        ("varchar(20)", "character varying(20)"),
        ("varchar", "character varying"),
        ("character varying(5)", "character varying(5)"),
        ("char", "character(1)"),
        ("char(3)", "character(3)"),
        ("bpchar", "bpchar"),
        ("bpchar(4)", "character(4)"),
        ('"char"', '"char"'),
        ("national character varying(3)", "character varying(3)"),
        ("boolean", "boolean"),
        ("bool", "boolean"),
        ("timestamptz", "timestamp with time zone"),
        ("timestamp", "timestamp without time zone"),
        ("timestamp(3)", "timestamp(3) without time zone"),
        ("timestamp(9) with time zone", "timestamp(6) with time zone"),
        ("time", "time without time zone"),
        ("time(2) with time zone", "time(2) with time zone"),
        ("timetz", "time with time zone"),
        ("date", "date"),
        ("numeric", "numeric"),
        ("numeric(10)", "numeric(10,0)"),
        ("numeric(12,2)", "numeric(12,2)"),
        ("decimal(5, 1)", "numeric(5,1)"),
        ("numeric(3,-1)", "numeric(3,-1)"),
        ("float", "double precision"),
        ("float(10)", "real"),
        ("float(25)", "double precision"),
        ("float8", "double precision"),
        ("double precision", "double precision"),
        ("real", "real"),
        ("jsonb", "jsonb"),
        ("json", "json"),
        ("bytea", "bytea"),
        ("uuid", "uuid"),
        ("inet", "inet"),
        ("cidr", "cidr"),
        ("interval", "interval"),
        ("interval(3)", "interval(3)"),
        ("interval day to second(2)", "interval day to second(2)"),
        ("interval year to month", "interval year to month"),
        ("bit", "bit(1)"),
        ('"bit"', '"bit"'),
        ("bit varying(5)", "bit varying(5)"),
        ("varbit", "bit varying"),
        ("text[]", "text[]"),
        ("int[]", "integer[]"),
        ("integer[3][4]", "integer[]"),
        ("int array", "integer[]"),
        ("varchar(3)[]", "character varying(3)[]"),
        ("pg_catalog.int4", "integer"),
        ("money", "money"),
        ("tsvector", "tsvector"),
        ("int4range", "int4range"),
        ('text collate "C"', "text"),
        ("citext", "citext"),
        ("ext.hstore", "ext.hstore"),
    ],
)
def test_types_print_as_format_type_prints_them(written: str, printed: str) -> None:
    assert column(f"create table t (c {written});", "c").type == printed


def test_user_types_print_bare_in_public_and_qualified_elsewhere() -> None:
    ddl = """
        create schema s;
        create type mood as enum ('a');
        create type s.status as enum ('b');
        create type "Sales Co" as enum ('c');
        create type s."Kind" as enum ('d');
        create type "position" as enum ('e');
        create table t (a mood, b s.status, c "Sales Co", d s."Kind"[], e "position");
    """
    assert [c.type for c in table(ddl).columns] == [
        "mood",
        "s.status",
        '"Sales Co"',
        's."Kind"[]',
        '"position"',
    ]


def test_unqualified_user_types_are_found_on_the_search_path() -> None:
    ddl = """
        create schema app;
        set search_path = app, public;
        create type status as enum ('a');
        create table public.t (a status);
    """
    assert column(ddl, "a").type == "app.status"


def test_renamed_types_print_their_new_name() -> None:
    ddl = """
        create schema s;
        create type s.mood as enum ('a');
        create table t (a s.mood);
        alter type s.mood rename to feeling;
        alter schema s rename to "New S";
    """
    assert column(ddl, "a").type == '"New S".feeling'


@pytest.mark.parametrize(
    ("written", "exact"),
    [
        ("text", True),
        ("integer[]", True),
        ("jsonb", True),
        ("json", False),
        ("interval", False),
        ("point", False),
        ("citext", False),
        ("mood", True),
        ("mood[]", True),
        ("posint", True),
        ("posint[]", False),
        ("jdom", False),
        ("tags", True),
        ("mood_domain", True),
        ("pair", False),
    ],
)
def test_exact_equality_follows_the_catalog_rule(written: str, exact: bool) -> None:
    ddl = f"""
        create type mood as enum ('a');
        create type pair as (a int, b int);
        create domain posint as integer check (value > 0);
        create domain jdom as json;
        create domain tags as text[];
        create domain mood_domain as mood;
        create table t (c {written});
    """
    assert column(ddl, "c").exact_equality is exact


def test_unknown_type_with_modifiers_is_refused() -> None:
    assert error("create table t (\n  id int,\n  embedding vector(3)\n);") == (
        "schema.sql:3: type vector(3) is not built into PostgreSQL: how it prints its modifiers"
        " is not known without a server (read the schema from a live database with --dsn instead"
        " of a file)"
    )


def test_built_in_type_with_wrong_modifiers_is_refused() -> None:
    assert error("create table t (a numeric(1, 2, 3));") == (
        "schema.sql:1: type numeric does not take the modifiers (1, 2, 3) "
        "(write the type as PostgreSQL accepts it)"
    )


# --- columns -----------------------------------------------------------------------------------


def test_columns_keep_their_order() -> None:
    ddl = "create table t (b int, a int, c int);"
    assert [c.name for c in table(ddl).columns] == ["b", "a", "c"]


def test_not_null_serial_identity_and_primary_key_columns_are_not_null() -> None:
    ddl = """create table t (a int not null, b serial, c int generated always as identity,
        d int primary key, e int, f int null);"""
    assert [c.not_null for c in table(ddl).columns] == [True, True, True, True, False, False]


def test_stored_generated_columns_are_marked_s() -> None:
    ddl = "create table t (a int, b int generated always as (a * 2) stored);"
    assert column(ddl, "b").generated == "s"


def test_identity_columns_are_not_generated() -> None:
    ddl = "create table t (a int generated by default as identity (start with 10));"
    assert column(ddl, "a").generated == ""


@pytest.mark.parametrize("spelling", ["virtual", ""])
def test_generated_columns_not_stored_are_virtual(spelling: str) -> None:
    ddl = f"create table t (a int, b int generated always as (a * 2) {spelling});"
    assert column(ddl, "b").generated == "v"


def test_drop_expression_makes_a_generated_column_plain() -> None:
    ddl = """create table t (a int, b int generated always as (a * 2) stored);
        alter table t alter column b drop expression;"""
    assert column(ddl, "b").generated == ""


def test_column_comment_tags_become_policies() -> None:
    ddl = """
        create table t (a text, b text, c text, d text);
        comment on column t.a is 'Customer email. pgaudit:hash';
        comment on column t.b is 'pgaudit:mask:card';
        comment on column public.t.c is 'just words';
    """
    assert [c.comment_policy for c in table(ddl).columns] == ["hash", "mask:card", None, None]


def test_comment_is_null_removes_the_policy() -> None:
    ddl = """create table t (a text);
        comment on column t.a is 'pgaudit:hash';
        comment on column t.a is null;"""
    assert column(ddl, "a").comment_policy is None


def test_comments_in_escape_dollar_and_continued_strings() -> None:
    ddl = """
        create table t (a text, b text, c text);
        comment on column t.a is E'Name;\\nprinted. pgaudit:hash';
        comment on column t.b is $$it's pgaudit:omit$$;
        comment on column t.c is 'first part'
            ' pgaudit:mask:last4';
    """
    assert [c.comment_policy for c in table(ddl).columns] == ["hash", "omit", "mask:last4"]


def test_comments_on_tables_set_no_policy() -> None:
    ddl = "create table t (a text); comment on table t is 'pgaudit:hash';"
    assert column(ddl, "a").comment_policy is None


# --- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ddl",
    [
        "create table t (a int primary key, b int);",
        "create table t (a int, b int, primary key (a));",
        "create table t (a int constraint t_pk primary key, b int);",
        "create table t (a int, b int); alter table t add primary key (a);",
        "create table t (a int, b int); alter table only t add constraint t_pk primary key (a);",
        """create table t (a int not null, b int); create unique index i on t (a);
           alter table t add primary key using index i;""",
    ],
)
def test_primary_key_in_every_spelling(ddl: str) -> None:
    model = table(ddl)
    assert model.primary_key == ("a",)
    assert model.columns[0].not_null


def test_primary_key_keeps_its_column_order() -> None:
    assert table("create table t (a int, b int, primary key (b, a));").primary_key == ("b", "a")


def test_unique_keys_need_not_null_columns() -> None:
    ddl = "create table t (a int unique, b int not null unique);"
    assert table(ddl).unique_keys == (("b",),)


def test_unique_keys_are_ordered_by_index_name() -> None:
    ddl = """create table t (a int not null, b int not null);
        create unique index zz on t (a);
        create unique index aa on t (b);"""
    assert table(ddl).unique_keys == (("b",), ("a",))


def test_generated_index_names_order_the_unique_keys() -> None:
    # t_a_idx sorts before t_b_key
    ddl = """create table t (a int not null, b int not null, unique (b));
        create unique index on t (a);"""
    assert table(ddl).unique_keys == (("a",), ("b",))


def test_generated_index_names_skip_names_already_taken() -> None:
    # t_b_key is a table, so the constraint's index is t_b_key1, which sorts after t_b_key0
    ddl = """create table t (a int not null, b int not null);
        create table t_b_key (x int);
        alter table t add unique (b);
        create unique index t_b_key0 on t (a);"""
    assert table(ddl).unique_keys == (("a",), ("b",))


def test_replica_identity_index_comes_first() -> None:
    ddl = """create table t (a int not null, b int not null);
        create unique index aa on t (a);
        create unique index bb on t (b);
        alter table t replica identity using index bb;"""
    assert table(ddl).unique_keys == (("b",), ("a",))


def test_partial_expression_and_include_indexes_are_not_keys() -> None:
    ddl = """create table t (a int not null, b int not null);
        create unique index on t (a) where b > 0;
        create unique index on t (lower(a::text));
        create unique index on t (a) include (b);"""
    assert table(ddl).unique_keys == ()


def test_equal_key_constraints_in_one_create_table_make_one_index() -> None:
    ddl = "create table t (a int not null unique, unique (a), constraint named unique (a));"
    assert table(ddl).unique_keys == (("a",),)


def test_each_alter_table_add_unique_makes_an_index() -> None:
    ddl = "create table t (a int not null); alter table t add unique (a), add unique (a);"
    assert table(ddl).unique_keys == (("a",), ("a",))


def test_dropping_a_column_drops_the_keys_over_it() -> None:
    ddl = """create table t (a int not null, b int not null, c int not null, primary key (a, b));
        create unique index on t (c, b);
        alter table t drop column b;"""
    model = table(ddl)
    assert (model.primary_key, model.unique_keys) == ((), ())


def test_drop_constraint_and_drop_index_remove_keys() -> None:
    ddl = """create table t (a int primary key, b int not null unique, c int not null);
        create unique index t_c on t (c);
        alter table t drop constraint t_pkey, drop constraint t_b_key;
        drop index t_c;"""
    model = table(ddl)
    assert (model.primary_key, model.unique_keys) == ((), ())
    assert model.columns[0].not_null  # the primary key's NOT NULL stays


def test_renamed_constraint_sorts_by_its_new_name() -> None:
    ddl = """create table t (a int not null unique, b int not null unique);
        alter table t rename constraint t_a_key to z_key;"""
    assert table(ddl).unique_keys == (("b",), ("a",))


# --- partitions --------------------------------------------------------------------------------

PARTITIONED = """
    create table o (id int, d date, primary key (id, d)) partition by range (d);
    create table o1 partition of o for values from ('2020-01-01') to ('2021-01-01')
        partition by range (d);
    create table o1b partition of o1 for values from ('2020-07-01') to ('2021-01-01');
    create table o1a partition of o1 for values from ('2020-01-01') to ('2020-07-01');
    create table o2 partition of o default;
"""


def test_partitioned_tables_list_their_leaves_at_any_depth_in_name_order() -> None:
    model = table(PARTITIONED, "public.o")
    assert model.partitioned
    assert model.leaf_partitions == (qn("public", "o1a"), qn("public", "o1b"), qn("public", "o2"))


def test_a_partitioned_partition_lists_its_own_leaves() -> None:
    model = table(PARTITIONED, "public.o1")
    assert model.partitioned
    assert model.leaf_partitions == (qn("public", "o1a"), qn("public", "o1b"))


def test_leaf_partitions_are_plain_tables() -> None:
    model = table(PARTITIONED, "public.o1a")
    assert (model.partitioned, model.leaf_partitions) == (False, ())


def test_partitions_copy_the_parents_columns_but_not_its_comments() -> None:
    ddl = """create table p (a int not null, g int generated always as (a) stored)
            partition by list (a);
        comment on column p.a is 'pgaudit:hash';
        create table p1 partition of p for values in (1);"""
    assert table(ddl, "public.p1").columns == (
        Column("a", "integer", not_null=True),
        Column("g", "integer", generated="s"),
    )


def test_partitions_get_the_parents_keys() -> None:
    ddl = PARTITIONED + "create unique index on o (d, id);"
    model = table(ddl, "public.o1a")
    assert (model.primary_key, model.unique_keys) == (("id", "d"), (("d", "id"),))


def test_attached_tables_become_leaves_and_detached_ones_do_not() -> None:
    ddl = """create table p (a int) partition by list (a);
        create table p1 (a int);
        create table p2 (a int);
        alter table p attach partition p1 for values in (1);
        alter table only p attach partition p2 default;
        alter table p detach partition p1;"""
    assert table(ddl, "public.p").leaf_partitions == (qn("public", "p2"),)


def test_foreign_table_partitions_are_leaves() -> None:
    ddl = """create table p (a int) partition by list (a);
        create foreign table f partition of p for values in (1) server remote;"""
    assert table(ddl, "public.p").leaf_partitions == (qn("public", "f"),)


def test_partition_of_a_plain_table_is_refused() -> None:
    ddl = "create table p (a int);\ncreate table p1 partition of p for values in (1);"
    assert (
        error(ddl)
        == "schema.sql:2: public.p is not partitioned (add PARTITION BY to its CREATE TABLE)"
    )


# --- ALTER TABLE -------------------------------------------------------------------------------


def test_add_column_appends_it() -> None:
    ddl = "create table t (a int); alter table t add column b text not null, add c int;"
    assert [(c.name, c.type, c.not_null) for c in table(ddl).columns] == [
        ("a", "integer", False),
        ("b", "text", True),
        ("c", "integer", False),
    ]


def test_add_column_if_not_exists_keeps_the_existing_column() -> None:
    ddl = "create table t (a int); alter table t add column if not exists a text;"
    assert column(ddl, "a").type == "integer"


def test_drop_column_removes_it() -> None:
    ddl = "create table t (a int, b int, c int); alter table t drop column b;"
    assert [c.name for c in table(ddl).columns] == ["a", "c"]


def test_rename_column_keeps_its_place() -> None:
    ddl = "create table t (a int, b int); alter table t rename column a to z; alter table t rename b to y;"
    assert [c.name for c in table(ddl).columns] == ["z", "y"]


def test_alter_column_type_changes_the_type() -> None:
    ddl = "create table t (a int); alter table t alter column a set data type text using a::text;"
    assert column(ddl, "a").type == "text"


def test_set_and_drop_not_null() -> None:
    ddl = """create table t (a int, b int not null);
        alter table t alter column a set not null, alter column b drop not null;"""
    assert [c.not_null for c in table(ddl).columns] == [True, False]


def test_column_changes_on_a_partitioned_table_reach_its_partitions() -> None:
    ddl = (
        PARTITIONED
        + """
        alter table o add column note text;
        alter table o rename column note to remark;
        alter table o alter column remark type varchar(10);"""
    )
    assert table(ddl, "public.o1a").columns[-1] == Column("remark", "character varying(10)")


def test_rename_table_and_set_schema() -> None:
    ddl = "create schema s; create table t (a int); alter table t rename to u;"
    ddl += "alter table u set schema s;"
    assert list(read_ddl(ddl)) == [qn("s", "u")]


def test_statements_that_change_no_shape_are_ignored() -> None:
    ddl = """create table t (a int);
        create index t_a on t (a);
        alter table t enable row level security, alter column a set statistics 100;
        alter table t set (fillfactor = 70), alter column a set default 5;
        alter table t cluster on t_a, owner to app;"""
    assert table(ddl).columns == (Column("a", "integer"),)


# --- owners ------------------------------------------------------------------------------------


def test_owner_is_unknown_unless_the_file_says() -> None:
    assert table("create table t (a int);").owner is None


def test_owner_to_sets_the_owner_of_that_table_only() -> None:
    ddl = """create table p (a int) partition by list (a);
        create table p1 partition of p for values in (1);
        alter table p owner to "App Role";"""
    models = read_ddl(ddl)
    assert [m.owner for m in models.values() if isinstance(m, TableModel)] == ["App Role", None]


def test_set_role_owns_what_it_creates_until_reset() -> None:
    ddl = "set role app; create table t (a int); reset role; create table u (a int);"
    models = read_ddl(ddl)
    assert [m.owner for m in models.values() if isinstance(m, TableModel)] == ["app", None]


# --- other relations ---------------------------------------------------------------------------


def test_views_and_other_relations_cannot_be_audited() -> None:
    ddl = """create table t (a int);
        create view v as select a from t;
        create materialized view m as select a from t;
        create foreign table f (a int) server remote;
        create type c as (a int);"""
    assert read_ddl(ddl) == {
        qn("public", "c"): Relation(qn("public", "c"), "a composite type"),
        qn("public", "f"): Relation(qn("public", "f"), "a foreign table"),
        qn("public", "m"): Relation(qn("public", "m"), "a materialized view"),
        qn("public", "t"): table(ddl),
        qn("public", "v"): Relation(qn("public", "v"), "a view"),
    }


# --- the file as a whole -----------------------------------------------------------------------


def test_search_path_decides_where_unqualified_tables_go() -> None:
    ddl = """create schema app;
        set search_path to app, public;
        create table t (a int);
        set search_path to default;
        create table u (a int);"""
    assert list(read_ddl(ddl)) == [qn("app", "t"), qn("public", "u")]


def test_pg_dump_preamble_is_understood() -> None:
    ddl = """\\restrict abc123
        SET statement_timeout = 0;
        SELECT pg_catalog.set_config('search_path', '', false);
        CREATE TABLE public.t (a integer NOT NULL);
        ALTER TABLE public.t OWNER TO app;
        SELECT pg_catalog.setval('public.s', 1, false);
        \\unrestrict abc123
    """
    assert table(ddl).owner == "app"


def test_statements_that_change_no_table_are_ignored() -> None:
    ddl = """
        create extension if not exists pgcrypto;
        create table t (a int);
        create sequence s;
        create index t_a on t (a);
        create function f() returns trigger language plpgsql as $$ begin return new; end $$;
        create trigger tr before insert on t for each row execute function f();
        create policy p on t using (true);
        grant select on t to public;
        revoke all on t from public;
        insert into t values (1);
        analyze t;
        begin; commit;
    """
    assert read_ddl(ddl) == read_ddl("create table t (a int);")


def test_semicolons_inside_function_bodies_end_nothing() -> None:
    ddl = """
        create function f() returns int language plpgsql as $body$
            begin perform 1; create table nope (a int); return 1; end
        $body$;
        create function g(int) returns int language sql
            begin atomic select 1; select case when true then 2 end; end;
        create table t (a int);
    """
    assert list(read_ddl(ddl)) == [qn("public", "t")]


def test_create_table_if_not_exists_keeps_the_first_definition() -> None:
    ddl = "create table t (a int); create table if not exists t (b text);"
    assert [c.name for c in table(ddl).columns] == ["a"]


def test_drop_table_drops_its_partitions() -> None:
    ddl = PARTITIONED + "create table keep (a int); drop table o;"
    assert list(read_ddl(ddl)) == [qn("public", "keep")]


# --- what is refused ---------------------------------------------------------------------------


def test_create_table_as_names_the_statement_and_its_line() -> None:
    ddl = "CREATE TABLE a (x int);\n\nCREATE TABLE t AS SELECT * FROM a;\n"
    assert error(ddl) == (
        "schema.sql:3: unsupported statement: CREATE TABLE t AS SELECT * FROM a "
        "(write the table with CREATE TABLE t (columns ...))"
    )


def test_errors_name_the_file() -> None:
    assert error("create table t as select 1;", source="db/schema.sql").startswith(
        "db/schema.sql:1: unsupported statement: "
    )


def test_a_statement_is_refused_at_the_line_where_it_starts() -> None:
    ddl = "create table a (x int);\ncreate table t\n  (like a);"
    assert error(ddl) == (
        "schema.sql:2: unsupported statement: create table t (like a) "
        "(write the columns out: LIKE is not read)"
    )


@pytest.mark.parametrize(
    ("ddl", "message"),
    [
        (
            "create table p (a int);\ncreate table c (b int) inherits (p);",
            "schema.sql:2: unsupported statement: create table c (b int) inherits (p) "
            "(write every column in the table itself: inheritance is not read)",
        ),
        (
            "create table t (a int) ;\nalter table t inherit p;",
            "schema.sql:2: unsupported statement: alter table t inherit p "
            "(inheritance and typed tables are not read)",
        ),
        (
            "create table t (a int);\nalter table t of some_type;",
            "schema.sql:2: unsupported statement: alter table t of some_type "
            "(inheritance and typed tables are not read)",
        ),
        (
            "do $$ begin create table t (a int); end $$;",
            "schema.sql:1: unsupported statement: do $$ begin create table t (a int); end $$ "
            "(write out the statements it runs (it may create tables), "
            "or read the schema from a live database with --dsn)",
        ),
        (
            "call make_tables();",
            "schema.sql:1: unsupported statement: call make_tables() "
            "(write out the statements it runs (it may create tables), "
            "or read the schema from a live database with --dsn)",
        ),
        (
            "select partman.create_parent('public.t');",
            "schema.sql:1: unsupported statement: select partman.create_parent('public.t') "
            "(remove it: a function called from the file may create tables; "
            "or read the schema from a live database with --dsn)",
        ),
        (
            "select * into t from generate_series(1, 3);",
            "schema.sql:1: unsupported statement: select * into t from generate_series(1, 3) "
            "(write the table with CREATE TABLE)",
        ),
        (
            "create temp table t (a int);",
            "schema.sql:1: unsupported statement: create temp table t (a int) "
            "(remove it: temporary tables are not part of the schema)",
        ),
        (
            "create schema s create table t (a int);",
            "schema.sql:1: unsupported statement: create schema s create table t (a int) "
            "(create the schema's objects in statements of their own)",
        ),
        (
            "create table t (a int);\ncopy t from stdin;",
            "schema.sql:2: unsupported statement: copy t from stdin "
            "(dump the schema only, with pg_dump --schema-only: data is not read)",
        ),
        (
            "\\i tables.sql\ncreate table t (a int);",
            "schema.sql:1: unsupported statement: \\i tables.sql "
            "(remove psql meta-commands; the file must be plain SQL)",
        ),
        (
            'create table v (a int);\ncreate rule "_RETURN" as on select to v do instead select 1;',
            'schema.sql:2: unsupported statement: create rule "_RETURN" as on select to v do '
            "instead select 1 "
            "(write the view with CREATE VIEW)",
        ),
        (
            "create table t (a int);\nrollback;",
            "schema.sql:2: unsupported statement: rollback "
            "(remove it: the file is read as if every statement succeeded)",
        ),
        (
            "create table t (a int); create view v as select a from t;\ndrop table t cascade;",
            "schema.sql:2: unsupported statement: drop table t cascade "
            "(drop without CASCADE: what views depend on is not read)",
        ),
    ],
)
def test_statements_that_could_change_a_table_unread_are_refused(ddl: str, message: str) -> None:
    assert error(ddl) == message


PARSE_HINT = (
    "(write DDL that PostgreSQL runs; it is read with PostgreSQL 17's grammar, and of 18's "
    "with virtual generated columns and NOT NULL constraints)"
)


def test_unreadable_text_names_the_line_of_the_problem() -> None:
    ddl = "create table t (\n  a int,\n  , b int\n);"
    assert error(ddl) == 'schema.sql:3: cannot parse: syntax error at or near "," ' + PARSE_HINT


def test_the_line_is_right_after_non_ascii_text() -> None:
    ddl = "comment on schema public is 'Ünïcödé';\ncreate table t (\n  a int,,\n  b int\n);"
    assert error(ddl).startswith('schema.sql:3: cannot parse: syntax error at or near ","')


def test_a_stray_parenthesis_names_its_line() -> None:
    ddl = "create table u (b int);\ncreate table t (a int));"
    assert error(ddl) == 'schema.sql:2: cannot parse: syntax error at or near ")" ' + PARSE_HINT


def test_unterminated_string_names_the_line_where_it_starts() -> None:
    ddl = "create table t (a int);\ncomment on column t.a is 'no end;\ncreate table u (b int);"
    assert error(ddl) == (
        "schema.sql:2: cannot parse: unterminated quoted string at or near \"'no end; " + PARSE_HINT
    )


def test_postgresql_18_syntax_beyond_what_is_rewritten_is_a_parse_error() -> None:
    assert error("create table t (a int, b int,\n unique (a, b without overlaps));") == (
        'schema.sql:2: cannot parse: syntax error at or near "without" ' + PARSE_HINT
    )


def test_creating_a_name_in_use_is_refused() -> None:
    # the unique constraint's index took the name t_a_key
    assert error("create table t (a int unique);\ncreate table t_a_key (b int);") == (
        "schema.sql:2: public.t_a_key already exists "
        "(drop it first, or write CREATE ... IF NOT EXISTS)"
    )


def test_a_byte_order_mark_is_not_a_statement() -> None:
    assert list(read_ddl("\ufeffcreate table t (a int);")) == [qn("public", "t")]


def test_altering_a_table_the_file_never_created_is_refused() -> None:
    assert error("create table t (a int);\nalter table nope add column b int;") == (
        "schema.sql:2: table nope does not exist "
        "(create it earlier in the file: the file is read as if run on an empty database)"
    )


def test_alter_table_if_exists_on_a_missing_table_does_nothing() -> None:
    assert read_ddl("alter table if exists nope add column b int;") == {}


def test_comment_on_a_missing_column_is_refused() -> None:
    assert error("create table t (a int);\ncomment on column t.b is 'x';") == (
        "schema.sql:2: column b of public.t does not exist (name one of the table's columns)"
    )


# --- what pg_dump writes that changes no table -------------------------------------------------


def test_alter_table_on_a_sequence_changes_no_table() -> None:
    ddl = """CREATE TABLE public.customer (customer_id integer NOT NULL);
        CREATE SEQUENCE public.customer_customer_id_seq AS integer START WITH 1;
        ALTER TABLE public.customer_customer_id_seq OWNER TO postgres;
        ALTER SEQUENCE public.customer_customer_id_seq OWNED BY public.customer.customer_id;
        ALTER TABLE ONLY public.customer ALTER COLUMN customer_id
            SET DEFAULT nextval('public.customer_customer_id_seq'::regclass);"""
    assert table(ddl, "public.customer").columns == (
        Column("customer_id", "integer", not_null=True),
    )


def test_an_index_on_a_materialized_view_takes_a_name_and_nothing_else() -> None:
    ddl = """create table t (a int not null);
        create materialized view mv as select a from t with no data;
        create unique index mv_a on mv using btree (a);
        create index on mv (a);
        create unique index on t (a);"""
    models = read_ddl(ddl)
    assert models[qn("public", "mv")] == Relation(qn("public", "mv"), "a materialized view")
    assert table(ddl).unique_keys == (("a",),)


def test_a_taken_matview_index_name_moves_a_generated_one() -> None:
    # mv's index took t_a_idx, so t's unique index is t_a_idx1; it still sorts before t_b_key
    ddl = """create table t (a int not null, b int not null unique);
        create materialized view mv as select 1 as a;
        create index t_a_idx on mv (a);
        create unique index on t (a);
        drop index t_a_idx;
        alter index t_a_idx1 rename to zz;"""
    assert table(ddl).unique_keys == (("b",), ("a",))


def test_views_triggers_policies_publications_and_grants_are_skipped() -> None:
    ddl = """create extension if not exists citext with schema public;
        comment on extension citext is 'x';
        create table t (a int);
        create view v as select a from t;
        alter view v owner to app;
        create function f() returns trigger language plpgsql as $$ begin return new; end $$;
        alter function f() owner to app;
        create trigger tr after insert on t for each row execute function f();
        create policy p on t using (true);
        create publication pub for table t;
        alter publication pub add table t;
        create statistics st on a, a from t;
        alter default privileges grant select on tables to public;
        grant select on t to public;
        comment on table t is 'pgaudit:hash';
        security label on table t is 'x';
        create type mood as enum ('a'); alter type mood owner to app;
        alter type mood add value 'b';
        alter schema public owner to app;"""
    assert table(ddl) == table("create table t (a int);")


# --- foreign keys ------------------------------------------------------------------------------


def test_foreign_key_columns_in_every_spelling() -> None:
    ddl = """create table u (id int primary key, code int unique);
        create table t (a int references u, b int, c int, d int, e int,
            foreign key (b, c) references u (id, code),
            constraint named foreign key (d) references u);
        alter table only t add constraint later foreign key (e) references u (id);"""
    assert table(ddl).foreign_key_columns == ("a", "b", "c", "d", "e")


def test_dropping_a_foreign_key_or_its_column_or_the_table_it_references() -> None:
    ddl = """create table u (id int primary key);
        create table w (id int primary key);
        create table t (a int references u, b int references u, c int references w, d int);
        alter table t add foreign key (d) references u;
        alter table t drop constraint t_a_fkey;
        alter table t rename constraint t_d_fkey to dd;
        alter table t drop column b;
        drop table w cascade;"""
    assert table(ddl).foreign_key_columns == ("d",)


def test_partitions_get_their_parents_foreign_keys() -> None:
    ddl = """create table u (id int primary key);
        create table p (k int, u_id int, primary key (k)) partition by range (k);
        alter table p add constraint p_u foreign key (u_id) references u;
        create table p1 partition of p for values from (0) to (10);
        create table p2 (k int not null, u_id int);
        alter table p attach partition p2 for values from (10) to (20);"""
    assert table(ddl, "public.p1").foreign_key_columns == ("u_id",)
    assert table(ddl, "public.p2").foreign_key_columns == ("u_id",)
    dropped = ddl + "alter table p drop constraint p_u;"
    assert table(dropped, "public.p2").foreign_key_columns == ()


def test_a_foreign_key_to_a_missing_table_is_refused() -> None:
    assert error("create table t (a int);\ncreate table t2 (b int references nope);") == (
        "schema.sql:2: table nope does not exist "
        "(create the referenced table before the foreign key)"
    )


# --- PostgreSQL 18 forms that PostgreSQL 17's grammar lacks -----------------------------------


def test_pg_dump_18_virtual_columns_read_as_virtual() -> None:
    ddl = """CREATE TABLE public.v (
        a integer,
        b integer GENERATED ALWAYS AS ((a * 2)),
        c integer CONSTRAINT c_named GENERATED ALWAYS AS ((a * 3)) virtual,
        d integer GENERATED ALWAYS AS ((a * 4)) STORED
    );"""
    assert [c.generated for c in table(ddl, "public.v").columns] == ["", "v", "v", "s"]


def test_not_null_table_constraints_read_as_not_null() -> None:
    ddl = """create table t (a int, b int, "C" int, d int, constraint a_nn not null a,
            not null "C");
        alter table t add constraint b_nn not null b not valid, add not null d;
        alter table t drop constraint a_nn;"""
    assert [c.not_null for c in table(ddl).columns] == [False, True, True, True]


def test_enforced_and_not_enforced_change_nothing() -> None:
    ddl = """create table u (id int primary key);
        create table t (a int check (a > 0) not enforced, b int references u not enforced,
            c int, foreign key (c) references u (id) enforced);"""
    assert table(ddl).foreign_key_columns == ("b", "c")


def test_pg_dump_restrict_keys_may_start_with_a_digit() -> None:
    ddl = "\\restrict 3QJ8Db\ncreate table t (a int);\n\\unrestrict 3QJ8Db\n"
    assert list(read_ddl(ddl)) == [qn("public", "t")]


def test_rewritten_postgresql_18_forms_keep_every_line() -> None:
    ddl = (
        "create table t (a int, b int generated always as\n  (a * 2),\n"
        "  c int, constraint c_nn not\n  null\n  c);\n"
        "alter table t add column d int;\n"
        "alter table nope add column e int;\n"
    )
    assert error(ddl).startswith("schema.sql:7: table nope does not exist")
    assert [(c.generated, c.not_null) for c in table(ddl.rsplit("alter", 1)[0]).columns] == [
        ("", False),
        ("v", False),
        ("", True),
        ("", False),
    ]
