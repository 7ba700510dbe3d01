"""The exceptions pgaudit-kit raises, and nothing else.

::

    PgAuditError            .hint: the fix, in words; .where: file:line, table or DSN
    ├── InputError          exit 2: the user's input is wrong
    │   ├── ConfigError     a config file problem, with path and line
    │   ├── IdentifierError a malformed or unsafe SQL identifier
    │   └── DsnError        a connection string that cannot be parsed
    └── ServerError         exit 3: the database said no or could not be reached
        ├── ConnectionFailed
        ├── NotInstalled
        ├── PermissionDenied
        └── ServerUnsupported

The library raises only these; ``cli`` turns them into one line on stderr and an exit code. Findings
(a failed verify, a check that found problems) are results, not exceptions.
"""

from __future__ import annotations

from pathlib import Path


class PgAuditError(Exception):
    """Base of every error pgaudit-kit raises on purpose.

    :param message: what is wrong, in one sentence without a trailing period.
    :param hint: how to fix it, in words.
    :param where: where the problem is (``pgaudit.toml:12``, a table name, a masked DSN).
    """

    def __init__(self, message: str, *, hint: str | None = None, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class InputError(PgAuditError):
    """The input (config, identifier, DSN, flag) is wrong; nothing was changed."""


class ConfigError(InputError):
    """A problem in the config file, located by path and line."""

    def __init__(
        self, message: str, *, path: Path, line: int | None = None, hint: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(message, hint=hint, where=where)
        self.path = path
        self.line = line


class IdentifierError(InputError):
    """A name that is not a valid or safe PostgreSQL identifier."""


class DsnError(InputError):
    """A connection string that cannot be parsed."""


class ServerError(PgAuditError):
    """The database refused, failed or could not be reached."""


class ConnectionFailed(ServerError):
    """No connection could be made."""


class NotInstalled(ServerError):
    """pgaudit-kit is not installed in this database (or not in the configured schema)."""


class PermissionDenied(ServerError):
    """The connected role lacks a privilege the command needs."""


class ServerUnsupported(ServerError):
    """The server is too old or lacks a feature pgaudit-kit needs."""


#: The largest values of PostgreSQL's bigint and integer: audit row ids and block sizes are
#: bigint, key and hold ids integer.
BIGINT_MAX, INTEGER_MAX = 2**63 - 1, 2**31 - 1


def require_positive(value: int, what: str, *, maximum: int = BIGINT_MAX) -> int:
    """``value`` when it is an id or a count the database can hold; numbers never reach the
    server unchecked (it would answer with a type error, not the user's mistake).

    :raises InputError: naming ``what`` and the range it must be in.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InputError(f"{what} {value!r} is not in the range 1 to {maximum}")
    return value


def require_text(value: str, what: str) -> str:
    """``value`` when PostgreSQL's text can hold it (no NUL character), checked before it is
    sent: the server would refuse it as a protocol error, not as the user's mistake.

    :raises InputError: naming ``what``.
    """
    if "\x00" in value:
        raise InputError(
            f"{what} contains a NUL character, which PostgreSQL text cannot hold",
            hint="remove it",
        )
    return value
