"""check through the command line: exit codes, one line per finding, JSON."""

from __future__ import annotations

import json

from tests.db.helpers import audited_customers
from tests.fixtures.db import AuditEnv

from .helpers import run, run_ok


def test_check_exits_0_when_clean_and_1_with_one_line_per_finding(env: AuditEnv) -> None:
    audited_customers(env, audit='require = ["public.*"]')
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    assert run_ok(*base, "check").stdout == "check: no findings (1 table(s) audited)\n"
    env.script("create table public.orders (id int primary key)")
    env.sql("alter table customers add column phone text", role=env.roles.app)
    result = run(*base, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "public.customers.phone: not classified, so stored as hash; add it to columns in "
        '[tables."public.customers"] of pgaudit.toml or tag its comment pgaudit:<policy> '
        "[unclassified]",
        'public.orders: matches require pattern "public.*" but is not audited; add '
        '[tables."public.orders"] to pgaudit.toml, or an exempt pattern [not-audited]',
        "public.customers: its columns changed (added phone text); captured generically until "
        "pgaudit-kit apply regenerates capture [drift]",
    ]
    assert result.stderr == "check: 3 finding(s)\n"
    as_json = run(*base, "check", "--format", "json")
    assert as_json.exit_code == 1
    document = json.loads(as_json.stdout)
    assert document["schema_version"] == 1 and document["ok"] is False
    assert [f["check"] for f in document["findings"]] == ["unclassified", "not-audited", "drift"]
    assert document["findings"][0] == {
        "check": "unclassified",
        "subject": "public.customers.phone",
        "message": document["findings"][0]["message"],
    }


def test_check_with_a_bad_require_pattern_exits_2(env: AuditEnv) -> None:
    env.write_config(audit='require = ["customers"]')
    result = run("--dsn", env.dsn, "--config", str(env.config_path), "check")
    assert result.exit_code == 2
    assert "require pattern 'customers' does not name schema.table" in result.stderr
