"""init through the command line: what it writes, what it leaves out, what it refuses."""

from __future__ import annotations

import tomllib

from tests.fixtures.db import AuditEnv

from .helpers import run, run_ok

SCHEMA = """
create table public.customer (
    customer_id int primary key,
    email text not null,
    name text,
    notes text,
    password text,
    address_id int
);
create table public.genre (genre_id int primary key, name text);
create table public.alembic_version (version_num varchar(32) primary key);
create table public.django_migrations (id serial primary key, app text, name text);
create schema empty;
"""


def test_init_writes_each_guess_with_its_reason(env: AuditEnv) -> None:
    env.script(SCHEMA)
    path = env.tmp / "pgaudit.toml"
    result = run_ok("--dsn", env.dsn, "--config", str(path), "init", "--schema", "public")
    assert result.stdout.splitlines()[0] == f"wrote {path} with 2 table(s)"
    text = path.read_text()
    assert (
        "\n".join(
            [
                "[tables.'public.customer'.columns]",
                'customer_id = "plain"  # identifier: primary key',
                'email = "hash"  # name: email',
                'name = "hash"  # name: name on the customer table',
                'notes = "hash"  # free text: name notes',
                'password = "omit"  # secret: password',
                'address_id = "plain"  # identifier: name address_id',
                "",
                "[tables.'public.customer'.levels]",
                'customer_id = "internal"',
                'email = "confidential"',
                'name = "confidential"',
                'notes = "confidential"',
                'password = "restricted"',
                'address_id = "internal"',
                "",
                "[tables.'public.genre'.columns]",
                'genre_id = "plain"  # identifier: primary key',
                'name = "plain"',
            ]
        )
        in text
    )
    config = tomllib.loads(text)
    assert set(config["tables"]) == {"public.customer", "public.genre"}
    assert config["audit"]["require"] == ["public.*"]


def test_init_then_check_needs_only_the_roles(env: AuditEnv) -> None:
    env.script(SCHEMA)
    path = env.tmp / "pgaudit.toml"
    run_ok("--dsn", env.dsn, "--config", str(path), "init")
    path.write_text(
        path.read_text()
        .replace("app_roles = []", f'app_roles = ["{env.roles.app}"]')
        .replace('schema = "audit"', f'schema = "audit"\nowner_role = "{env.roles.owner}"')
    )
    base = ("--dsn", env.dsn, "--config", str(path))
    run_ok(*base, "apply")
    assert run_ok(*base, "check").stdout == "check: no findings (2 table(s) audited)\n"
    # with a framework on, the levels init proposed leave nothing unleveled
    path.write_text(path.read_text().replace('# [compliance]', '[compliance]')
                    .replace('# frameworks = [', 'frameworks = ['))  # fmt: skip
    assert run_ok(*base, "check").stdout == "check: no findings (2 table(s) audited)\n"


def test_init_of_a_missing_schema_exits_2_and_writes_nothing(env: AuditEnv) -> None:
    env.script(SCHEMA)
    path = env.tmp / "pgaudit.toml"
    result = run("--dsn", env.dsn, "--config", str(path), "init", "--schema", "nosuch")
    assert result.exit_code == 2
    database = env.dsn.rsplit("dbname=", 1)[-1].split()[0]
    assert result.stderr == (
        f"--schema nosuch: no schema nosuch in database {database} "
        "(name one of its schemas: empty, public)\n"
    )
    assert not path.exists()


def test_init_of_a_schema_without_tables_exits_2_and_writes_nothing(env: AuditEnv) -> None:
    env.script(SCHEMA + "create schema tools; create table tools.alembic_version (v text);")
    path = env.tmp / "pgaudit.toml"
    for schema in ("empty", "tools"):
        result = run("--dsn", env.dsn, "--config", str(path), "init", "--schema", schema)
        assert result.exit_code == 2
        assert result.stderr == (
            f"--schema {schema}: schema {schema} holds no table to audit "
            "(create its tables first, or name a schema that holds them)\n"
        )
        assert not path.exists()
