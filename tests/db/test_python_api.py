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


def test_the_package_exports_its_api() -> None:
    assert pgaudit_kit.__version__ and pgaudit_kit.__version__ != "0+unknown"
    assert pgaudit_kit.Audit is Audit
    assert issubclass(pgaudit_kit.ConfigError, pgaudit_kit.InputError)
    config = pgaudit_kit.load_config('[audit]\nowner_role = "o"\n')
    assert isinstance(config, pgaudit_kit.Config) and config.owner_role == "o"
    with pytest.raises(AttributeError):
        _ = pgaudit_kit.nothing
