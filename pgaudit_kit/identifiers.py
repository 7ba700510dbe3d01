"""PostgreSQL identifiers: parsing names written by people, and showing them back.

A name in the config (``public.customers``, ``'"Sales Co"."Order Lines"'``, a role) is tokenized
with sqlglot's PostgreSQL tokenizer and must be exactly ``word`` or ``word . word``. Unquoted
words fold to lower case like PostgreSQL folds them (ASCII only); quoted words keep their exact
spelling.
Schema and name stay apart from here on (never joined with a dot and split again), and SQL is only
ever built from them with ``psycopg.sql.Identifier``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import ClassVar

from .errors import IdentifierError

#: PostgreSQL's limit; longer names would be truncated silently by the server, so they are refused.
MAX_IDENTIFIER_BYTES = 63
#: Generated function bodies are dollar-quoted with this tag, so no name may contain it.
BODY_TAG = "$pgaudit$"

_UNQUOTED = re.compile(r"^[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*$")
_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_SYNTAX_HINT = (
    'write schema.table; quote names with capitals or spaces, e.g. \'"Sales Co"."Order Lines"\''
)


@dataclass(frozen=True, order=True)
class QualifiedName:
    """A schema-qualified relation name, with both parts exactly as stored in the catalog."""

    schema: str
    name: str

    #: In JSON documents (results.as_json), the name as text.
    _json_as_text: ClassVar[bool] = True

    def __str__(self) -> str:
        return f"{quote(self.schema)}.{quote(self.name)}"


def quote(identifier: str) -> str:
    """Show an identifier as a person would write it in SQL: bare when it can be, else quoted."""
    if _PLAIN.match(identifier) and identifier not in _RESERVED:
        return identifier
    return '"' + identifier.replace('"', '""') + '"'


def derived_name(prefix: str, table: QualifiedName, suffix: str = "") -> str:
    """The name of an object pgaudit-kit generates for ``table`` (function, event trigger...).

    Deterministic, at most 63 bytes, plain ASCII (so it never needs quoting), and unique per table:
    the readable part may be cut or folded (``"Sales Co"`` -> ``sales_co``), so a short hash of the
    exact schema and name is always appended, and ``a_b.c`` never meets ``a.b_c``.
    """
    digest = hashlib.sha256(f"{table.schema}\x00{table.name}".encode()).hexdigest()[:8]
    readable = re.sub(r"[^a-z0-9]+", "_", f"{table.schema}_{table.name}".lower()).strip("_")
    tail = f"_{digest}" + (f"_{suffix}" if suffix else "")
    room = MAX_IDENTIFIER_BYTES - len(prefix) - len(tail) - 1
    return f"{prefix}_{readable[:room].rstrip('_')}{tail}" if readable else f"{prefix}{tail}"


def parse_qualified_name(text: str) -> QualifiedName:
    """Parse ``schema.name`` (either part may be quoted).

    :raises IdentifierError: when the text is not exactly two identifiers joined by a dot.
    """
    parts = _words(text)
    if len(parts) == 1:
        raise IdentifierError(
            f"table name {text!r} must be schema-qualified",
            hint=f"write {quote('public')}.{quote(parts[0])} (or the schema it lives in)",
        )
    if len(parts) != 2:
        raise IdentifierError(f"{text!r} is not a table name", hint=_SYNTAX_HINT)
    return QualifiedName(parts[0], parts[1])


def parse_column_path(text: str) -> tuple[QualifiedName, str]:
    """Parse ``schema.table.column`` (any part may be quoted) into the table and the column.

    :raises IdentifierError: when the text is not exactly three identifiers joined by dots.
    """
    parts = _words(text, what="column")
    if len(parts) != 3:
        raise IdentifierError(
            f"{text!r} does not name a column",
            hint='write schema.table.column, e.g. public.customers.email ("Quoted" parts allowed)',
        )
    return QualifiedName(parts[0], parts[1]), parts[2]


def parse_identifier(text: str, *, what: str = "name") -> str:
    """Parse one identifier (a schema, role or column name written in SQL syntax).

    :param what: used in the message, e.g. ``"role name"``.
    :raises IdentifierError: when the text is not exactly one identifier.
    """
    parts = _words(text, what=what)
    if len(parts) != 1:
        raise IdentifierError(
            f"{what} {text!r} must be a single identifier",
            hint="quote it if it contains a dot, e.g. '\"my.role\"'",
        )
    return parts[0]


def check_name(name: str, *, what: str = "name") -> str:
    """Check a name taken verbatim (a column name from a TOML key or the catalog).

    :raises IdentifierError: when it is empty, too long or contains the body tag.
    """
    if not name:
        raise IdentifierError(f"{what} is empty", hint="give the name as it appears in the catalog")
    if len(name.encode()) > MAX_IDENTIFIER_BYTES:
        raise IdentifierError(
            f"{what} {name!r} is longer than {MAX_IDENTIFIER_BYTES} bytes",
            hint="PostgreSQL truncates such names; use the name as the catalog stores it",
        )
    if BODY_TAG in name or "\x00" in name:
        raise IdentifierError(
            f"{what} {name!r} contains {BODY_TAG!r} or a NUL byte",
            hint="rename it: pgaudit-kit quotes generated function bodies with that tag",
        )
    return name


def _words(text: str, *, what: str = "table name") -> list[str]:
    # sqlglot is imported here, not at the top: most commands never parse a written name
    import sqlglot
    from sqlglot.errors import TokenError
    from sqlglot.tokenizer_core import TokenType

    if not text.strip():
        raise IdentifierError(f"{what} is empty", hint=_SYNTAX_HINT)
    try:
        tokens = sqlglot.tokenize(text, read="postgres")
    except TokenError as e:
        raise IdentifierError(
            f"cannot read {what} {text!r}: unbalanced quotes", hint=_SYNTAX_HINT
        ) from e
    words: list[str] = []
    expect_word = True
    for token in tokens:
        if expect_word:
            if token.token_type == TokenType.IDENTIFIER:  # "quoted": kept exactly
                words.append(check_name(token.text, what=what))
            elif _UNQUOTED.match(token.text) and token.token_type != TokenType.STRING:
                words.append(check_name(token.text.translate(_ASCII_UPPER), what=what))
            else:
                raise IdentifierError(
                    f"{what} {text!r} is not a valid identifier", hint=_SYNTAX_HINT
                )
        elif token.token_type != TokenType.DOT:
            raise IdentifierError(f"{what} {text!r} is not a valid identifier", hint=_SYNTAX_HINT)
        expect_word = not expect_word
    if expect_word:  # ended on a dot
        raise IdentifierError(f"{what} {text!r} ends with a dot", hint=_SYNTAX_HINT)
    return words


# Reserved words that cannot appear bare as a column or table name (SQL key words appendix, the
# "reserved" column for PostgreSQL). quote() quotes them so displayed names are valid SQL.
_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast check
    collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable
    desc distinct do else end except false fetch for foreign freeze from full grant group having
    ilike in initially inner intersect into is isnull join lateral leading left like limit
    localtime localtimestamp natural not notnull null offset on only or order outer overlaps
    placing primary references returning right select session_user similar some symmetric
    system_user table tablesample then to trailing true union unique user using variadic verbose
    when where window with
    """.split()
)
