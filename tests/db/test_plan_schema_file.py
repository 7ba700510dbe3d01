"""``plan --schema-file``: the offline plan is the text ``plan`` prints against a live database
holding the same schema (and no pgaudit-kit yet), on PostgreSQL 18 and 15: for hand-kept schema
files, and for what each server's pg_dump --schema-only writes of the real-world schemas and of
every test schema (tests/ddl), with owners and with --no-owner, under init's own config."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import api, catalog, generate
from pgaudit_kit import config as config_module
from pgaudit_kit.catalog import TableModel
from pgaudit_kit.errors import ConfigError, InputError
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv
from tests.fixtures.realworld import Schema, pg_dump, schemas

SHOP = Path(__file__).resolve().parents[1] / "ddl" / "shop.sql"

# Every awkward case of the shop: comment policies, a partitioned table with attached and nested
# partitions, a table keyed by a unique index, quoted names with generated columns, a public table.
TABLES = """
[retention]
pci = "1 year"
default = "2 years"

[tables."shop.customers"]
columns = { preferences = "plain", tags = "plain", loyalty_points = "plain" }
retention = "pci"

[tables."shop.orders"]
columns = { status = "plain", total = "plain" }

[tables."shop.inventory"]

[tables."shop.sessions"]
columns = { client_ip = "mask:last4" }

[tables.'"Sales Co"."Order Lines"']

[tables."public.settings"]
columns = { value = "plain" }
"""


def _schema_file(env: AuditEnv, tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(SHOP.read_text().replace("@app@", env.roles.app), encoding="utf-8")
    return path


@pytest.mark.parametrize("baseline", [False, True], ids=["plain", "baseline"])
def test_the_offline_plan_is_the_live_plan(env: AuditEnv, tmp_path: Path, baseline: bool) -> None:
    schema = _schema_file(env, tmp_path)
    env.write_config(TABLES)
    offline = api.plan_schema_file(env.config_path, schema, baseline=baseline)
    env.script(schema.read_text())
    live = api.plan(env.config_path, env.dsn, baseline=baseline)
    assert offline.plan.sql_text() == live.plan.sql_text()
    assert offline.to_json() == live.to_json()
    assert len(live.plan.steps) > 6  # bootstrap, toolkit, key, partitions, six tables, grants


def test_the_offline_plan_installs_what_it_shows(env: AuditEnv, tmp_path: Path) -> None:
    """The offline script, run as one transaction, gives a working install: apply finds nothing
    left to do and the app's writes are captured with their policies."""
    schema = _schema_file(env, tmp_path)
    env.write_config(TABLES)
    script = api.plan_schema_file(env.config_path, schema).plan
    env.script(schema.read_text())
    env.script(script.sql_text())  # one transaction, as psql --single-transaction runs it
    assert not env.apply().changed
    env.sql(f"grant usage on schema shop to {env.roles.app}")
    env.sql(
        """insert into shop.customers (email, full_name, card_number)
           values ('ann@example.org', 'Ann', '4111 1111 1111 1234')""",
        role=env.roles.app,
    )
    (row,) = env.log("INSERT")
    assert row["table_name"] == "shop.customers"
    assert "ann@example.org" not in str(row["new_values"])
    # its comment asks for mask:card, looser than default_policy: ignored, so the card is hashed
    assert row["new_values"]["card_number"].startswith("hmac:")


