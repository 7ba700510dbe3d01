"""Investigator and erasure workflows: lookup by value, crypto-shredding, redaction; and that only
the configured roles can run them."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import api
from pgaudit_kit.errors import InputError, PgAuditError
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, seal_all

EMAIL = "ann@example.org"


def _customers(env: AuditEnv, *, role: str = "investigator_roles") -> None:
    """Customers audited, with the test's 'other' login as investigator or admin."""
    audited_customers(env, audit=f'{role} = ["{env.roles.other}"]')
    env.sql(
        f"insert into customers values (1, '{EMAIL}', null, 'pw', 'new', null),"
        " (2, 'bob@example.org', null, 'pw', 'new', null)",
        role=env.roles.app,
    )


# --- lookup ------------------------------------------------------------------------------------


def test_lookup_finds_the_rows_of_a_value_under_every_key(env: AuditEnv) -> None:
    _customers(env)
    api.rotate_key(env.config_path, env.dsn)
    env.sql(f"update customers set email = '{EMAIL}' where id = 2", role=env.roles.app)
    found = api.lookup(
        env.config_path, env.dsn_as(env.roles.other), "public.customers.email", EMAIL
    )
    assert [(r.op, r.row_key, r.in_old, r.in_new) for r in found.rows] == [
        ("INSERT", {"id": 1}, False, True),
        ("UPDATE", {"id": 2}, False, True),
    ]
    assert len({r.key_id for r in found.rows}) == 2  # one row under each key


def test_a_wrong_value_finds_nothing(env: AuditEnv) -> None:
    _customers(env)
    found = api.lookup(
        env.config_path, env.dsn_as(env.roles.other), "public.customers.email", "ann@example.com"
    )
    assert found.rows == ()


def test_each_lookup_is_audited_without_the_value(env: AuditEnv) -> None:
    _customers(env)
    api.lookup(env.config_path, env.dsn_as(env.roles.other), "public.customers.email", EMAIL)
    (event,) = env.log("LOOKUP")
    assert event["login_role"] == env.roles.other
    assert event["table_name"] == "public.customers"
    assert event["new_values"] == {"column": "email", "matches": 1}
    assert EMAIL not in json.dumps(event, default=str)


@pytest.mark.parametrize("column", ["status", "password", "nope"])
def test_only_hashed_columns_can_be_looked_up(env: AuditEnv, column: str) -> None:
    _customers(env)
    said = rf"customers\.{column} is \w+, not hashed|customers has no audited column {column}"
    with pytest.raises(InputError, match=said):  # bad input, told before the function runs
        api.lookup(
            env.config_path, env.dsn_as(env.roles.other), f"public.customers.{column}", "new"
        )
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="is not a hashed column"):
        env.sql(
            f"select * from audit.lookup('public.customers', '{column}', 'new')",
            role=env.roles.other,
        )


def test_a_malformed_column_is_an_input_error(env: AuditEnv) -> None:
    _customers(env)
    with pytest.raises(InputError, match="does not name a column"):
        api.lookup(env.config_path, env.dsn_as(env.roles.other), "customers.email", EMAIL)


@pytest.mark.parametrize("who", ["app", "auditor"])
def test_app_and_auditor_roles_cannot_look_up(env: AuditEnv, who: str) -> None:
    _customers(env)
    role = getattr(env.roles, who)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql(f"select * from audit.lookup('public.customers', 'email', '{EMAIL}')", role=role)


