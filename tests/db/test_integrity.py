"""integrity(): every function of the audit schema is fingerprinted as pgaudit-kit made it, and
the toolkit templates define each function exactly as the installed head revision does, so that
apply can put back a replaced function from its template."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from pgaudit_kit import sqlfiles, toolkit_schema
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers

FUNCTION_TEMPLATES = [name for name in sqlfiles.TOOLKIT if name.startswith("toolkit/functions/")]


def _digests(env: AuditEnv) -> dict[str, str]:
    return {
        str(signature): str(digest)
        for signature, digest in env.sql(
            "select d.signature, audit.function_digest(d.function_oid)"
            " from audit.function_digests d"
        )
    }


def test_a_fresh_install_is_whole(env: AuditEnv) -> None:
    audited_customers(env)
    assert env.sql("select * from audit.integrity()") == []
    (functions,) = env.sql(
        "select count(*) from pg_proc where pronamespace = 'audit'::regnamespace"
    )[0]
    assert len(_digests(env)) == functions


def test_every_toolkit_function_template_defines_what_head_installed(env: AuditEnv) -> None:
    """Running each template again (as apply's repair does) changes no function."""
    audited_customers(env)
    before = _digests(env)
    values = toolkit_schema.params("audit", env.roles.owner)
    with psycopg.connect(env.dsn) as conn:
        conn.execute("select audit.begin_maintenance('test')")
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(env.roles.owner)))
        for name in FUNCTION_TEMPLATES:
            conn.execute(sqlfiles.render(name, **values))
    assert _digests(env) == before
    assert env.sql("select * from audit.integrity()") == []


def test_each_function_template_is_named_after_its_function() -> None:
    for name in FUNCTION_TEMPLATES:
        stem = name.removeprefix("toolkit/functions/").removesuffix(".sql")
        assert f"{{schema}}.{stem}(" in sqlfiles.text(name), name


@pytest.mark.parametrize("kind", ["changed", "missing"])
def test_integrity_reports_a_function_changed_or_gone(env: AuditEnv, kind: str) -> None:
    audited_customers(env)
    change = (
        "create or replace function audit.claim_text(p_value text) returns text"
        " language sql immutable parallel safe return ''"
        if kind == "changed"
        else "drop function audit.pick(jsonb, text[])"
    )
    env.script(f"select audit.begin_maintenance('by hand'); {change}")
    ((found, name),) = env.sql("select kind, name from audit.integrity()")
    assert found == f"function {kind}"
    assert name == ("claim_text" if kind == "changed" else "pick")
