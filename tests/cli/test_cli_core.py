"""The command line: exit codes, one-line errors, JSON documents, and the API underneath."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.db.helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, alembic_project
from tests.fixtures.db import AuditEnv

from .helpers import run, run_ok


def _ready(env: AuditEnv) -> list[str]:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    return ["--dsn", env.dsn, "--config", str(env.config_path)]


def test_plan_apply_status_through_the_cli(env: AuditEnv) -> None:
    base = _ready(env)
    plan = run_ok(*base, "plan")
    assert (
        'create or replace trigger pgaudit_insert after insert on "public"."customers"'
        in plan.stdout
    )
    applied = run_ok(*base, "apply")
    head, *steps = applied.stdout.splitlines()
    assert head == f"applied {len(steps)} step(s):"
    assert steps[0].startswith("  create the NOLOGIN owner role")
    assert steps[-1] == "  audit public.customers (1 hash, 1 mask:card, 1 omit, 3 plain)"
    assert (
        run_ok(*base, "apply").stdout == "nothing to do: the database already matches the config\n"
    )
    assert run_ok(*base, "plan").stdout == "-- nothing to do: the database matches the config\n"
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    status = json.loads(run_ok(*base, "status", "--format", "json").stdout)
    assert status["schema_version"] == 1 and status["installed"] and status["problems"] == []
    (table,) = status["tables"]
    assert (table["table"], table["rows"], table["healthy"]) == ("public.customers", 1, True)
    assert table["policies"]["email"] == "hash"
    text = run_ok(*base, "status").stdout
    assert "public.customers: 1 row(s), triggers ok, key ['id']" in text


def test_status_exits_1_when_a_trigger_is_missing(env: AuditEnv) -> None:
    base = _ready(env)
    run_ok(*base, "apply")
    env.script("select audit.begin_maintenance('test'); drop trigger pgaudit_delete on customers;")
    result = run(*base, "status")
    assert result.exit_code == 1
    assert (
        "problem: public.customers: trigger pgaudit_delete on customers is missing (run pgaudit-kit apply)"
        in result.stdout
    )


def test_unknown_policy_exits_2_and_names_the_line(env: AuditEnv) -> None:
    base = _ready(env)
    env.config_path.write_text(
        env.config_path.read_text().replace('email = "hash"', 'email = "hsh"')
    )
    fingerprint = env.catalog_fingerprint()
    result = run(*base, "apply")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{env.config_path}:9: unknown policy 'hsh' for public.customers.email "
        "(use plain, hash, omit, mask:email, mask:card, mask:last4)\n"
    )
    assert env.catalog_fingerprint() == fingerprint


def test_a_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run("--dsn", "dbname=x", "--config", str(tmp_path / "nope.toml"), "plan")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"{tmp_path / 'nope.toml'}: config file not found (create it with 'pgaudit-kit init' or pass --config PATH)\n"
    )


def test_a_malformed_dsn_exits_2(tmp_path: Path) -> None:
    (tmp_path / "pgaudit.toml").write_text("[audit]\n")
    result = run(
        "--config", str(tmp_path / "pgaudit.toml"), "plan", env={"PGAUDIT_DSN": "host=x port"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("PGAUDIT_DSN: invalid connection string: ")
    assert result.stderr.count("\n") == 1


def test_an_unreachable_server_exits_3_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pgaudit.toml").write_text("[audit]\n")
    result = run(
        "--dsn",
        "postgresql://nobody:secret@127.0.0.1:1/x?connect_timeout=2",
        "--config",
        str(tmp_path / "pgaudit.toml"),
        "status",
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("nobody@127.0.0.1:1/x: cannot connect: ")
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.rstrip().endswith(
        "(check --dsn, PGAUDIT_DSN or DATABASE_URL and that the server is running)"
    )


def test_not_installed_exits_3(env: AuditEnv) -> None:
    env.write_config()
    result = run("--dsn", env.dsn, "--config", str(env.config_path), "key", "rotate")
    assert result.exit_code == 3
    assert result.stderr.endswith(
        "pgaudit-kit is not installed in schema audit (run pgaudit-kit apply first, or check [audit] schema in the config)\n"
    )


def test_usage_errors_exit_2() -> None:
    assert run("apply", "--no-such-flag").exit_code == 2
    assert run("status", "--format", "yaml").exit_code == 2


def test_key_rotate_prints_the_new_key(env: AuditEnv) -> None:
    base = _ready(env)
    run_ok(*base, "apply")
    assert run_ok(*base, "key", "rotate").stdout == "key 2 is now current for new rows\n"
    assert json.loads(run_ok(*base, "key", "rotate", "--format", "json").stdout) == {
        "schema_version": 1,
        "key_id": 3,
    }


def test_init_writes_a_config_that_apply_accepts(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL)
    path = env.tmp / "generated.toml"
    result = run_ok("--dsn", env.dsn, "--config", str(path), "init", "--schema", "public")
    assert "public.customers: email -> hash, card_number -> hash, password -> omit" in result.stdout
    text = path.read_text()
    assert "[tables.'public.customers'.columns]" in text and 'status = "plain"' in text
    assert (
        run("--dsn", env.dsn, "--config", str(path), "init").exit_code == 2
    )  # exists: needs --force
    path.write_text(
        text.replace("app_roles = []", f'app_roles = ["{env.roles.app}"]').replace(
            'schema = "audit"', f'schema = "audit"\nowner_role = "{env.roles.owner}"'
        )
    )
    run_ok("--dsn", env.dsn, "--config", str(path), "apply")
    env.sql("insert into customers values (1, 'a@x.org', '4111111111111111', 'pw', 'new', null)")
    (row,) = env.log("INSERT")
    assert row["new_values"]["email"].startswith("hmac:") and "password" not in row["new_values"]


def test_uninstall_drop_data_asks_first(env: AuditEnv) -> None:
    base = _ready(env)
    run_ok(*base, "apply")
    refused = run(*base, "uninstall", "--drop-data", input="n\n")
    assert refused.exit_code == 1 and env.sql("select to_regnamespace('audit') is not null") == [
        (True,)
    ]
    done = run_ok(*base, "uninstall", "--drop-data", "--yes")
    assert done.stdout == "stopped auditing 1 table(s); guard removed\naudit schema dropped\n"


def test_internal_errors_are_one_line_unless_debug(
    env: AuditEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _ready(env)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("pgaudit_kit.api.status", boom)
    result = run(*base, "status")
    assert result.exit_code == 3
    assert result.stderr == "internal error: RuntimeError: kaboom; rerun with --debug\n"
    assert (
        isinstance(run(*base, "--debug", "status").exception, RuntimeError)
        or run("--debug", *base, "status").exception
    )


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run_ok("demo", "--data-dir", str(tmp_path / "demo"))
    assert "6. plaintext PII anywhere in the audit schema: none" in result.stdout
    assert "ALLOWED" not in result.stdout
    assert "8. status: 7 audited changes, triggers all healthy, guard on" in result.stdout


def test_alembic_revision_through_the_cli(env: AuditEnv, tmp_path: Path) -> None:
    base = _ready(env)
    ini = alembic_project(tmp_path)
    versions = tmp_path / "migrations" / "versions"
    summary = run_ok(*base, "plan", "--summary").stdout.splitlines()
    assert summary[0].startswith("create the NOLOGIN owner role")
    assert summary[-1] == "audit public.customers (1 hash, 1 mask:card, 1 omit, 3 plain)"
    written = run_ok(
        *base, "alembic-revision", "--alembic-ini", str(ini), "-m", "Audit customers",
        "--rev-id", "a1",
    )  # fmt: skip
    assert written.stdout.startswith(
        f"wrote {versions / 'a1_audit_customers.py'} (revision a1, revises base)\n"
    )
    assert "downgrade: 1 step(s)" in written.stdout
    again = run(*base, "alembic-revision", "--alembic-ini", str(ini), "-m", "x", "--rev-id", "a1")
    assert again.exit_code == 2
    assert "database is at Alembic revision base, the project's head is a1" in again.stderr
    for name in ("b1", "b2"):
        (versions / f"{name}.py").write_text(
            f'revision = "{name}"\ndown_revision = "a1"\nbranch_labels = None\ndepends_on = None\n'
        )
    split = run(*base, "alembic-revision", "--alembic-ini", str(ini), "-m", "x")
    assert split.exit_code == 2
    assert split.stderr.count("\n") == 1
    assert "the Alembic project has 2 heads (b1, b2)" in split.stderr
    assert "alembic merge heads" in split.stderr
