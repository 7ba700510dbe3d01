"""Revision files for the application's own Alembic project (``alembic-revision``).

A DBA who ships every change through reviewed migrations gets pgaudit-kit's changes as one more
revision, written by the project's own Alembic: its ``script.py.mako``, ``file_template`` and
post-write hooks (a formatter, say), through ``ScriptDirectory.generate_revision``. The revision
is short enough to review: the config it makes the database match (one column per line), the
config installed before (what its downgrade goes back to), and each step's description with the
SHA-256 of its SQL, the SQL ``pgaudit-kit plan --sql`` shows in full (the toolkit schema is one
step, named by its toolkit revision, whose frozen SQL ships with pgaudit-kit).
:mod:`pgaudit_kit.alembic_ops` runs them inside the migration, and runs nothing it was not
reviewed with.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError, rev_id
from psycopg import sql

from . import generate, install, sqlfiles
from .catalog import Installed
from .config import Config, TableConfig, dumps, loads
from .errors import InputError
from .generate import ROUTINE_KINDS, Plan, PlanOptions, Step, descriptions, text_sha256
from .identifiers import parse_qualified_name
from .policies import Policy
from .results import Result, json_with

#: What the revision's module level and functions hold: the project's template places them.
_IMPORTS = """
from pgaudit_kit import alembic_ops as pgaudit_kit_ops

# Written by pgaudit-kit {version} (`pgaudit-kit alembic-revision`) from {config_name}, against a
# database at revision {down}. upgrade() makes the database match CONFIG, running only the steps
# of UPGRADE_STEPS (each held to the SHA-256 of the SQL `pgaudit-kit plan --sql` showed: if
# pgaudit-kit would run anything else, the migration stops and names the step). downgrade() makes
# the audited tables match CONFIG_BEFORE, the design installed when this was written; the audit
# schema, its keys, grants and the guard stay. Both run as `pgaudit-kit apply` does: as a
# superuser, over the psycopg 3 driver, inside the migration's transaction.
CONFIG = {config}
CONFIG_SHA256 = {config_sha256!r}

CONFIG_BEFORE = {config_before}

