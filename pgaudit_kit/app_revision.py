"""Revision files for the application's own Alembic project (``alembic-revision``).

A DBA who ships every change through reviewed migrations gets pgaudit-kit's changes as one more
revision: plain SQL (what ``plan --sql`` prints), a downgrade that undoes the changes to audited
tables, and ``done_when`` queries that let each step skip work already done. The file imports only
Alembic, so the project does not need pgaudit-kit installed where it migrates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from alembic.util import CommandError, rev_id
from mako.template import Template
from psycopg import sql

from . import generate, install, sqlfiles
from .catalog import Installed
from .config import Config
from .errors import InputError
from .generate import Plan, PlanOptions, Step, descriptions
from .identifiers import QualifiedName
from .results import Result, json_with

TEMPLATE = Path(__file__).parent / "templates" / "app_revision.py.mako"


@dataclass(frozen=True)
class Project:
    """The application's Alembic versions folder and its single head (None: no revisions yet)."""

    versions_dir: Path
    head: str | None


def read_project(versions_dir: Path) -> Project:
    """Find the head of the project whose revisions live in ``versions_dir``.

    :raises InputError: when the folder does not exist, holds broken revisions, or has several
        heads (a new revision would not know which one it follows).
    """
    if not versions_dir.is_dir():
        raise InputError(
            f"Alembic versions folder {versions_dir} does not exist",
            hint="point --versions-dir at the versions/ folder of your Alembic project",
        )
    try:
        heads = ScriptDirectory(
            str(versions_dir), version_locations=[str(versions_dir)]
        ).get_heads()
    except CommandError as e:
        raise InputError(
            f"cannot read the Alembic revisions in {versions_dir}: {e}",
            hint="fix the revision files, then run this again",
        ) from e
    if len(heads) > 1:
        raise InputError(
            f"the Alembic project has {len(heads)} heads ({', '.join(sorted(heads))})",
            where=str(versions_dir),
            hint="merge them first (alembic merge heads -m ...), then write the revision",
        )
    return Project(versions_dir, heads[0] if heads else None)


def write(
    project: Project,
    message: str,
    upgrade: Plan,
    downgrade: Plan,
    *,
    schema: str,
    config_name: str,
    revision: str | None = None,
) -> tuple[str, Path]:
    """Write the revision file; returns its id and path.

    :raises InputError: when ``revision`` is not a usable id or its file exists.
    """
    revision = revision or rev_id()
    if not re.fullmatch(r"[A-Za-z0-9_]{1,32}", revision):
        raise InputError(
            f"revision id {revision!r} is not allowed",
            hint="use up to 32 letters, digits and underscores, or leave --rev-id out",
        )
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40].rstrip("_")
    path = project.versions_dir / f"{revision}_{slug or 'pgaudit_kit'}.py"
    if path.exists():
        raise InputError(f"{path} already exists", hint="choose another --rev-id")
    begin = sql.SQL("select {}.begin_maintenance('alembic revision ' || {});").format(
        sql.Identifier(schema), sql.Literal(revision)
    )
    exists = sql.SQL("select pg_catalog.to_regprocedure({}) is not null").format(
        sql.Literal(str(QualifiedName(schema, "begin_maintenance")) + "(text)")
    )
    # Renders Python source, not HTML: every value goes in through repr() or py_string().
    text = Template(filename=str(TEMPLATE)).render(  # noqa: S702
        message=_docstring_line(message),
        revision=revision,
        down_revision=project.head,
        create_date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S%z"),
        version=version("pgaudit-kit"),
        config_name=config_name,
        maintenance_exists=exists.as_string(None),
        begin_maintenance=begin.as_string(None),
        upgrade=_steps(upgrade.steps),
        downgrade=_steps(downgrade.steps),
        py_string=py_string,
    )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the revision: {e}", where=str(path)) from e
    return revision, path


def _steps(steps: Sequence[Step]) -> list[tuple[str, list[str], str]]:
    return [
        (step.description, [q.as_string(None) for q in step.done_when], step.sql_text())
        for step in steps
    ]


def _docstring_line(message: str) -> str:
    """The message as the first line of a docstring: one line, no escapes, no closing quotes."""
    line = " ".join(message.split()).replace("\\", "/").replace('"', "'")
    return line or "pgaudit-kit audit changes"


def py_string(text: str) -> str:
    """``text`` as a Python literal that keeps SQL readable: a raw triple-quoted string, one
    newline added at each end, when the text allows; else ``repr``."""
    for quote in ('"""', "'''"):
        if quote not in text and not text.endswith(quote[0]):
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
    versions_dir: Path,
    message: str,
    *,
    rev_id: str | None = None,
    version_table: str = "alembic_version",
    baseline: bool = False,
) -> RevisionResult:
    """Write a revision into the application's Alembic project whose upgrade makes the audit
    changes the config implies (the SQL ``plan --sql`` prints) and whose downgrade undoes their
    effect on audited tables. The database must be at the project's head, so the revision is
    computed from the schema it will run on. Nothing is written when there is nothing to do.

    :param version_table: the project's Alembic version table, as the search_path resolves it.
    :raises InputError: when the project has several heads, or the database is not at its head.
    """
    project = read_project(Path(versions_dir))
    require_project_head(conn, project, version_table)
    models, captures = install.resolve(conn, config, installed)
    upgrade = install.plan(conn, config, installed, PlanOptions(baseline=baseline))
    downgrade = generate.downgrade(config, captures, installed, models)
    if upgrade.empty:
        return RevisionResult(None, None, project.head, (), ())
    revision, path = write(
        project,
        message,
        upgrade,
        downgrade,
        schema=config.schema,
        config_name=config.path.name,
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
