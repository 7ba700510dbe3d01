"""seal, verify, keygen, digest, prove and verify-proof through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.db.helpers import audited_customers, seal_all
from tests.fixtures.db import AuditEnv

from .helpers import run, run_ok


def test_the_auditor_workflow(env: AuditEnv, tmp_path: Path) -> None:
    audited_customers(env)
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null from generate_series(1, 10) g",
        role=env.roles.app,
    )
    sealed = run_ok(*base, "seal", "--format", "json")
    seal_all(env)  # the horizon is cluster-wide: on a shared server another test may hold it
    assert json.loads(sealed.stdout)["schema_version"] == 1
    assert run_ok(*base, "seal").stdout == "nothing to seal\n"
    keys = tmp_path / "keys"
    assert "keep it secret" in run_ok("keygen", "--out", str(keys)).stdout
    key, pub = keys / "pgaudit-kit-signing.key", keys / "pgaudit-kit-signing.pub"
    digest = json.loads(
        run_ok(
            *base,
            "digest",
            "--signing-key",
            str(key),
            "--out",
            str(tmp_path / "d"),
            "--format",
            "json",
        ).stdout
    )
    verified = run_ok(*base, "verify", "--digests", str(tmp_path / "d"), "--pubkey", str(pub))
    assert (
        verified.stdout.startswith("OK: ")
        and "checked against 1 signed digest(s)" in verified.stdout
    )
    row = env.sql("select max(id) from audit.log_rows where op = 'INSERT'")[0][0]
    run_ok(*base, "prove", str(row), "--out", str(tmp_path / "p.json"))
    checked = run_ok(
        "verify-proof", str(tmp_path / "p.json"), "--digest", digest["path"], "--pubkey", str(pub)
    )
    assert checked.stdout.startswith(f"OK: row {row} is in block ")


def test_verify_exits_1_and_lists_each_problem(env: AuditEnv) -> None:
    audited_customers(env)
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    seal_all(env)
    victim = env.sql("select id from audit.log_rows where op = 'INSERT'")[0][0]
    env.sql("update audit.log_rows set new_values = '{}' where id = %s", [victim])
    result = run(*base, "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("TAMPERED: ")
    (block,) = env.sql("select max(block_no) from audit.blocks")[0]
    assert (
        f"  edited: block {block}, row {victim}: content differs from what was sealed"
        in result.stdout
    )
    document = json.loads(run(*base, "verify", "--format", "json").stdout)
    assert document["ok"] is False and document["problems"][0]["kind"] == "edited"


def test_verify_with_a_wrong_key_exits_2(env: AuditEnv, tmp_path: Path) -> None:
    audited_customers(env)
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    seal_all(env)
    run_ok("keygen", "--out", str(tmp_path / "a"))
    run_ok("keygen", "--out", str(tmp_path / "b"))
    run_ok(
        *base,
        "digest",
        "--signing-key",
        str(tmp_path / "a" / "pgaudit-kit-signing.key"),
        "--out",
        str(tmp_path / "d"),
    )
    result = run(
        *base,
        "verify",
        "--digests",
        str(tmp_path / "d"),
        "--pubkey",
        str(tmp_path / "b" / "pgaudit-kit-signing.pub"),
    )
    assert result.exit_code == 2 and "not signed by key pgaudit-kit-" in result.stderr
    assert result.stderr.count("\n") == 1
    lone = run(*base, "verify", "--digests", str(tmp_path / "d"))
    assert lone.exit_code == 2 and "--digests and --pubkey go together" in lone.stderr


def test_verify_proof_of_a_garbage_file_exits_2(tmp_path: Path) -> None:
    run_ok("keygen", "--out", str(tmp_path / "k"))
    (tmp_path / "p.json").write_text("garbage")
    (tmp_path / "d.json").write_text("{}")
    result = run(
        "verify-proof",
        str(tmp_path / "p.json"),
        "--digest",
        str(tmp_path / "d.json"),
        "--pubkey",
        str(tmp_path / "k" / "pgaudit-kit-signing.pub"),
    )
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"{tmp_path / 'p.json'}: not a pgaudit-kit proof (not JSON) (pass a file written by pgaudit-kit prove)\n"
    )
