"""Freeze toolkit SQL into a new Alembic revision of the toolkit schema.

    python tools/freeze_revision.py 0002 "seal blocks" sql/toolkit/tables/blocks.sql ...

writes migrations/versions/0002_seal_blocks.{py,sql}: the .sql is the named templates joined in
the order given (for the first revision: every file of sqlfiles.TOOLKIT), the .py runs it. Once
committed, a revision's .sql never changes; a later change to sql/ needs a new revision whose SQL
takes an installed database from the previous state to the new one (create or replace, alter...).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgaudit_kit import sqlfiles, toolkit_schema  # noqa: E402

TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {down}
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "{revision}"
down_revision = {down_repr}
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("{sql_name}", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
'''


def main(argv: list[str]) -> None:
    revision, message, *files = argv
    versions = ROOT / "migrations" / "versions"
    for old in versions.glob(f"{revision}_*"):  # re-freezing a revision that has not landed yet
        old.unlink()
    existing = toolkit_schema.revisions() if any(versions.glob("*.py")) else []
    down = existing[-1].id if existing else None
    names = [str(Path(f).relative_to("sql")) for f in files] if files else list(sqlfiles.TOOLKIT)
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
    stem = f"{revision}_{slug}"
    body = "\n".join(sqlfiles.text(name).rstrip("\n") + "\n" for name in names)
    (versions / f"{stem}.sql").write_text(
        f"-- Frozen SQL of toolkit schema revision {revision}: {message}.\n"
        + "".join(
            f"-- {line}\n"
            for line in textwrap.wrap(
                f"Written by tools/freeze_revision.py from: {', '.join(names)}.", 97
            )
        )
        + "-- Never edit: installed databases depend on it. Add a new revision instead.\n\n"
        + body,
        encoding="utf-8",
    )
    (versions / f"{stem}.py").write_text(
        TEMPLATE.format(
            message=message,
            revision=revision,
            down=down or "",
            down_repr=repr(down),
            sql_name=f"{stem}.sql",
        ),
        encoding="utf-8",
    )
    print(f"wrote migrations/versions/{stem}.py and .sql")


if __name__ == "__main__":
    main(sys.argv[1:])
