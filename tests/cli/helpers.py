"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from click.testing import CliRunner, Result

from pgaudit_kit.cli import cli


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Invoke ``pgaudit-kit args...``; the result keeps exit code, stdout and stderr apart."""
    return CliRunner(env=env).invoke(cli, list(args), input=input)


def run_ok(*args: str) -> Result:
    """Invoke it and insist on exit code 0 (unexpected exceptions propagate)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr or result.output
    return result


def alembic_project(root: Path) -> Path:
    """A new Alembic project in ``root`` (as ``alembic init migrations`` makes it, in-process);
    returns its alembic.ini."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    ini = root / "alembic.ini"
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(Config(str(ini)), str(root / "migrations"))
    return ini
