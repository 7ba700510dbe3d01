"""generic capture after column changes

Revision ID: 0003
Revises: 0002
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0003"
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0003_generic_capture_after_column_changes.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
