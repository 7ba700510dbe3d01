"""hardened capture, guard and health checks

Revision ID: 0006
Revises: 0005
"""

from typing import Any

from pgaudit_kit.toolkit_schema import run_frozen

revision = "0006"
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade(**kw: Any) -> None:
    run_frozen("0006_hardened_capture_guard_and_health_checks.sql", values=kw["values"])


def downgrade(**kw: Any) -> None:
    raise NotImplementedError("the toolkit schema is removed with pgaudit-kit uninstall")
