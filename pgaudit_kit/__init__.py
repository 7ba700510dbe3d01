"""pgaudit-kit: tamper-evident, PII-safe row-change auditing for PostgreSQL.

The Python API is :class:`Audit`, a session on one database with one config: every command of
the ``pgaudit-kit`` CLI is one of its methods. :mod:`pgaudit_kit.api` has the same commands as
functions of a config path and a DSN, for scripts.

Example::

    from pgaudit_kit import Audit

    with Audit("pgaudit.toml", "postgresql://postgres@localhost/shop") as audit:
        print(audit.apply(baseline=True).changed)

Importing the package loads only the standard library: the names below are imported when first
used, so ``pgaudit-kit --version`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config, load_config
    from .context import set_request_context
    from .errors import (
        ConfigError,
        ConnectionFailed,
        DsnError,
        IdentifierError,
        InputError,
        NotInstalled,
        PermissionDenied,
        PgAuditError,
        ServerError,
        ServerUnsupported,
    )
    from .session import Audit

try:
    __version__ = version("pgaudit-kit")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Audit",
    "Config",
    "ConfigError",
    "ConnectionFailed",
    "DsnError",
    "IdentifierError",
    "InputError",
    "NotInstalled",
    "PermissionDenied",
    "PgAuditError",
    "ServerError",
    "ServerUnsupported",
    "__version__",
    "load_config",
    "set_request_context",
]
#: Public name -> the module that defines it (imported on first use).
_EXPORTS = {
    "Audit": "session",
    "Config": "config",
    "load_config": "config",
    "set_request_context": "context",
}


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(f".{_EXPORTS.get(name, 'errors')}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
