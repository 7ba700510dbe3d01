"""Input is checked before anything runs (one line, exit 2, the database unchanged), and every
command works whatever the server's or database's own settings say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg import sql

from tests.db.helpers import audited_customers, seal_all
from tests.fixtures.db import AuditEnv

from .helpers import run, run_ok

BIGINT_PAST = str(2**63)


def _base(env: AuditEnv) -> list[str]:
    return ["--dsn", env.dsn, "--config", str(env.config_path)]


def _refused(env: AuditEnv, *args: str, says: str) -> None:
    """The command exits 2 with one line naming the problem, and changes nothing."""
    before = env.catalog_fingerprint()
    rows_before = env.sql("select count(*) from audit.log_rows")
    result = run(*_base(env), *args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and says in message, message
    assert env.catalog_fingerprint() == before
    assert env.sql("select count(*) from audit.log_rows") == rows_before


def test_a_hold_on_a_table_the_trail_never_held_is_refused(env: AuditEnv) -> None:
    audited_customers(env)
    _refused(
        env,
        "hold", "add", "--reason", "case 1", "--table", "public.nosuch",
        says="public.nosuch is not a table the trail holds",
    )  # fmt: skip
    assert env.sql("select count(*) from audit.holds") == [(0,)]
    run_ok(*_base(env), "hold", "add", "--reason", "case 1", "--table", "public.customers")


def test_a_hold_may_name_a_table_no_longer_audited_whose_rows_remain(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
    seal_all(env)
    env.write_config("")  # customers leaves the config; its audit rows stay
    env.apply()
    added = run_ok(*_base(env), "hold", "add", "--reason", "case 2", "--table", "public.customers")
    assert added.stdout.startswith("legal hold ")


def test_plan_refuses_a_missing_app_role_as_apply_does(env: AuditEnv) -> None:
    audited_customers(env)
    config = env.config_path.read_text().replace(
        f'app_roles = ["{env.roles.app}"]', f'app_roles = ["{env.roles.app}", "nosuch_role"]'
    )
    env.config_path.write_text(config)
    for command in ("plan", "apply"):
        _refused(env, command, says="role 'nosuch_role' in app_roles does not exist")


@pytest.mark.parametrize("value", ["0", "-5", BIGINT_PAST, "many"])
def test_seal_max_rows_must_be_a_positive_bigint(env: AuditEnv, value: str) -> None:
    audited_customers(env)
    env.sql("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
    _refused(env, "seal", "--max-rows", value, says="--max-rows")
    assert env.sql("select count(*) from audit.blocks") == [(0,)]


@pytest.mark.parametrize(
    "value", ["-1s", "soon", "10 parsecs", "1e400", "25d", "\uff11\uff10s", "400us", "0.5ms"]
)
def test_apply_lock_timeout_must_be_a_duration(env: AuditEnv, value: str) -> None:
    env.script("create table public.t (id int primary key)")
    env.write_config('[tables."public.t"]\ncolumns = { id = "plain" }\n')
    before = env.catalog_fingerprint()
    result = run(*_base(env), "apply", "--lock-timeout", value)
    assert result.exit_code == 2, result.output
    assert "--lock-timeout" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert env.catalog_fingerprint() == before
    run_ok(*_base(env), "apply", "--lock-timeout", "1.5s")


@pytest.mark.parametrize(
    "args",
    [
        ("redact", BIGINT_PAST, "--reason", "order"),
        ("redact", "0", "--reason", "order"),
        ("prove", BIGINT_PAST, "--out", "p.json"),
        ("key", "shred", str(2**31), "--reason", "order"),
        ("hold", "release", BIGINT_PAST),
    ],
)
def test_ids_past_their_column_type_are_refused(env: AuditEnv, args: tuple[str, ...]) -> None:
    audited_customers(env)
    _refused(env, *args, says="is not in the range 1<=x<=")


def test_lookup_of_a_column_that_is_not_hashed_is_bad_input(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
    result = run(*_base(env), "lookup", "public.customers.status", input="new\n")
    assert result.exit_code == 2, result.output
    assert "public.customers.status is plain, not hashed" in result.stderr
    result = run(*_base(env), "lookup", "public.customers.nosuch", input="x\n")
    assert result.exit_code == 2 and "nosuch" in result.stderr


@pytest.mark.parametrize(
    "settings",
    [
        {"datestyle": "SQL, DMY", "intervalstyle": "sql_standard", "timezone": "Pacific/Chatham"},
        {"datestyle": "German", "intervalstyle": "iso_8601", "timezone": "America/St_Johns"},
        {
            "datestyle": "Postgres, MDY",
            "intervalstyle": "postgres_verbose",
            "bytea_output": "escape",
        },
    ],
    ids=["sql-dmy", "german", "postgres"],
)
def test_every_command_works_whatever_the_database_sets(
    env: AuditEnv, tmp_path: Path, settings: dict[str, str]
) -> None:
    dbname = env.sql("select current_database()")[0][0]
    for name, value in settings.items():
        env.sql(
            sql.SQL("alter database {} set {} = {}")
            .format(sql.Identifier(dbname), sql.Identifier(name), sql.Literal(value))
            .as_string()
        )
    env.script(
        "create table public.customers (id bigint primary key, email text, born date,"
        " seen timestamptz, wait interval);"
        "insert into public.customers values"
        " (1, 'a@x.org', '1990-02-01', '2026-03-04 05:06:07+00', '1 day 2 hours');"
        f"alter table public.customers owner to {env.roles.app};"
    )
    env.write_config(
        '[tables."public.customers"]\n'
        'columns = { id = "plain", email = "hash", born = "plain", seen = "plain", wait = "plain" }\n'
        'not_pii = ["born", "seen"]\n'
    )
    base = _base(env)
    run_ok(*base, "apply", "--baseline")
    env.sql(
        "update customers set seen = seen + interval '1 day', wait = interval '3 days' where id = 1",
        role=env.roles.app,
    )
    run_ok(*base, "seal")
    seal_all(env)
    keys = tmp_path / "keys"
    run_ok("keygen", "--out", str(keys))
    run_ok(*base, "digest", "--signing-key", str(keys / "pgaudit-kit-signing.key"),
           "--out", str(tmp_path / "d"))  # fmt: skip
    verified = run_ok(*base, "verify", "--digests", str(tmp_path / "d"),
                      "--pubkey", str(keys / "pgaudit-kit-signing.pub"))  # fmt: skip
    assert verified.stdout.startswith("OK: ")
    status = json.loads(run_ok(*base, "status", "--format", "json").stdout)
    assert status["problems"] == []
    run_ok(*base, "hold", "add", "--reason", "case", "--from", "2026-01-01", "--to", "2026-02-01")
    assert "ACTIVE" in run_ok(*base, "hold", "list").stdout
    run_ok(*base, "purge", "--dry-run")
    run_ok(*base, "maintain")
    run_ok(*base, "report", "--out", str(tmp_path / "r"))
    assert run_ok(*base, "check").exit_code == 0
    row = env.sql("select max(id) from audit.log_rows where op = 'UPDATE'")[0][0]
    run_ok(*base, "prove", str(row), "--out", str(tmp_path / "p.json"))
    # the values were rendered under the canonical settings, never the database's
    (new_values,) = env.sql("select new_values::text from audit.log_rows where id = %s", [row])[0]
    assert '"seen": "2026-03-05T05:06:07+00:00"' in new_values and '"wait": "3 days"' in new_values


@pytest.mark.parametrize(
    "args",
    [
        ("hold", "add", "--reason", "case\x001"),
        ("redact", "1", "--reason", "order\x00"),
        ("key", "shred", "1", "--reason", "\x00"),
    ],
    ids=["hold", "redact", "shred"],
)
def test_text_postgresql_cannot_hold_is_refused_before_connecting(
    env: AuditEnv, args: tuple[str, ...]
) -> None:
    audited_customers(env)
    _refused(env, *args, says="contains a NUL character")


def test_a_nul_in_a_looked_up_value_is_refused(env: AuditEnv) -> None:
    audited_customers(env)
    result = run(*_base(env), "lookup", "public.customers.email", input="a\x00b\n")
    assert result.exit_code == 2 and "NUL character" in result.stderr


@pytest.mark.parametrize("args", [["--nosuch"], ["--dsn"], ["nosuch-command"]])
def test_usage_errors_of_the_program_itself_are_one_line(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pgaudit_kit", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "--help" in done.stderr, done.stderr