def test_cli_plans_offline_without_a_dsn(env: AuditEnv, tmp_path: Path) -> None:
    schema = _schema_file(env, tmp_path)
    env.write_config(TABLES)
    result = run(
        "--config", str(env.config_path), "plan", "--schema-file", str(schema),
        env={"PGAUDIT_DSN": "", "DATABASE_URL": ""},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == api.plan_schema_file(env.config_path, schema).plan.sql_text() + "\n"
    assert "create trigger" in result.stdout.lower()


def test_unsupported_ddl_names_the_statement(env: AuditEnv, tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "create table public.t (id int primary key);\n\n"
        "alter table public.t inherit public.parent;\n",
        encoding="utf-8",
    )
    env.write_config('[tables."public.t"]\n')
    with pytest.raises(
        InputError, match=r"schema\.sql:3: unsupported statement: alter table public\.t inherit"
    ):
        api.plan_schema_file(env.config_path, schema)
    result = run("--config", str(env.config_path), "plan", "--schema-file", str(schema))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "schema.sql:3:" in result.stderr


def test_a_config_table_missing_from_the_schema_file_is_a_config_error(
    env: AuditEnv, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("create table public.t (id int primary key);\n", encoding="utf-8")
    env.write_config('[tables."public.missing"]\n')
    with pytest.raises(ConfigError, match=r"public\.missing"):
        api.plan_schema_file(env.config_path, schema)


def test_an_unreadable_schema_file_is_an_input_error(env: AuditEnv, tmp_path: Path) -> None:
    env.write_config()
    result = run(
        "--config", str(env.config_path), "plan", "--schema-file", str(tmp_path / "nope.sql")
    )
    assert result.exit_code == 2
    assert "nope.sql" in result.stderr and "schema file" in result.stderr


# --- pg_dump output plans as the database it was dumped from ----------------------------------

CASES = sorted((SHOP.parent / "cases").glob("*.sql"))


def _case(path: Path) -> object:
    marks = [pytest.mark.pg(">=18")] if "PostgreSQL 18 only" in path.read_text() else []
    return pytest.param(path, id=path.stem, marks=marks)


def _starter_config(env: AuditEnv) -> Path:
    """init's config for the database, with only the role lists filled in."""
    api.init(env.config_path, env.dsn, force=True)
    text = env.config_path.read_text(encoding="utf-8")
    env.config_path.write_text(
        text.replace("app_roles = []", f'app_roles = ["{env.roles.app}"]').replace(
            'schema = "audit"', f'schema = "audit"\nowner_role = "{env.roles.owner}"'
        ),
        encoding="utf-8",
    )
    return env.config_path


def _live_plan_without_owners(env: AuditEnv) -> str:
    """The live plan for a database whose table owners are not known: what a --no-owner dump
    can say. It differs from the live plan only in the grants partitioned tables' owners get."""
    config = config_module.load(env.config_path)
    with psycopg.connect(env.dsn) as conn:
        installed = catalog.read_installed(conn, config.schema, config.owner_role)
        models = catalog.read_tables(conn, [t.name for t in config.tables])
    unowned = {
        name: dataclasses.replace(m, owner=None) if isinstance(m, TableModel) else m
        for name, m in models.items()
    }
    captures = generate.resolve(config, unowned)
    return generate.plan(config, captures, installed, generate.PlanOptions()).sql_text()


def _dumps_plan_as_the_live_database(env: AuditEnv, tmp_path: Path) -> None:
    config = _starter_config(env)
    live = api.plan(config, env.dsn).plan.sql_text()
    for no_owner in (False, True):
        dump = tmp_path / ("dump-no-owner.sql" if no_owner else "dump.sql")
        dump.write_text(pg_dump(env.server, env.dsn, no_owner=no_owner), encoding="utf-8")
        offline = api.plan_schema_file(config, dump).plan.sql_text()
        assert offline == (_live_plan_without_owners(env) if no_owner else live), dump.name


@pytest.mark.parametrize("schema", [pytest.param(s, id=s.name) for s in schemas()])
def test_pg_dump_of_a_labelled_schema_plans_as_the_live_database(
    env: AuditEnv, tmp_path: Path, schema: Schema
) -> None:
    env.script(schema.text(env.roles.app))
    _dumps_plan_as_the_live_database(env, tmp_path)


@pytest.mark.parametrize("path", [_case(p) for p in CASES])
def test_pg_dump_of_a_ddl_case_plans_as_the_live_database(
    env: AuditEnv, tmp_path: Path, path: Path
) -> None:
    text = path.read_text().replace("@app@", env.roles.app).replace("@other@", env.roles.other)
    env.script(text)
    _dumps_plan_as_the_live_database(env, tmp_path)
