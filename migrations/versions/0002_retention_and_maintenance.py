"""retention and maintenance

Revision ID: 0002
Revises: 0001
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0002_retention_and_maintenance.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
