"""initial toolkit schema

Revision ID: 0001
Revises: 
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0001_initial_toolkit_schema.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
