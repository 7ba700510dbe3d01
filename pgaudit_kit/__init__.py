"""pgaudit-kit: tamper-evident, PII-safe row-change auditing for PostgreSQL.

The command line (``pgaudit-kit``) is a thin layer over :mod:`pgaudit_kit.api`; use that module to
do the same from Python.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