def test_cli_lookup_reads_the_value_from_stdin_not_argv(env: AuditEnv) -> None:
    _customers(env)
    base = ["--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path)]
    result = run(*base, "lookup", "public.customers.email", input=EMAIL + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("1 audit row(s) of public.customers held that email")
    assert EMAIL not in result.stdout
    extra = run(*base, "lookup", "public.customers.email", EMAIL)
    assert extra.exit_code == 2  # no value on the command line


# --- shred -------------------------------------------------------------------------------------


def test_a_shredded_key_cannot_link_its_tokens_and_verify_still_passes(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    admin = env.dsn_as(env.roles.other)
    (first,) = env.sql("select max(key_id) from audit.hmac_keys")[0]
    api.shred_key(env.config_path, admin, first, "erasure order 17")
    keys = env.sql("select key_id, k_in, k_out, shredded_at is not null, shred_reason"
                   " from audit.hmac_keys order by key_id")  # fmt: skip
    assert keys[0] == (first, None, None, True, "erasure order 17")
    assert keys[1][0] == first + 1 and keys[1][1] is not None  # rotated first: capture goes on
    env.sql("insert into customers values (3, 'c@example.org', null, 'pw', 'new', null)",
            role=env.roles.app)  # fmt: skip
    shred_events = [e["new_values"] for e in env.log("KEY") if e["new_values"]["action"] == "shred"]
    assert shred_events == [{"action": "shred", "key_id": first, "reason": "erasure order 17"}]
    seal_all(env)
    report = api.verify(env.config_path, env.dsn)
    assert report.ok, report.problems
    with pytest.raises(PgAuditError, match="already shredded"):
        api.shred_key(env.config_path, admin, first, "again")


def test_lookup_no_longer_finds_rows_under_a_shredded_key(env: AuditEnv) -> None:
    audited_customers(
        env,
        audit=f'investigator_roles = ["{env.roles.auditor}"]\nadmin_roles = ["{env.roles.other}"]',
    )
    env.sql(f"insert into customers values (1, '{EMAIL}', null, 'pw', 'new', null)",
            role=env.roles.app)  # fmt: skip
    investigator = env.dsn_as(env.roles.auditor)
    assert len(api.lookup(env.config_path, investigator, "public.customers.email", EMAIL).rows) == 1
    (first,) = env.sql("select max(key_id) from audit.hmac_keys")[0]
    api.shred_key(env.config_path, env.dsn_as(env.roles.other), first, "erasure")
    assert api.lookup(env.config_path, investigator, "public.customers.email", EMAIL).rows == ()


@pytest.mark.parametrize("who", ["app", "auditor"])
def test_app_and_auditor_roles_cannot_shred_or_redact(env: AuditEnv, who: str) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    role = getattr(env.roles, who)
    for statement in ("select audit.shred_key(1, 'x')", "select audit.redact(1, 'x')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            env.sql(statement, role=role)
    assert env.sql("select count(*) from audit.hmac_keys where shredded_at is not null") == [(0,)]
    assert env.sql("select count(*) from audit.redactions") == [(0,)]


def test_an_investigator_cannot_shred_or_redact(env: AuditEnv) -> None:
    _customers(env)
    for statement in ("select audit.shred_key(1, 'x')", "select audit.redact(1, 'x')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            env.sql(statement, role=env.roles.other)


# --- redact ------------------------------------------------------------------------------------


def _insert_row_id(env: AuditEnv, customer_id: int) -> int:
    (row_id,) = env.sql(
        "select id from audit.log where op = 'INSERT' and row_key ->> 'id' = %s",
        [str(customer_id)],
    )[0]
    return int(row_id)


def test_a_redacted_row_still_verifies_and_is_reported_as_redacted(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    row_id = _insert_row_id(env, 1)
    result = api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "court order 77")
    # redact seals its REDACT event at once, and says whether it could (on a shared server
    # another test's transaction may hold the horizon)
    (sealed,) = env.sql(
        "select max(b.txid_hi) > (select max(txid) from audit.log_rows where op = 'REDACT')"
        " from audit.blocks b"
    )[0]
    assert result.sealed == sealed
    (row,) = env.sql("select old_values::text, new_values::text from audit.log where id = %s",
                     [row_id])  # fmt: skip
    assert row == (None, '{"redacted": true}')
    (event,) = env.log("REDACT")
    assert event["new_values"]["row_id"] == row_id and event["login_role"] == env.roles.other
    seal_all(env)
    report = api.verify(env.config_path, env.dsn)
    assert report.ok, report.problems
    assert [(r.row_id, r.reason, r.redacted_by) for r in report.redacted] == [
        (row_id, "court order 77", env.roles.other)
    ]
    assert report.to_json()["redacted"][0]["row_id"] == row_id
    with pytest.raises(PgAuditError, match="already redacted"):
        api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "again")


def test_a_redacted_row_changed_again_is_tampering(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    row_id = _insert_row_id(env, 1)
    api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "court order 77")
    seal_all(env)
    env.sql(
        "update audit.log_rows set new_values = '{\"redacted\": false}' where id = %s", [row_id]
    )
    report = api.verify(env.config_path, env.dsn)
    assert [(p.kind, p.row_id) for p in report.problems] == [
        ("forged_redaction", row_id),
        ("edited", row_id),
    ]


def test_a_redaction_nobody_recorded_is_reported(env: AuditEnv) -> None:
    """A superuser who edits a row and forges a redaction row for it, without the REDACT event
    redact() writes, excuses nothing."""
    _customers(env, role="admin_roles")
    seal_all(env)
    row_id = _insert_row_id(env, 1)
    env.sql('update audit.log_rows set new_values = \'{"email": "x"}\' where id = %s', [row_id])
    env.sql(
        "insert into audit.redactions (row_id, reason, redacted_by, payload_digest,"
        " redacted_digest) select id, 'forged', 'nobody', repeat('0', 64),"
        " audit.payload_digest(l) from audit.log_rows as l where id = %s",
        [row_id],
    )
    report = api.verify(env.config_path, env.dsn)
    kinds = {(p.kind, p.row_id) for p in report.problems}
    assert ("forged_redaction", row_id) in kinds and ("edited", row_id) in kinds


def test_only_sealed_rows_can_be_redacted_and_a_reason_is_required(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    admin = env.dsn_as(env.roles.other)
    with pytest.raises(PgAuditError, match="not sealed yet"):
        api.redact(env.config_path, admin, _insert_row_id(env, 1), "order")
    seal_all(env)
    with pytest.raises(PgAuditError, match="needs a reason"):
        api.redact(env.config_path, admin, _insert_row_id(env, 1), "  ")
    with pytest.raises(PgAuditError, match="does not exist"):
        api.redact(env.config_path, admin, 10**9, "order")
    assert env.sql("select count(*) from audit.redactions") == [(0,)]


def test_a_redacted_row_cannot_be_proved(env: AuditEnv, tmp_path: Path) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    row_id = _insert_row_id(env, 1)
    api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "court order 77")
    with pytest.raises(InputError, match="was redacted"):
        api.prove(env.config_path, env.dsn, row_id, out=tmp_path / "proof.json")


def test_cli_shred_and_redact(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    base = ["--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path)]
    row_id = _insert_row_id(env, 2)
    redacted = run(*base, "redact", str(row_id), "--reason", "order 9")
    assert redacted.exit_code == 0, redacted.stderr
    # redact seals at once unless another session holds the horizon (a shared server's tests)
    assert redacted.stdout.startswith(f"row {row_id} redacted: order 9\n")
    seal_all(env)
    shredded = run(*base, "key", "shred", "1", "--reason", "order 9")
    assert shredded.exit_code == 0, shredded.stderr
    again = run(*base, "key", "shred", "1", "--reason", "order 9")
    assert again.exit_code == 3 and len(again.stderr.strip().splitlines()) == 1
    verify = run("--dsn", env.dsn, "--config", str(env.config_path), "verify")
    assert verify.exit_code == 0, verify.stdout
    assert f"redacted: row {row_id} on " in verify.stdout


def test_bad_input_exits_2_in_one_line_and_changes_nothing(env: AuditEnv) -> None:
    _customers(env, role="admin_roles")
    seal_all(env)
    before = env.sql("select count(*) from audit.log_rows")
    base = ["--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path)]
    for args, stdin in (
        (("redact", "1", "--reason", "  "), None),
        (("key", "shred", "1", "--reason", ""), None),
        (("lookup", "public.customers.email"), ""),
        (("lookup", "customers.email"), EMAIL),
    ):
        result = run(*base, *args, input=stdin)
        assert result.exit_code == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert env.sql("select count(*) from audit.log_rows") == before
    assert env.sql("select count(*) from audit.redactions") == [(0,)]
    assert env.sql("select count(*) from audit.hmac_keys where shredded_at is not null") == [(0,)]
