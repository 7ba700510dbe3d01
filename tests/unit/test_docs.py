"""Every command has help text and a section in the README, and the README starts with exactly the
two set-up commands that .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pgaudit_kit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


@pytest.mark.parametrize(
    ("name", "command"), _commands(cli), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_command_has_help_and_a_readme_section(name: str, command: click.Command) -> None:
    assert command.help and "Example:" in command.help, (
        f"{name}: help needs a summary and an Example"
    )
    assert f"### `pgaudit-kit {name}`" in README


def test_readme_starts_with_the_two_setup_commands_ci_runs() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block and README.index("```sh") < README.index("\n## ")
    commands = first_block.group(1).strip().splitlines()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    for command in commands:
        assert command in ci.splitlines(), f"{command!r} is not run by .ci/run"


def test_the_readme_lists_every_problem_kind_and_what_it_needs() -> None:
    from pgaudit_kit.problems import NEED_ARCHIVE, NEED_DIGESTS, NEED_WITNESS, PROBLEM_KINDS

    rows = re.findall(r"^  \| (`.*?`) \| .*? \| (no|digests|archive|witness) \|$", README, re.M)
    listed = {kind: needs for names, needs in rows for kind in re.findall(r"`(\w+)`", names)}
    assert set(listed) == set(PROBLEM_KINDS)
    assert {k for k, needs in listed.items() if needs == "digests"} == NEED_DIGESTS
    assert {k for k, needs in listed.items() if needs == "archive"} == NEED_ARCHIVE
    assert {k for k, needs in listed.items() if needs == "witness"} == NEED_WITNESS
