"""truncate chosen per table

Revision ID: 0007
Revises: 0006
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0007"
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0007_truncate_chosen_per_table.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
