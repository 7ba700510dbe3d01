"""The Python API as the README shows it: its example runs as written against a real database,
and a session works on a connection the caller keeps."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

import pgaudit_kit
from pgaudit_kit import Audit
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, CUSTOMERS_TOML

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Python API section has no example"
    return match.group(1)


def test_the_readme_example_runs(env: AuditEnv, capsys: pytest.CaptureFixture[str]) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    code = _readme_example().replace('"pgaudit.toml"', repr(str(env.config_path)))
    code = code.replace('"postgresql://postgres@localhost/shop"', repr(env.dsn))
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    out = capsys.readouterr().out.splitlines()
    assert any("audit public.customers" in line for line in out)
    assert out[-1].startswith("True ")


def test_a_session_on_the_callers_connection_works_in_savepoints(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    with psycopg.connect(env.dsn) as conn:
        audit = Audit(env.config_path.read_text(), conn)
        conn.execute("select 1")  # the caller's transaction is open: apply runs in a savepoint
        assert audit.apply().changed
        conn.rollback()  # the caller's transaction held the install: rolled back, nothing stays
        with Audit(env.config_path, env.dsn) as other:
            assert not other.status().installed
        assert audit.apply().changed
        conn.commit()
        audit.close()  # the caller's connection stays open
        assert not conn.closed
    with Audit(env.config_path, env.dsn) as other:
        assert other.status().installed


def test_a_session_reads_the_callers_connection_whatever_its_datestyle_and_leaves_it(
    env: AuditEnv,
) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    with psycopg.connect(env.dsn) as conn:
        conn.execute("set datestyle = 'German'; set intervalstyle = 'sql_standard'")
        conn.execute("set timezone = 'Asia/Kathmandu'")
        audit = Audit(env.config_path, conn)
        audit.apply()
        conn.execute("select 1")  # inside the caller's transaction: the status runs in a savepoint
        assert audit.status().problems == ()
        shown = conn.execute("show datestyle").fetchone(), conn.execute("show timezone").fetchone()
        assert shown == (("German, DMY",), ("Asia/Kathmandu",))
        assert conn.execute("show intervalstyle").fetchone() == ("sql_standard",)


@pytest.mark.parametrize("in_transaction", [True, False])
def test_apply_on_the_callers_connection_gives_back_its_search_path_timeout_and_role(
    env: AuditEnv, in_transaction: bool
) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    env.sql(f"create role {env.roles.other}_su superuser nologin")
    try:
        with psycopg.connect(env.dsn, autocommit=not in_transaction) as conn:
            conn.execute("""set search_path = '"we, ird"', "$user", public""")
            conn.execute("set lock_timeout = '7s'")
            conn.execute(f"set role {env.roles.other}_su")
            before = conn.execute(
                "select current_setting('search_path'), current_setting('lock_timeout'),"
                " current_user"
            ).fetchone()
            Audit(env.config_path, conn).apply(baseline=True)
            after = conn.execute(
                "select current_setting('search_path'), current_setting('lock_timeout'),"
                " current_user"
            ).fetchone()
            assert after == before
            if in_transaction:
                conn.commit()
        assert env.sql("select count(*) from audit.audited_tables") == [(1,)]
    finally:
        env.sql(f"drop role if exists {env.roles.other}_su")


def test_numbers_are_checked_before_a_connection_is_made(tmp_path: Path) -> None:
    config = '[audit]\napp_roles = ["app"]\n'
    audit = Audit(config, "postgresql://nobody@127.0.0.1:1/none")  # never reached
    with pytest.raises(pgaudit_kit.InputError, match="max_rows 0 is not in the range 1 to"):
        audit.seal(max_rows=0)
    with pytest.raises(pgaudit_kit.InputError, match="row id 9223372036854775808 is not"):
        audit.redact(2**63, "order")
    with pytest.raises(pgaudit_kit.InputError, match="hold id 2147483648 is not"):
        audit.hold_release(2**31, reason="closed")
    with pytest.raises(pgaudit_kit.InputError, match="--lock-timeout '-1s' is not a duration"):
        audit.apply(lock_timeout="-1s")


def test_the_package_exports_its_api() -> None:
    assert pgaudit_kit.__version__ and pgaudit_kit.__version__ != "0+unknown"
    assert pgaudit_kit.Audit is Audit
    assert issubclass(pgaudit_kit.ConfigError, pgaudit_kit.InputError)
    config = pgaudit_kit.load_config('[audit]\nowner_role = "o"\n')
    assert isinstance(config, pgaudit_kit.Config) and config.owner_role == "o"
    with pytest.raises(AttributeError):
        _ = pgaudit_kit.nothing
