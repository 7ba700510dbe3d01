"""The permission matrix: every command, run through the CLI as each persona with its own role.

Personas: the application's role, an auditor, an investigator, an admin, and a superuser that is
not the audit owner. A command a persona may run must work (exit 0, or 1 when it reports
problems); one it may not must be refused with exit 3 and one line naming the role list it needs.
Every CLI command needs a row here and in access.COMMANDS, so a new command cannot slip in
unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import psycopg
import pytest
from psycopg import sql

from pgaudit_kit import access
from pgaudit_kit.cli import cli
from tests.db.helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, alembic_project, seal_all
from tests.fixtures.db import AuditEnv

from .helpers import run

PERSONAS = ("app", "auditor", "investigator", "admin", "superuser")
#: command -> the personas that may run it (the rest are refused).
READERS = {"auditor", "investigator", "admin", "superuser"}
EVERYONE = set(PERSONAS)
MATRIX: dict[str, set[str]] = {
    "init": EVERYONE,
    "plan": READERS,
    "apply": {"superuser"},
    "uninstall": {"superuser"},
    "witness setup": {"superuser"},
    "witness maintain": READERS,
    "alembic-revision": READERS,
    "status": READERS,
    "check": READERS,
    "report": READERS,
    "verify": READERS,
    "digest": READERS,
    "archive": READERS,
    "archive prune": READERS,
    "alerts": {"admin", "superuser"},
    "prove": READERS,
    "hold list": READERS,
    "seal": {"admin", "superuser"},
    "maintain": {"admin", "superuser"},
    "purge": {"admin", "superuser"},
    "hold add": {"admin", "superuser"},
    "hold release": {"admin", "superuser"},
    "key rotate": {"admin", "superuser"},
    "key shred": {"admin", "superuser"},
    "redact": {"admin", "superuser"},
    "lookup": {"investigator", "superuser"},
    "keygen": EVERYONE,
    "verify-proof": EVERYONE,
    "demo": EVERYONE,  # starts a server of its own: not run here (tests/cli/test_cli_core.py)
}
#: The list named in the refusal of each kind of command.
NEEDS = {
    access.READERS: "auditor_roles, admin_roles or investigator_roles",
    access.ADMINS: "admin_roles",
    access.INVESTIGATORS: "investigator_roles",
}


def _cli_commands() -> set[str]:
    names: set[str] = set()
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            names.update(f"{name} {sub}" for sub in command.commands)
            if command.invoke_without_command:  # a command of its own too (archive)
                names.add(name)
        else:
            names.add(name)
    return names


def test_every_command_has_a_row_in_the_matrix_and_in_access() -> None:
    assert set(MATRIX) == _cli_commands()
    assert set(access.COMMANDS) == _cli_commands()


@dataclass
class World:
    """An installed, sealed trail with a digest and a hold, and a DSN per persona."""

    env: AuditEnv
    dsn: dict[str, str]
    keys: Path
    digests: Path
    row_id: int
    hold_id: int
    archive: Path


@pytest.fixture
def world(env: AuditEnv, tmp_path: Path) -> Iterator[World]:
    investigator = f"investigator_{env.roles.app.split('_', 1)[1]}"
    env.sql(sql.SQL("create role {} login").format(sql.Identifier(investigator)).as_string(None))
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(
        CUSTOMERS_TOML,
        audit=f'admin_roles = ["{env.roles.other}"]\ninvestigator_roles = ["{investigator}"]',
    )
    env.apply()
    env.sql(
        "insert into customers select g, 'u' || g || '@example.org', null, 'pw', 'new', null"
        " from generate_series(1, 5) g",
        role=env.roles.app,
    )
    seal_all(env)
    keys, digests = tmp_path / "keys", tmp_path / "digests"
    assert run("keygen", "--out", str(keys)).exit_code == 0
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    signing = ["--signing-key", str(keys / "pgaudit-kit-signing.key")]
    assert run(*base, "digest", *signing, "--out", str(digests)).exit_code == 0
    archive = tmp_path / "archive"
    assert run(*base, "archive", *signing, "--out", str(archive)).exit_code == 0
    (row_id,) = env.sql("select max(id) from audit.log_rows where op = 'INSERT'")[0]
    (hold_id,) = env.sql("select audit.hold_add('standing hold')")[0]
    dsn = {
        "app": env.app_dsn,
        "auditor": env.auditor_dsn,
        "investigator": env.dsn_as(investigator),
        "admin": env.dsn_as(env.roles.other),
        "superuser": env.dsn,
    }
    yield World(env, dsn, keys, digests, row_id, hold_id, archive)
    with psycopg.connect(env.dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(investigator)))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(investigator)))


def _arguments(world: World, command: str, tmp: Path) -> tuple[list[str], str | None]:
    """The command line (after the global options) that runs ``command``, and its input."""
    pub = str(world.keys / "pgaudit-kit-signing.pub")
    tmp.mkdir(parents=True, exist_ok=True)
    project = tmp / "alembic"
    if command == "alembic-revision":
        alembic_project(project)
    proof = tmp / "row.proof.json"
    arguments = {
        "init": ["init", "--force"],
        "plan": ["plan"],
        "apply": ["apply"],
        "uninstall": ["uninstall"],
        "witness setup": ["witness", "setup", "--witness-dsn", world.env.dsn],
        "witness maintain": [
            "witness",
            "maintain",
            "--witness-dsn",
            psycopg.conninfo.make_conninfo(world.env.dsn, dbname="postgres"),
        ],
        "alembic-revision": [
            "alembic-revision",
            "--alembic-ini",
            str(project / "alembic.ini"),
            "-m",
            "audit",
        ],
        "status": ["status"],
        "check": ["check"],
        "report": ["report", "--out", str(tmp / "report")],
        "verify": ["verify", "--digests", str(world.digests), "--pubkey", pub, "--jobs", "1"],
        "digest": [
            "digest",
            "--signing-key",
            str(world.keys / "pgaudit-kit-signing.key"),
            "--out",
            str(tmp / "more-digests"),
        ],
        "archive": [
            "archive",
            "--signing-key",
            str(world.keys / "pgaudit-kit-signing.key"),
            "--out",
            str(tmp / "archive"),
        ],
        "archive prune": [
            "archive",
            "prune",
            "--signing-key",
            str(world.keys / "pgaudit-kit-signing.key"),
            "--out",
            str(world.archive),
        ],
        "alerts": ["alerts", "--fail-on", "high"],
        "prove": ["prove", str(world.row_id), "--out", str(proof)],
        "hold list": ["hold", "list"],
        "seal": ["seal"],
        "maintain": ["maintain"],
        "purge": ["purge", "--dry-run"],
        "hold add": ["hold", "add", "--reason", "case 7"],
        "hold release": ["hold", "release", str(world.hold_id), "--reason", "closed"],
        "key rotate": ["key", "rotate"],
        "key shred": ["key", "shred", "1", "--reason", "erasure order"],
        "redact": ["redact", str(world.row_id), "--reason", "erasure order"],
        "lookup": ["lookup", "public.customers.email"],
        "keygen": ["keygen", "--out", str(tmp / "keys"), "--force"],
        "verify-proof": [
            "verify-proof",
            str(tmp / "missing.proof.json"),
            "--digest",
            str(next(world.digests.iterdir())),
            "--pubkey",
            pub,
        ],
    }[command]
    return arguments, "u1@example.org" if command == "lookup" else None


#: Commands run last for each persona: they change what the others read.
LAST = ("redact", "key shred", "uninstall")


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_runs_its_commands_and_only_those(
    world: World, persona: str, tmp_path: Path
) -> None:
    order = sorted(
        set(MATRIX) - {"demo"}, key=lambda c: (c in LAST, LAST.index(c) if c in LAST else 0)
    )
    wrong = []
    for command in order:
        arguments, stdin = _arguments(world, command, tmp_path / command.replace(" ", "-"))
        config = (
            ["--config", str(tmp_path / "init.toml")]
            if command == "init"
            else ["--config", str(world.env.config_path)]
        )
        result = run("--dsn", world.dsn[persona], *config, *arguments, input=stdin)
        allowed = persona in MATRIX[command]
        needs = NEEDS.get(access.COMMANDS[command])
        if allowed:
            ok = result.exit_code in (0, 1) and "is not in" not in result.stderr
            if command == "verify-proof":  # no such proof file: bad input, from anyone
                ok = result.exit_code == 2
            if command == "witness setup":  # set up in tests/db/test_witness.py, on a primary
                ok = result.exit_code == 3 and "wal_level" in result.stderr  # with logical WAL
            if command == "witness maintain":  # the primary is no witness (test_witness.py)
                ok = result.exit_code == 3 and "the witness holds no trail" in result.stderr
        elif needs is not None:
            ok = (
                result.exit_code == 3
                and f"is not in {needs}, which {command} needs" in result.stderr
                and len(result.stderr.strip().splitlines()) == 1
            )
        else:  # apply and uninstall need the installer
            ok = result.exit_code == 3 and "may not install" in result.stderr
        if not ok:
            wrong.append((command, result.exit_code, (result.stderr or result.stdout).strip()))
    assert not wrong, json.dumps(wrong, indent=1)
