"""The real-world schemas in ../shared/realworld, onboarded end to end through the command line
as a new user would: load the schema, ``init``, fill in the role lists only, ``apply
--baseline``, the application's workload as the app role (tests/realworld/<schema>.sql), seal,
``verify`` and ``check``, on PostgreSQL 18 and 15. Skipped, with the reason, only when the
shared folder is absent."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.db.helpers import seal_all
from tests.fixtures.db import AuditEnv
from tests.fixtures.realworld import Schema, schemas

from .helpers import run_ok

WORKLOADS = Path(__file__).resolve().parents[1] / "realworld"


@pytest.mark.slow
@pytest.mark.parametrize("schema", [pytest.param(s, id=s.name) for s in schemas() if s.realworld])
def test_a_real_world_schema_onboards_end_to_end(env: AuditEnv, schema: Schema) -> None:
    env.script(schema.text(env.roles.app))
    workload = WORKLOADS / f"{schema.name}.sql"
    assert workload.exists(), f"write the application's workload for {schema.name} in {workload}"
    base = ("--dsn", env.dsn, "--config", str(env.config_path))

    run_ok(*base, "init")
    env.config_path.write_text(
        env.config_path.read_text(encoding="utf-8")
        .replace("app_roles = []", f'app_roles = ["{env.roles.app}"]')
        .replace("auditor_roles = []", f'auditor_roles = ["{env.roles.auditor}"]')
        .replace('schema = "audit"', f'schema = "audit"\nowner_role = "{env.roles.owner}"'),
        encoding="utf-8",
    )
    with env.config_path.open("rb") as f:
        audited = sorted(tomllib.load(f)["tables"])
    assert audited, "init found tables to audit"
    run_ok(*base, "apply", "--baseline")

    for table in audited:
        env.sql(f"grant select, insert, update, delete on {table} to {env.roles.app}")
    env.sql(f"grant usage on schema public to {env.roles.app}")
    env.script(workload.read_text(encoding="utf-8"), role=env.roles.app)
    changed = {
        row["table_name"] for row in env.log("INSERT", "UPDATE", "DELETE") if row["table_name"]
    }
    assert changed == set(audited), "the workload touches every audited table"
    assert {row["table_name"] for row in env.log("SNAPSHOT")} == set(audited)

    seal_all(env)
    assert run_ok(*base, "verify").stdout.startswith("OK: ")
    assert (
        run_ok(*base, "check").stdout == f"check: no findings ({len(audited)} table(s) audited)\n"
    )
    trail = str(env.sql("select old_values, new_values, row_key from audit.log"))
    personal = ("ann.smith@example.org", "ann@example.net", "+1 555 0100", "Zelphine", "Brandvik")
    for value in (*personal, "17 Quillon Lane", "zelphine.q@example.org"):
        assert value not in trail, f"{value} in plain text in the trail"
