"""seal cuts blocks only where rows lie below the cut

Revision ID: 0004
Revises: 0003
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0004_seal_without_empty_ranges.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
