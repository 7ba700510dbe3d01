"""archives, tiered retention, alert cursor

Revision ID: 0008
Revises: 0007
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0008"
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0008_archives_tiered_retention_alert_cursor.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
