"""Least privilege beyond the matrix: installing without a superuser, as a managed service's
administrator (CREATEROLE, CREATEDB, no SUPERUSER) does; an owner role that can log in; commands
before install; errors that name the real fix."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from tests.db.helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, seal_all
from tests.fixtures.db import AuditEnv

from .helpers import run


@pytest.fixture
def managed_admin(env: AuditEnv) -> Iterator[str]:
    """The database's administrator on a managed service: it may create roles and databases, it
    owns the database and may act as the application's role (it created it), but it is no
    superuser."""
    name = f"dba_{env.roles.app.split('_', 1)[1]}"
    dbname = psycopg.conninfo.conninfo_to_dict(env.dsn)["dbname"]
    env.sql(
        sql.SQL("create role {} login createrole createdb")
        .format(sql.Identifier(name))
        .as_string(None)
    )
    env.sql(
        sql.SQL("alter database {} owner to {}")
        .format(sql.Identifier(str(dbname)), sql.Identifier(name))
        .as_string(None)
    )
    env.sql(f"grant {env.roles.app} to {name}")
    yield name
    with psycopg.connect(env.dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("alter database {} owner to postgres").format(sql.Identifier(str(dbname)))
        )
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


def test_a_managed_services_admin_installs_all_but_the_guard_and_says_so(
    env: AuditEnv, managed_admin: str
) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.sql("insert into customers (id, email, status) values (1, 'old@example.org', 'new')")
    env.write_config(CUSTOMERS_TOML, audit=f'admin_roles = ["{env.roles.other}"]')
    base = ["--config", str(env.config_path)]
    applied = run("--dsn", env.dsn_as(managed_admin), *base, "apply", "--baseline")
    assert applied.exit_code == 0, applied.stderr
    assert "warning: the guard's event triggers need a superuser here" in applied.stdout
    assert "is not refused" in applied.stdout
    # everything else works, each role with its own commands
    env.sql(
        "insert into customers (id, email, status) values (2, 'a@example.org', 'new')",
        role=env.roles.app,
    )
    assert [r["op"] for r in env.log("SNAPSHOT", "INSERT")] == ["SNAPSHOT", "INSERT"]
    assert "a@example.org" not in json.dumps(env.log(), default=str)
    status = run("--dsn", env.auditor_dsn, *base, "status")
    assert status.exit_code == 1
    assert "the guard's ddl_command_end event trigger is missing" in status.stdout
    check = run("--dsn", env.auditor_dsn, *base, "check", "--format", "json")
    kinds = {f["check"] for f in json.loads(check.stdout)["findings"]}
    assert "guard" in kinds
    assert run("--dsn", env.dsn_as(env.roles.other), *base, "seal").exit_code == 0
    seal_all(env)
    verified = run("--dsn", env.auditor_dsn, *base, "verify", "--jobs", "1")
    assert verified.exit_code == 0, verified.stdout
    # apply again changes nothing but the guard it still cannot make, and says so again
    again = run("--dsn", env.dsn_as(managed_admin), *base, "apply")
    assert again.exit_code == 0 and "warning: the guard's event triggers" in again.stdout


def test_an_ordinary_role_may_not_install(env: AuditEnv) -> None:
    env.write_config(CUSTOMERS_TOML)
    env.script(CUSTOMERS_DDL)
    fingerprint = env.catalog_fingerprint()
    result = run("--dsn", env.auditor_dsn, "--config", str(env.config_path), "apply")
    assert result.exit_code == 3
    assert result.stderr.strip().endswith(
        "may not install pgaudit-kit: it is neither a superuser nor a role with CREATEROLE (run "
        "apply and uninstall as the database's administrator (a superuser, or the managed "
        "service's admin role); the other roles run the commands of their lists)"
    )
    assert "use a superuser" not in result.stderr
    assert env.catalog_fingerprint() == fingerprint


@pytest.mark.parametrize(
    "kind", ["app_roles", "auditor_roles", "admin_roles", "investigator_roles"]
)
def test_the_owner_role_cannot_be_one_of_the_configured_roles(env: AuditEnv, kind: str) -> None:
    env.config_path.write_text(
        f'[audit]\nowner_role = "{env.roles.app}"\n{kind} = ["{env.roles.app}"]\n', encoding="utf-8"
    )
    result = run("--dsn", env.dsn, "--config", str(env.config_path), "plan")
    assert result.exit_code == 2
    assert f"owner_role '{env.roles.app}' is also listed in {kind}" in result.stderr


@pytest.mark.parametrize("attribute", ["login", "superuser"])
def test_an_owner_role_that_can_log_in_is_refused_and_reported(
    env: AuditEnv, attribute: str
) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    env.sql(f"create role {env.roles.owner} {'login' if attribute == 'login' else 'superuser'}")
    fingerprint = env.catalog_fingerprint()
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    refused = run(*base, "apply")
    assert refused.exit_code == 2
    what = "can log in" if attribute == "login" else "is a superuser"
    assert f"owner_role '{env.roles.owner}' {what}" in refused.stderr
    assert env.catalog_fingerprint() == fingerprint
    # an owner that gains LOGIN after apply shows in check and status
    env.sql(f"alter role {env.roles.owner} nologin nosuperuser")
    assert run(*base, "apply").exit_code == 0
    env.sql(f"alter role {env.roles.owner} login")
    checked = run(*base, "check")
    assert checked.exit_code == 1 and f"owner_role '{env.roles.owner}' can log in" in checked.stdout
    status = run(*base, "status")
    assert status.exit_code == 1 and "can log in" in status.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["seal"],
        ["verify"],
        ["maintain"],
        ["purge"],
        ["hold", "list"],
        ["key", "rotate"],
        ["key", "shred", "1", "--reason", "order"],
        ["redact", "1", "--reason", "order"],
        ["lookup", "public.customers.email"],
        ["prove", "1", "--out", "p.json"],
        ["uninstall"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_before_install_says_pgaudit_kit_is_not_installed(
    env: AuditEnv, command: list[str]
) -> None:
    env.write_config(CUSTOMERS_TOML)
    for dsn in (env.dsn, env.auditor_dsn):
        result = run("--dsn", dsn, "--config", str(env.config_path), *command, input="x")
        assert result.exit_code == 3, result.stderr
        assert "pgaudit-kit is not installed in schema audit" in result.stderr
        assert "SQLSTATE" not in result.stderr
