"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

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
