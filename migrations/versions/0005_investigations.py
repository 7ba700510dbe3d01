"""investigations: lookup by value, key shredding, redaction

Revision ID: 0005
Revises: 0004
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0005_investigations.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
