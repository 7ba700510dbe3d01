"""Revision files for the application's own Alembic project (``alembic-revision``).

A DBA who ships every change through reviewed migrations gets pgaudit-kit's changes as one more
revision: plain SQL (what ``plan --sql`` prints), a downgrade that undoes the changes to audited
tables, and ``done_when`` queries that let each step skip work already done. The file imports only
Alembic, so the project does not need pgaudit-kit installed where it migrates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError, rev_id
from mako.template import Template
from psycopg import sql

from .errors import InputError
from .generate import Plan, Step
from .identifiers import QualifiedName

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