UPGRADE_STEPS = [
{steps}]
"""
_UPGRADE = (
    "pgaudit_kit_ops.upgrade(op, CONFIG, UPGRADE_STEPS, baseline={baseline}, "
    "config_sha256=CONFIG_SHA256)"
)
_DOWNGRADE = "pgaudit_kit_ops.downgrade(op, CONFIG_BEFORE)"


@dataclass(frozen=True)
class Project:
    """The application's Alembic project: its scripts, single head (None: no revisions yet), and
    the versions folder a new revision goes into (None: the project's only one)."""

    script: ScriptDirectory
    head: str | None
    versions_dir: Path | None = None


def read_project(alembic_ini: Path, versions_dir: Path | None = None) -> Project:
    """Read the project ``alembic_ini`` configures, as the alembic command would.

    :raises InputError: when the file or its scripts cannot be read, or the project has several
        heads (a new revision would not know which one it follows).
    """
    if not alembic_ini.is_file():
        raise InputError(
            f"Alembic config {alembic_ini} does not exist",
            hint="run this from the project's folder, or point --alembic-ini at its alembic.ini",
        )
    try:
        script = ScriptDirectory.from_config(AlembicConfig(str(alembic_ini)))
        heads = script.get_heads()
    except (CommandError, KeyError, OSError) as e:
        raise InputError(
            f"cannot read the Alembic project of {alembic_ini}: {e}",
            hint="fix script_location or the revision files, then run this again",
        ) from e
    if len(heads) > 1:
        raise InputError(
            f"the Alembic project has {len(heads)} heads ({', '.join(sorted(heads))})",
            where=str(alembic_ini),
            hint="merge them first (alembic merge heads -m ...), then write the revision",
        )
    if versions_dir is not None and not versions_dir.is_dir():
        raise InputError(
            f"Alembic versions folder {versions_dir} does not exist",
            hint="name one of the project's version_locations, or leave --versions-dir out",
        )
    return Project(script, heads[0] if heads else None, versions_dir)


def write(
    project: Project,
    message: str,
    upgrade: Plan,
    config: Config,
    before: Config,
    *,
    baseline: bool = False,
    revision: str | None = None,
) -> tuple[str, Path]:
    """Write the revision through the project's own Alembic; returns its id and path.

    :raises InputError: when ``revision`` is not a usable id, or Alembic refuses to write it.
    """
    revision = revision or rev_id()
    if not re.fullmatch(r"[A-Za-z0-9_]{1,32}", revision):
        raise InputError(
            f"revision id {revision!r} is not allowed",
            hint="use up to 32 letters, digits and underscores, or leave --rev-id out",
        )
    if revision in {r.revision for r in project.script.walk_revisions()}:
        raise InputError(f"revision {revision} already exists", hint="choose another --rev-id")
    after_text, before_text = dumps(config).rstrip("\n"), dumps(before).rstrip("\n")
    for text in (after_text, before_text):
        loads(text, path=Path("<alembic revision>"))  # what the migration will load must load
    config_literal = py_string(after_text)
    imports = _IMPORTS.format(
        version=version("pgaudit-kit"),
        config_name=repr(config.path.name)[1:-1],
        down=project.head or "base",
        config=config_literal,
        config_before=py_string(before_text),
        # of the value the migration reads: the literal's, newlines around it included
        config_sha256=text_sha256(ast.literal_eval(config_literal)),
        steps="".join(
            f"    (\n        {s.description!r},\n        {s.sha256!r},\n    ),\n"
            for s in upgrade.steps
            if s.kind not in ROUTINE_KINDS
        ),
    )
    try:
        # Alembic says what it writes and which hooks it runs on stdout; results own stdout
        with contextlib.redirect_stdout(sys.stderr):
            script = project.script.generate_revision(
                revision,
                message,
                head=project.head or "base",
                version_path=project.versions_dir,
                imports=imports,
                upgrades=_UPGRADE.format(baseline=baseline),
                downgrades=_DOWNGRADE,
            )
    except CommandError as e:
        raise InputError(f"Alembic did not write the revision: {e}") from e
    assert script is not None
    path = Path(script.path)
    text = path.read_text(encoding="utf-8")
    placed = ("UPGRADE_STEPS = [", "pgaudit_kit_ops.upgrade(", "pgaudit_kit_ops.downgrade(")
    if not all(code in text for code in placed):
        path.unlink()
        raise InputError(
            "the project's script.py.mako does not place ${imports}, ${upgrades} and "
            "${downgrades}, so the revision would run nothing",
            where=str(path.parent),
            hint="add them as Alembic's own templates have them",
        )
    return revision, path


def installed_config(config: Config, installed: Installed) -> Config:
    """The config that describes what is installed now (each audited table's policies, key,
    retention class and truncate mode, under the options it was installed with): what a
    revision's downgrade makes the database match again.

    :raises InputError: when the tables were installed under different options, which one
        config cannot say.
    """
    tables = sorted(installed.tables.values(), key=lambda t: t.table_name)
    options = {(t.default_policy, t.skip_unchanged, t.update_images) for t in tables}
    if len(options) > 1:
        raise InputError(
            "the audited tables were installed under different default_policy, "
            "skip_unchanged_updates or update_images, which one config cannot say",
            hint="run pgaudit-kit apply to install them all under the config's options first",
        )
    before = config
    if options:
        ((default_policy, skip_unchanged, update_images),) = options
        before = replace(
            config,
            default_policy=Policy(default_policy),
            skip_unchanged_updates=skip_unchanged,
            update_images=update_images,
        )
    return replace(
        before,
        retention=dict(installed.retention_classes) or dict(config.retention),
        archive_retention=(
            dict(installed.archive_classes)
            if installed.retention_classes
            else dict(config.archive_retention)
        ),
        tables=tuple(
            TableConfig(
                name=parse_qualified_name(t.table_name),
                columns={c: Policy(p) for c, p in t.policies.items()},
                key=t.key_columns or None,
                line=None,
                retention=None if t.retention_class == "default" else t.retention_class,
                truncate=t.truncate_mode,
            )
            for t in tables
        ),
    )


def py_string(text: str) -> str:
    """``text`` as a Python literal that keeps it readable: a raw triple-quoted string, one
    newline added at each end, when the text allows; else ``repr``."""
    for quote in ('"""', "'''"):
        # a NUL or a bare carriage return would not read back as written
        if quote not in text and not text.endswith(quote[0]) and not set(text) & {"\0", "\r"}:
            return f"r{quote}\n{text}\n{quote}"
    return repr(text)


# --- the command ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisionResult(Result):
    """The revision ``alembic-revision`` wrote (``path`` None: nothing to do, nothing written);
    ``upgrade`` and ``downgrade`` are the changes it makes (its steps that set up the
    transaction are left out)."""

    path: Path | None
    revision: str | None
    down_revision: str | None
    upgrade: tuple[Step, ...] = field(metadata=json_with(descriptions))
    downgrade: tuple[Step, ...] = field(metadata=json_with(descriptions))


def alembic_revision(
    conn: psycopg.Connection[Any],
    config: Config,
    installed: Installed,
    alembic_ini: Path,
    message: str,
    *,
    versions_dir: Path | None = None,
    rev_id: str | None = None,
    version_table: str = "alembic_version",
    baseline: bool = False,
) -> RevisionResult:
    """Write a revision into the application's Alembic project whose upgrade makes the audit
    changes the config implies (the steps ``plan --sql`` prints) and whose downgrade undoes their
    effect on audited tables. The database must be at the project's head, so the revision is
    computed from the schema it will run on. Nothing is written when there is nothing to do.

    :param alembic_ini: the project's Alembic config (script_location, file_template, hooks).
    :param versions_dir: which of its version locations gets the file (default: the only one).
    :param version_table: the project's Alembic version table, as the search_path resolves it.
    :raises InputError: when the project has several heads, or the database is not at its head.
    """
    project = read_project(Path(alembic_ini), versions_dir)
    require_project_head(conn, project, version_table)
    install.check_roles(conn, config)
    models, captures = install.resolve(conn, config, installed)
    upgrade = install.plan(conn, config, installed, PlanOptions(baseline=baseline))
    downgrade = generate.downgrade(config, captures, installed, models)
    if upgrade.empty:
        return RevisionResult(None, None, project.head, (), ())
    revision, path = write(
        project,
        message,
        upgrade,
        config,
        installed_config(config, installed),
        baseline=baseline,
        revision=rev_id,
    )
    return RevisionResult(path, revision, project.head, upgrade.changes, downgrade.changes)


def require_project_head(
    conn: psycopg.Connection[Any], project: Project, version_table: str
) -> None:
    """The database must be at the project's head: the revision is computed from its schema.

    :raises InputError: naming where the database is and what to run.
    """
    row = conn.execute(
        sqlfiles.render("queries/app_version_table.sql"), {"name": version_table}
    ).fetchone()
    versions: list[str] = []
    if row is not None:
        versions = [
            str(v)
            for (v,) in conn.execute(
                sql.SQL("select version_num from {}").format(sql.Identifier(row[0], row[1]))
            ).fetchall()
        ]
    expected = [project.head] if project.head else []
    if sorted(versions) != expected:
        at = ", ".join(sorted(versions)) or "base"
        raise InputError(
            f"the database is at Alembic revision {at}, the project's head is "
            f"{project.head or 'base'}",
            hint="run alembic upgrade head first: the revision is computed from the database's "
            "schema (or name the version table with --version-table)",
        )
