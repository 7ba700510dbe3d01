"""Loading the SQL templates in ``sql/``; the only module that knows where that folder is.

``sql/`` sits at the top of the repository (reviewable one object per file) and is shipped inside
the wheel as ``pgaudit_kit/sql``. Templates use named ``{placeholders}`` only, filled by callers
with ``psycopg.sql.Identifier`` and ``psycopg.sql.Literal``; a literal brace is written ``{{``.

``TOOLKIT`` lists the files of the toolkit's own schema in install order (types, tables,
functions): the one place that says what depends on what. Revisions of that schema freeze this
list's output (see ``toolkit_schema``), so an installed revision never changes when these do.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import LiteralString, cast

from psycopg import sql

#: A template line that is nothing but a placeholder (render_indented leaves it as it is).
_PLACEHOLDER_LINE = re.compile(r"\{[a-z_]+\}")

TOOLKIT: tuple[str, ...] = (
    "toolkit/types/statement_context.sql",
    "toolkit/tables/maintenance.sql",
    "toolkit/tables/log.sql",
    "toolkit/tables/hmac_keys.sql",
    "toolkit/tables/audited_tables.sql",
    "toolkit/tables/settings.sql",
    "toolkit/tables/blocks.sql",
    "toolkit/tables/retention_classes.sql",
    "toolkit/tables/holds.sql",
    "toolkit/tables/archives.sql",
    "toolkit/tables/alert_cursor.sql",
    "toolkit/tables/maintenance_runs.sql",
    "toolkit/tables/redactions.sql",
    "toolkit/tables/locks.sql",
    "toolkit/tables/function_digests.sql",
    "toolkit/functions/in_maintenance.sql",
    "toolkit/functions/begin_maintenance.sql",
    "toolkit/functions/hmac.sql",
    "toolkit/functions/hmac_token.sql",
    "toolkit/functions/mask_email.sql",
    "toolkit/functions/mask_card.sql",
    "toolkit/functions/mask_last4.sql",
    "toolkit/functions/text_of.sql",
    "toolkit/functions/claim_text.sql",
    "toolkit/functions/statement_context.sql",
    "toolkit/functions/function_digest.sql",
    "toolkit/functions/record_function_digests.sql",
    "toolkit/functions/take_lock.sql",
    "toolkit/functions/rotate_key.sql",
    "toolkit/functions/partitions.sql",
    "toolkit/functions/create_partition.sql",
    "toolkit/functions/missing_partitions.sql",
    "toolkit/functions/premake_partitions.sql",
    "toolkit/functions/record_ddl.sql",
    "toolkit/functions/trigger_health.sql",
    "toolkit/functions/integrity.sql",
    "toolkit/functions/copy_text.sql",
    "toolkit/functions/row_leaf.sql",
    "toolkit/functions/payload_digest.sql",
    "toolkit/functions/merkle_root.sql",
    "toolkit/functions/seal.sql",
    "toolkit/functions/record_event.sql",
    "toolkit/functions/hold_add.sql",
    "toolkit/functions/hold_release.sql",
    "toolkit/functions/archive_record.sql",
    "toolkit/functions/alerts_advance.sql",
    "toolkit/functions/shred_key.sql",
    "toolkit/functions/redact.sql",
    "toolkit/functions/lookup.sql",
    "toolkit/functions/purge.sql",
    "toolkit/functions/maintain.sql",
    "toolkit/functions/pick.sql",
    "toolkit/functions/apply_policy.sql",
    "toolkit/functions/apply_policies.sql",
    "toolkit/functions/image_sql.sql",
    "toolkit/functions/capture_generically.sql",
    "toolkit/functions/guard_sql_drop.sql",
    "toolkit/functions/guard_ddl_command_end.sql",
    "toolkit/functions/guard_table_rewrite.sql",
    "toolkit/functions/guard_leaf_triggers.sql",
    "toolkit/privileges.sql",
    "toolkit/record_digests.sql",
)


def sql_dir() -> Path:
    """The folder holding the templates: inside the installed package, else the source tree."""
    packaged = Path(__file__).parent / "sql"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "sql"


@cache
def text(name: str) -> str:
    """The raw text of ``sql/<name>``."""
    return (sql_dir() / name).read_text(encoding="utf-8")


def exists(name: str) -> bool:
    """Whether ``sql/<name>`` is a template."""
    return (sql_dir() / name).is_file()


def load(name: str) -> sql.SQL:
    """``sql/<name>`` as a ``psycopg.sql.SQL`` template, ready for ``.format(**params)``."""
    return packaged_template(text(name))


def packaged_template(source: str) -> sql.SQL:
    """A template from a file shipped with the package (``sql/``, or a frozen revision)."""
    # The project's only cast to LiteralString. It is safe: the text comes from files shipped with
    # the package, never from user input; variable parts are filled in by .format() as
    # Identifier/Literal objects, which quote them. (mypy treats LiteralString as str.)
    return sql.SQL(cast(LiteralString, source))  # type: ignore[redundant-cast]


def render(name: str, **params: sql.Composable) -> sql.Composed:
    """Load ``sql/<name>`` and fill its placeholders."""
    return load(name).format(**params)


def render_indented(name: str, spaces: int, **params: sql.Composable) -> sql.Composed:
    """:func:`render` a snippet written at the left margin, each of its lines indented by
    ``spaces``, for where generated code places it. A line holding only a placeholder is left as
    it is: what fills it comes indented already. No newline after the last line."""
    pad = " " * spaces
    lines = text(name).rstrip("\n").split("\n")
    indented = [
        line if not line.strip() or _PLACEHOLDER_LINE.fullmatch(line) else pad + line
        for line in lines
    ]
    return packaged_template("\n".join(indented)).format(**params)
