"""``init``: a starter config written from a live database, each guess with its reason.

Reads the catalog through the caller's connection; judging columns is :mod:`classify`'s, writing
TOML this module's (the reasons become comments, which a TOML library would not place beside
each value).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from . import catalog, classify, compliance, sqlfiles
from .catalog import TableModel
from .errors import InputError
from .identifiers import quote
from .policies import PLAIN
from .results import Result, json_name


@dataclass(frozen=True)
class InitResult(Result):
    path: Path
    tables: tuple[str, ...]
    #: table -> column -> policy, for every column init did not make plain.
    guessed: dict[str, dict[str, str]] = field(metadata=json_name("likely_pii"))


def init(
    conn: psycopg.Connection[Any],
    path: Path,
    *,
    schemas: Sequence[str] | None = None,
    force: bool = False,
    exclude: Sequence[str] = ("audit",),
) -> InitResult:
    """Write a starter config from the live database: every table of ``schemas`` (default: all
    user schemas) but migration tools' own (``alembic_version``...), each column with the policy
    :func:`classify.judge` gives it and, as a comment, why; ``require`` lists the schemas read.
    A starting point to review, not a verdict.

    :raises InputError: when the file exists and ``force`` is not set, or a schema asked for
        does not exist or holds no table to audit (nothing is written then).
    """
    if path.exists() and not force:
        raise InputError(
            "config file already exists", where=str(path), hint="pass --force to overwrite it"
        )
    found = catalog.list_tables(conn, schemas, exclude=exclude)
    existing = [r[0] for r in conn.execute(sqlfiles.render("queries/user_schemas.sql"))]
    database = conn.info.dbname
    tables = [t for t in found if not classify.is_migration_table(t.name)]
    for schema in dict.fromkeys(schemas or ()):
        if schema not in existing:
            raise InputError(
                f"no schema {quote(schema)} in database {database}",
                where=f"--schema {schema}",
                hint=f"name one of its schemas: {', '.join(map(quote, existing)) or 'none'}",
            )
        if not any(t.name.schema == schema for t in tables):
            raise InputError(
                f"schema {quote(schema)} holds no table to audit",
                where=f"--schema {schema}",
                hint="create its tables first, or name a schema that holds them",
            )
    text, guessed = starter_config(tables, database)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write config: {e}", where=str(path)) from e
    return InitResult(path=path, tables=tuple(str(t.name) for t in tables), guessed=guessed)


def _toml_string(text: str) -> str:
    if "'" not in text and text.isprintable():
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def _toml_key(text: str) -> str:
    return (
        text
        if text and all(c.isascii() and (c.isalnum() or c in "_-") for c in text)
        else _toml_string(text)
    )


def starter_config(
    tables: Sequence[TableModel], database: str
) -> tuple[str, dict[str, dict[str, str]]]:
    """The config text for ``tables``, and the columns it did not make plain."""
    schemas = sorted({t.name.schema for t in tables})
    require = ", ".join(json.dumps(f"{s}.*") for s in schemas)
    lines = [
        f"# pgaudit-kit configuration, written by 'pgaudit-kit init' from database {database!r}.",
        "# Review every column: each policy says why it was chosen (see README, init). Personal",
        '# data and free text are "hash", secrets and blobs "omit", keys and the rest "plain".',
        "# Unlisted columns get default_policy.",
        "",
        "[audit]",
        'schema = "audit"',
        "app_roles = []            # the roles your application logs in as",
        "auditor_roles = []        # roles that may read the trail",
        'default_policy = "hash"',
        "skip_unchanged_updates = true",
        f"require = [{require}]  # check: new tables here must be audited",
        "",
        "# [compliance]             # frameworks whose minimum retention must hold (README)",
        '# frameworks = ["pci-dss-4", "hipaa", "soc2", "gdpr"]',
    ]
    guessed: dict[str, dict[str, str]] = {}
    for table in tables:
        section = f"[tables.{_toml_string(str(table.name))}"
        judged = [(column, classify.judge(table, column)) for column in table.columns]
        lines += ["", f"{section}.columns]"]
        for column, guess in judged:
            comment = f"  # {guess.reason}" if guess.reason else ""
            lines.append(f'{_toml_key(column.name)} = "{guess.policy}"{comment}')
            if guess.policy != PLAIN:
                guessed.setdefault(str(table.name), {})[column.name] = str(guess.policy)
        # levels follow the policies guessed: a reviewer raises them where the data asks
        lines += ["", f"{section}.levels]"]
        lines += [
            f'{_toml_key(column.name)} = "{compliance.guessed_level(guess.policy)}"'
            for column, guess in judged
        ]
    return "\n".join(lines) + "\n", guessed
