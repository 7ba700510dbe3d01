"""Tables described by a schema file, offline: exactly what ``catalog.read_tables`` would return.

``read_ddl`` reads plain PostgreSQL DDL (a hand-written ``schema.sql`` or ``pg_dump
--schema-only`` output) and replays it on a small in-memory copy of the catalog, so that ``plan
--schema-file`` prints byte for byte the SQL ``plan`` prints against a database holding that
schema. Every field is what PostgreSQL itself would store: types as ``format_type`` prints them,
unquoted names folded, index names chosen the way PostgreSQL chooses them (they order the unique
keys), partitions copying their parent's columns and indexes, ALTER TABLE applied in order.

The text is cut into tokens by sqlglot's PostgreSQL tokenizer (strings, quoted names, dollar
quotes, nested comments) and read by the small parser below. sqlglot's parser is not used: for
much of PostgreSQL's DDL (OWNER TO, ATTACH PARTITION, CREATE DOMAIN, virtual generated columns,
COMMENT ... IS NULL) it falls back to an opaque command or fails, and it normalizes type names
(``float(10)``, ``interval second(3)``, ``"char"``) whose exact spelling matters here.

Statements that cannot change a table (functions, grants, triggers, non-unique indexes...) are
skipped. A statement that could change a table but is not understood raises ``InputError`` with
the file and line: nothing is guessed. Types this file does not define and PostgreSQL does not
build in (an extension's ``citext``) are shown as written and compared by their text form, as
the catalog does for every such type.

This module must not connect to a database, read files or print; it turns text into
``TableModel`` and ``Relation`` values and nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import ClassVar, NoReturn

from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import TokenType

from .catalog import _KIND_NAMES, Column, Relation, TableModel, _exact, comment_policy
from .errors import InputError
from .identifiers import QualifiedName

# --- tokens and statements ---------------------------------------------------------------------

_NAMEDATALEN = 64
_WORD = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STRINGS = {
    TokenType.STRING,
    TokenType.BYTE_STRING,
    TokenType.HEREDOC_STRING,
    TokenType.UNICODE_STRING,
    TokenType.NATIONAL_STRING,
    TokenType.BIT_STRING,
    TokenType.HEX_STRING,
    TokenType.RAW_STRING,
}


class _Tokenizer(Postgres.Tokenizer):
    """PostgreSQL's tokens, without sqlglot's "commands" (RESET, DO, CALL...) whose whole
    statement becomes one string: each statement here is read word by word."""

    COMMANDS: ClassVar[set[TokenType]] = set()


@dataclass(frozen=True)
class _Token:
    """One token: a bare ``word``, a ``quoted`` name, a ``string``, a ``number`` or ``punct``."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def word(self) -> str | None:
        """The upper-cased word, for keyword tests (never a quoted name or a string)."""
        return self.text.upper() if self.kind == "word" else None


@dataclass(frozen=True)
class _Statement:
    tokens: tuple[_Token, ...]
    line: int


class _Source:
    """The text being read, for line numbers and the snippets quoted in errors."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text.removeprefix("\ufeff")  # editors on Windows start files with a BOM
        self.name = name
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def error(self, line: int, message: str, hint: str) -> InputError:
        return InputError(message, hint=hint, where=f"{self.name}:{line}")

    def snippet(self, statement: _Statement, upto: _Token | None = None) -> str:
        """The statement's text up to ``upto`` (all of it when None), on one line."""
        tokens = statement.tokens
        last = upto if upto is not None else tokens[-1]
        text = " ".join(self.text[tokens[0].start : last.end + 1].split())
        if len(text) > 90:
            text = text[:50] + " ... " + text[-35:]
        return text + (" ..." if last is not tokens[-1] else "")


def _tokens(source: _Source) -> list[_Token]:
    tokenizer = _Tokenizer(dialect=Postgres())
    try:
        raw = tokenizer.tokenize(source.text)
    except TokenError as e:
        done = tokenizer.tokens
        offset = done[-1].end + 1 if done else 0
        while offset < len(source.text) and source.text[offset].isspace():
            offset += 1
        raise source.error(
            source.line(offset),
            "an unterminated string, quoted name or comment starts here",
            "close it",
        ) from e
    tokens: list[_Token] = []
    for t in raw:
        if t.token_type == TokenType.IDENTIFIER:
            tokens.append(_Token("quoted", t.text, t.start, t.end))
        elif t.token_type in _STRINGS:
            text = _unicode_escapes(t.text) if t.token_type == TokenType.UNICODE_STRING else t.text
            tokens.append(_Token("string", text, t.start, t.end))
        elif t.token_type == TokenType.NUMBER:
            tokens.append(_Token("number", t.text, t.start, t.end))
        elif _WORD.fullmatch(t.text):
            tokens.append(_Token("word", t.text, t.start, t.end))
        elif t.text.split() and all(_WORD.fullmatch(w) for w in t.text.split()):
            # sqlglot joins some keyword pairs ("double precision", "primary key"); split them
            tokens.extend(_Token("word", w, t.start, t.end) for w in t.text.split())
        else:
            tokens.append(_Token("punct", t.text, t.start, t.end))
    return tokens


def _unicode_escapes(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        return "\\" if m.group(0) == "\\\\" else chr(int(m.group(1) or m.group(2), 16))

    return re.sub(r"\\\\|\\([0-9A-Fa-f]{4})|\\\+([0-9A-Fa-f]{6})", one, text)


def _statements(source: _Source) -> Iterator[_Statement]:
    """Split at semicolons the way psql does: not inside parentheses, nor inside the
    ``BEGIN ATOMIC ... END`` body of a SQL-standard function."""
    current: list[_Token] = []
    depth = begin_depth = 0
    for token in _tokens(source):
        if not current and token.text == "\\" and token.kind == "punct":
            current.append(token)  # a psql meta-command: it runs to the end of its line
            continue
        if current and current[0].kind == "punct" and current[0].text == "\\":
            if source.line(token.start) == source.line(current[0].start):
                current.append(token)
                continue
            yield _Statement(tuple(current), source.line(current[0].start))
            current = []
        if token.kind == "punct" and token.text == ";" and depth == 0 and begin_depth == 0:
            if current:
                yield _Statement(tuple(current), source.line(current[0].start))
            current = []
            continue
        current.append(token)
        if token.kind == "punct" and token.text in ("(", ")"):
            depth = depth + 1 if token.text == "(" else max(depth - 1, 0)
        elif depth == 0 and token.word in ("BEGIN", "CASE", "END") and _is_routine(current):
            if token.word == "BEGIN" or (token.word == "CASE" and begin_depth):
                begin_depth += 1
            elif token.word == "END" and begin_depth:
                begin_depth -= 1
    if current:
        yield _Statement(tuple(current), source.line(current[0].start))


def _is_routine(tokens: list[_Token]) -> bool:
    words = [t.word for t in tokens[:4]]
    return words[:1] == ["CREATE"] and (
        words[1:2] in (["FUNCTION"], ["PROCEDURE"])
        or (words[1:3] == ["OR", "REPLACE"] and words[3:4] in (["FUNCTION"], ["PROCEDURE"]))
    )


class _Cursor:
    """Reads one statement token by token; every failure names the statement and line."""

    def __init__(self, statement: _Statement, source: _Source) -> None:
        self.statement = statement
        self.tokens = statement.tokens
        self.source = source
        self.pos = 0

    # looking and taking

    def peek(self, ahead: int = 0) -> _Token | None:
        i = self.pos + ahead
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str | None:
        token = self.peek(ahead)
        return token.word if token else None

    def at(self, *words: str) -> bool:
        return all(self.word(i) == w for i, w in enumerate(words))

    def take(self, *words: str) -> bool:
        if self.at(*words):
            self.pos += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.take(*words):
            self.fail_expected(" ".join(words))

    def at_punct(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == "punct" and token.text == text

    def take_punct(self, text: str) -> bool:
        if self.at_punct(text):
            self.pos += 1
            return True
        return False

    def expect_punct(self, text: str) -> None:
        if not self.take_punct(text):
            self.fail_expected(f'"{text}"')

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def expect_end(self) -> None:
        if not self.done():
            self.fail_expected("the end of the statement")

    def token_at(self, ahead: int = 0) -> _Token:
        """The token ``ahead`` of the cursor, which the caller knows is there."""
        token = self.peek(ahead)
        if token is None:
            self.fail_expected("more")
        return token

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            self.fail_expected("more")
        self.pos += 1
        return token

    # names

    def at_name(self, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind in ("word", "quoted")

    def name(self, what: str = "a name") -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "quoted"):
            self.fail_expected(what)
        self.pos += 1
        return _identifier(token)

    def qualified(self, what: str = "a name") -> tuple[str | None, str]:
        """``name``, ``schema.name`` or ``database.schema.name`` (the database is dropped)."""
        parts = [self.name(what)]
        while self.at_punct(".") and self.at_name(1):
            self.pos += 1
            parts.append(self.name(what))
        if len(parts) > 3:
            self.fail_expected(what)
        return (parts[-2] if len(parts) > 1 else None), parts[-1]

    def string(self, what: str = "a string") -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            self.fail_expected(what)
        self.pos += 1
        text = token.text
        while (nxt := self.peek()) is not None and nxt.kind == "string":
            # adjacent literals separated by a newline are one literal in SQL
            if "\n" not in self.source.text[token.end + 1 : nxt.start]:
                break
            text, token = text + nxt.text, nxt
            self.pos += 1
        return text

    def integer(self) -> int:
        negative = self.take_punct("-")
        token = self.peek()
        if token is None or token.kind != "number" or not token.text.isdigit():
            self.fail_expected("a whole number")
        self.pos += 1
        return -int(token.text) if negative else int(token.text)

    def name_list(self) -> list[str]:
        """``( name [, ...] )``"""
        self.expect_punct("(")
        names = [self.name("a column name")]
        while self.take_punct(","):
            names.append(self.name("a column name"))
        self.expect_punct(")")
        return names

    # skipping what does not matter

    def skip_group(self) -> list[_Token]:
        """A parenthesized group, returned without its outer parentheses."""
        start = self.pos
        self.expect_punct("(")
        depth = 1
        while depth:
            token = self.next()
            if token.kind == "punct" and token.text in ("(", ")"):
                depth += 1 if token.text == "(" else -1
        return list(self.tokens[start + 1 : self.pos - 1])

    def skip_expression(self, stop: frozenset[str] = frozenset()) -> list[_Token]:
        """An expression: at least one token, then up to a depth-0 comma, closing parenthesis,
        end of statement or one of the ``stop`` words."""
        start = self.pos
        depth = 0
        first = True
        while (token := self.peek()) is not None:
            if token.kind == "punct" and token.text in ("(", "["):
                depth += 1
            elif token.kind == "punct" and token.text in (")", "]"):
                if depth == 0:
                    break
                depth -= 1
            elif token.word == "CASE":
                depth += 1
            elif token.word == "END" and depth:
                depth -= 1
            elif depth == 0 and (token.text == "," or (not first and token.word in stop)):
                break
            first = False
            self.pos += 1
        if self.pos == start:
            self.fail_expected("an expression")
        return list(self.tokens[start : self.pos])

    def skip_to_comma(self) -> None:
        """The rest of one ALTER TABLE action."""
        while not self.done() and not self.at_punct(","):
            if self.at_punct("("):
                self.skip_group()
            else:
                self.pos += 1

    # failing

    def fail_expected(self, what: str) -> NoReturn:
        token = self.peek()
        upto = token if token is not None else self.tokens[-1]
        line = self.source.line(upto.start)
        raise self.source.error(
            line,
            f"cannot read {self.source.snippet(self.statement, upto)}: expected {what}",
            "write plain PostgreSQL DDL that psql runs; pgaudit-kit reads it without a server",
        )

    def unsupported(self, hint: str, upto: _Token | None = None) -> InputError:
        upto = upto if upto is not None else self.peek(-1) if self.pos else self.tokens[0]
        return self.source.error(
            self.statement.line,
            f"unsupported statement: {self.source.snippet(self.statement, upto)}",
            hint,
        )

    def problem(self, message: str, hint: str, token: _Token | None = None) -> InputError:
        """An error about what the statement refers to (a missing table, an unknown column)."""
        line = self.source.line(token.start) if token is not None else self.statement.line
        return self.source.error(line, message, hint)


def _identifier(token: _Token) -> str:
    """A name as PostgreSQL stores it: unquoted words fold to lower case (ASCII only), quoted
    ones keep their spelling, and both are cut to 63 bytes."""
    text = token.text if token.kind == "quoted" else token.text.translate(_ASCII_LOWER)
    return _clip(text, _NAMEDATALEN - 1)


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, never splitting a character (pg_mbcliplen)."""
    return text.encode()[:limit].decode(errors="ignore")


def _normalized(tokens: list[_Token]) -> tuple[str, ...]:
    """Tokens compared the way two spellings of one expression compare."""
    return tuple(
        repr(t.text)
        if t.kind == "string"
        else t.text
        if t.kind == "quoted"
        else t.text.translate(_ASCII_LOWER)
        for t in tokens
    )


def _names_in(tokens: list[_Token]) -> frozenset[str]:
    return frozenset(_identifier(t) for t in tokens if t.kind in ("word", "quoted"))


# --- how PostgreSQL prints names and types ---------------------------------------------------

# Key words that quote_identifier() quotes (every category but "unreserved"), from
# pg_get_keywords() of PostgreSQL 18. PostgreSQL 15 lacks the json_* words and system_user, so a
# type with one of those names prints differently there.
_QUOTED_KEYWORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
    boolean both case cast char character check coalesce collate collation column concurrently
    constraint create cross current_catalog current_date current_role current_schema current_time
    current_timestamp current_user dec decimal default deferrable desc distinct do else end except
    exists extract false fetch float for foreign freeze from full grant greatest group grouping
    having ilike in initially inner inout int integer intersect interval into is isnull join json
    json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar
    json_serialize json_table json_value lateral leading least left like limit localtime
    localtimestamp merge_action national natural nchar none normalize not notnull null nullif
    numeric offset on only or order out outer overlaps overlay placing position precision primary
    real references returning right row select session_user setof similar smallint some substring
    symmetric system_user table tablesample then time timestamp to trailing treat trim true union
    unique user using values varchar variadic verbose when where window with xmlattributes
    xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize
    xmltable
    """.split()
)
_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _pg_quote(name: str) -> str:
    """quote_identifier(): bare when PostgreSQL would print it bare."""
    if _SAFE_IDENTIFIER.fullmatch(name) and name not in _QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def _type_display(name: QualifiedName) -> str:
    """A user type as format_type() prints it for a reader whose search_path is public."""
    if name.schema == "public":
        return _pg_quote(name.name)
    return f"{_pg_quote(name.schema)}.{_pg_quote(name.name)}"


# The base, range and multirange types of pg_catalog (the same 82 in PostgreSQL 15 and 18): each
# prints as its name unless listed in _BUILTIN_SPELLING.
_BUILTIN_NAMES = frozenset(
    """
    aclitem bit bool box bpchar bytea char cid cidr circle date datemultirange daterange float4
    float8 gtsvector inet int2 int2vector int4 int4multirange int4range int8 int8multirange
    int8range interval json jsonb jsonpath line lseg macaddr macaddr8 money name numeric
    nummultirange numrange oid oidvector path pg_brin_bloom_summary pg_brin_minmax_multi_summary
    pg_dependencies pg_lsn pg_mcv_list pg_ndistinct pg_node_tree pg_snapshot point polygon
    refcursor regclass regcollation regconfig regdictionary regnamespace regoper regoperator
    regproc regprocedure regrole regtype text tid time timestamp timestamptz timetz tsmultirange
    tsquery tsrange tstzmultirange tstzrange tsvector txid_snapshot uuid varbit varchar xid xid8
    xml
    """.split()
)
_BUILTIN_SPELLING = {
    "bit": '"bit"',
    "bool": "boolean",
    "char": '"char"',
    "float4": "real",
    "float8": "double precision",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "time": "time without time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "timetz": "time with time zone",
    "varbit": "bit varying",
    "varchar": "character varying",
}
_BUILTIN_ELEMENT = {"int2vector": "int2", "oidvector": "oid"}  # subscripted like arrays
_SERIALS = {
    "smallserial": "int2",
    "serial2": "int2",
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
}
_INTERVAL_FIELDS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_MAX_PRECISION = 6  # timestamp, time and interval precision above this is lowered (a warning)


@dataclass(frozen=True)
class _Builtin:
    typname: str
    text: str
    kind: str = "b"


@dataclass(eq=False)
class _UserType:
    """A type the file creates: enum ``e``, domain ``d``, composite ``c``, range ``r``, base
    ``b``. Columns point at it, so renaming the type renames what they print."""

    name: QualifiedName
    kind: str
    base: _ColumnType | None = None


@dataclass(frozen=True)
class _Unknown:
    """A type neither built in nor created by the file (an extension's): shown as written."""

    text: str


@dataclass(frozen=True)
class _ColumnType:
    scalar: _Builtin | _UserType | _Unknown
    array: bool = False

    @property
    def text(self) -> str:
        s = self.scalar
        shown = _type_display(s.name) if isinstance(s, _UserType) else s.text
        return shown + "[]" if self.array else shown

    @property
    def exact(self) -> bool:
        return _exact(*self.catalog_row())

    @property
    def builtin(self) -> bool:
        """Whether the type, domains resolved, is one of pg_catalog's (see Column.builtin_type):
        an array of a created type, even of a domain over a built-in one, is a created type."""
        s = self.scalar
        if isinstance(s, _Builtin):
            return True
        if isinstance(s, _UserType) and not self.array and s.kind == "d" and s.base is not None:
            return s.base.builtin
        return False

    def catalog_row(self) -> tuple[str, str, str | None, str | None]:
        """(base type, its typtype, element type, its typtype) as queries/columns.sql reads
        them: domains resolved to their base, arrays by their element."""
        s = self.scalar
        if self.array:
            if isinstance(s, _Builtin):
                return "_" + s.typname, "b", s.typname, s.kind
            if isinstance(s, _UserType):
                return "_" + s.name.name, "b", s.name.name, s.kind
            return "_" + s.text, "b", s.text, "b"
        if isinstance(s, _Builtin):
            element = _BUILTIN_ELEMENT.get(s.typname)
            return s.typname, s.kind, element, "b" if element else None
        if isinstance(s, _UserType):
            if s.kind == "d" and s.base is not None:
                return s.base.catalog_row()
            return s.name.name, s.kind, None, None
        return s.text, "b", None, None


def _builtin(typname: str, modifiers: list[int] | str | None, c: _Cursor, at: _Token) -> _Builtin:
    """A pg_catalog type with its modifiers, spelled as format_type() spells it."""
    kind = "m" if typname.endswith("multirange") else "r" if typname.endswith("range") else "b"
    if modifiers is None:
        return _Builtin(typname, _BUILTIN_SPELLING.get(typname, typname), kind)
    if isinstance(modifiers, str):
        raise c.problem(
            f"type {typname} takes whole numbers, not {modifiers}",
            "write the type as PostgreSQL accepts it",
            at,
        )
    mods = modifiers
    text: str | None = None
    if typname == "bpchar" and len(mods) == 1:
        text = f"character({mods[0]})"
    elif typname == "varchar" and len(mods) == 1:
        text = f"character varying({mods[0]})"
    elif typname == "bit" and len(mods) == 1:
        text = f"bit({mods[0]})"
    elif typname == "varbit" and len(mods) == 1:
        text = f"bit varying({mods[0]})"
    elif typname == "numeric" and len(mods) in (1, 2):
        text = f"numeric({mods[0]},{mods[1] if len(mods) == 2 else 0})"
    elif typname in ("timestamp", "timestamptz", "time", "timetz") and len(mods) == 1:
        head, zone = _BUILTIN_SPELLING[typname].split(" ", 1)
        text = f"{head}({min(mods[0], _MAX_PRECISION)}) {zone}"
    elif typname == "interval" and len(mods) == 1:
        text = f"interval({min(mods[0], _MAX_PRECISION)})"
    if text is None:
        raise c.problem(
            f"type {typname} does not take the modifiers ({', '.join(map(str, mods))})",
            "write the type as PostgreSQL accepts it",
            at,
        )
    return _Builtin(typname, text, kind)


# --- the catalog being built -------------------------------------------------------------------


@dataclass(eq=False)
class _Col:
    name: str
    type: _ColumnType
    not_null: bool = False
    generated: str = ""
    comment: str | None = None
    not_null_name: str | None = None  # PostgreSQL 18 names NOT NULL constraints
    generated_from: frozenset[str] = frozenset()  # names the generation expression mentions

    def copy(self) -> _Col:
        """The column as a partition inherits it (the comment stays with the parent)."""
        return _Col(
            self.name, self.type, self.not_null, self.generated, None, None, self.generated_from
        )


@dataclass(frozen=True)
class _Element:
    """One key of an index as written: a column, or an expression."""

    column: str | None
    expression: tuple[str, ...]
    label: str  # the name PostgreSQL uses for it in a generated index name
    options: tuple[str, ...]  # collation, operator class, order
    mentions: frozenset[str]


@dataclass
class _IndexSpec:
    """An index as a statement asks for it, before it is placed on a table."""

    elements: list[_Element]
    include: list[str] = field(default_factory=list)
    name: str | None = None
    unique: bool = False
    primary: bool = False
    constraint: bool = False
    exclusion: bool = False
    method: str = "btree"
    nulls_not_distinct: bool = False
    predicate: tuple[str, ...] | None = None
    mentions: frozenset[str] = frozenset()
    deferrable: tuple[bool, bool] = (False, False)
    at: _Token | None = None


@dataclass(eq=False)
class _Index:
    name: str
    table: _Table
    keys: list[_Col | None]  # None: an expression
    include: list[_Col]
    spec: _IndexSpec
    replica_identity: bool = False
    parent: _Index | None = None

    def signature(self) -> tuple[object, ...]:
        """What PostgreSQL compares to decide that a partition's index matches its parent's."""
        s = self.spec
        keys = tuple(
            (k.name if k is not None else e.expression, e.options)
            for k, e in zip(self.keys, s.elements, strict=True)
        )
        return (
            s.method,
            s.unique,
            s.exclusion,
            s.nulls_not_distinct,
            keys,
            tuple(c.name for c in self.include),
            s.predicate,
        )

    def mentions(self, column: _Col) -> bool:
        return column in self.keys or column in self.include or column.name in self.spec.mentions


@dataclass(eq=False)
class _Table:
    """A relation: table ``r``, partitioned table ``p``, view ``v``, materialized view ``m``,
    foreign table ``f`` or composite type ``c``."""

    name: QualifiedName
    kind: str
    columns: list[_Col] = field(default_factory=list)
    indexes: list[_Index] = field(default_factory=list)
    owner: str | None = None
    parent: _Table | None = None
    partitions: list[_Table] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)  # owned by its serial/identity columns
    constraint_names: set[str] = field(default_factory=set)  # named CHECK, FOREIGN KEY, NOT NULL

    @property
    def is_table(self) -> bool:
        return self.kind in ("r", "p")

    def column(self, name: str) -> _Col | None:
        return next((c for c in self.columns if c.name == name), None)

    def descendants(self) -> Iterator[_Table]:
        for child in self.partitions:
            yield child
            yield from child.descendants()


_COLUMN_CONSTRAINT_WORDS = frozenset(
    """CONSTRAINT NOT NULL CHECK DEFAULT GENERATED UNIQUE PRIMARY REFERENCES COLLATE DEFERRABLE
    INITIALLY ENFORCED COMPRESSION STORAGE""".split()
)
_TABLE_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "FOREIGN"})

_IGNORED = frozenset(
    """GRANT REVOKE INSERT UPDATE DELETE MERGE TRUNCATE BEGIN START COMMIT END SAVEPOINT RELEASE
    ANALYZE ANALYSE VACUUM CLUSTER REINDEX REFRESH CHECKPOINT NOTIFY LISTEN UNLISTEN LOCK DISCARD
    DEALLOCATE PREPARE LOAD SECURITY DECLARE FETCH CLOSE MOVE SHOW""".split()
)
# CREATE/ALTER/DROP of objects that are not tables and cannot change one.
_OTHER_OBJECTS = frozenset(
    """AGGREGATE CAST COLLATION CONVERSION DATABASE DEFAULT EVENT EXTENSION FUNCTION GROUP
    LANGUAGE LARGE OPERATOR POLICY PROCEDURAL PROCEDURE PUBLICATION ROLE ROUTINE RULE SERVER
    STATISTICS SUBSCRIPTION SYSTEM TABLESPACE TEXT TRANSFORM TRIGGER TRUSTED USER ACCESS
    CONSTRAINT""".split()
)
# Functions a schema file may call in a SELECT (pg_dump does) without creating tables.
_HARMLESS_FUNCTIONS = frozenset({"set_config", "setval", "nextval", "current_setting", "now"})
_NOT_FUNCTIONS = frozenset(
    """AS IN EXISTS VALUES ANY ALL SOME ARRAY ROW CAST OVER FILTER FROM JOIN ON USING SELECT
    WHERE AND OR NOT LATERAL WITHIN INTO""".split()
)


class _Catalog:
    """The relations, indexes and types the statements so far have created."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.relations: dict[QualifiedName, _Table] = {}
        self.indexes: dict[QualifiedName, _Index] = {}
        self.sequences: set[QualifiedName] = set()
        self.types: dict[QualifiedName, _UserType] = {}
        self.schemas: set[str] = {"public"}
        self.search_path: list[str] = ["$user", "public"]
        self.role: str | None = None  # SET ROLE: the owner of what is created next

    @property
    def path(self) -> list[str]:
        """The search_path's schemas, ``$user`` being the role set by SET ROLE (the role
        running the file is not known, and is assumed to have no schema of its own)."""
        return [
            (self.role or "") if schema == "$user" else schema
            for schema in self.search_path
            if schema != "$user" or self.role is not None
        ]

    # --- finding things

    def create_schema(self, c: _Cursor, schema: str | None) -> str:
        """The schema a new object goes to: the one named, else the first on the path."""
        if schema is not None:
            if schema.startswith("pg_temp"):
                raise c.unsupported("remove it: temporary objects are not part of the schema")
            return schema
        for candidate in self.path:
            if candidate in self.schemas:
                return candidate
        raise c.problem(
            f"no schema to create in: the search_path ({', '.join(self.path) or 'empty'})"
            " names no schema created so far",
            "qualify the name (public.orders) or create the schema before the SET",
            c.statement.tokens[0],
        )

    def find(self, schema: str | None, name: str) -> _Table | None:
        if schema is not None:
            return self.relations.get(QualifiedName(schema, name))
        for candidate in self.path:
            found = self.relations.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def find_index(self, schema: str | None, name: str) -> _Index | None:
        schemas = [schema] if schema is not None else self.path
        for candidate in schemas:
            found = self.indexes.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def find_type(self, schema: str | None, name: str) -> _UserType | None:
        schemas = [schema] if schema is not None else self.path
        for candidate in schemas:
            found = self.types.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def relation(
        self, c: _Cursor, *, if_exists: bool = False, what: str = "table"
    ) -> _Table | None:
        """Read a relation's name and find it; a missing one is an error unless IF EXISTS."""
        token = c.peek()
        schema, name = c.qualified(f"a {what} name")
        found = self.find(schema, name)
        if found is None and not if_exists:
            shown = str(QualifiedName(schema, name)) if schema else name
            raise c.problem(
                f"{what} {shown} does not exist",
                "create it earlier in the file: the file is read as if run on an empty database",
                token,
            )
        return found

    def table(self, c: _Cursor, *, if_exists: bool = False) -> _Table | None:
        token = c.peek()
        found = self.relation(c, if_exists=if_exists)
        if found is not None and not found.is_table:
            raise c.problem(
                f"{found.name} is {_KIND_NAMES[found.kind]}, not a table",
                "name a table",
                token,
            )
        return found

    def name_taken(self, schema: str, name: str) -> bool:
        qname = QualifiedName(schema, name)
        return qname in self.relations or qname in self.indexes or qname in self.sequences

    def claim(self, c: _Cursor, name: QualifiedName) -> None:
        """Refuse a new relation whose name is in use, as PostgreSQL does."""
        if self.name_taken(name.schema, name.name):
            raise c.problem(
                f"{name} already exists",
                "drop it first, or write CREATE ... IF NOT EXISTS",
                c.statement.tokens[0],
            )

    def constraint_taken(self, schema: str, name: str) -> bool:
        for table in self.relations.values():
            if table.name.schema != schema:
                continue
            if name in table.constraint_names:
                return True
            if any(i.name == name and i.spec.constraint for i in table.indexes):
                return True
        return False

    def choose_name(
        self, schema: str, name1: str, name2: str | None, label: str, constraint: bool
    ) -> str:
        """ChooseRelationName(): ``name1_name2_label``, cut to fit, numbered until unused."""
        suffix = 0
        while True:
            candidate = _object_name(name1, name2, label + (str(suffix) if suffix else ""))
            if not self.name_taken(schema, candidate) and not (
                constraint and self.constraint_taken(schema, candidate)
            ):
                return candidate
            suffix += 1

    # --- types

    def column_type(self, c: _Cursor) -> tuple[_ColumnType, str | None]:
        """A column's type, and the serial type it stands for (``serial`` -> ``int4``)."""
        at = c.peek()
        if at is None:
            c.fail_expected("a type")
        scalar: _Builtin | _UserType | _Unknown | None = self._keyword_type(c)
        serial: str | None = None
        if scalar is None:
            schema, name = c.qualified("a type")
            modifiers = self._modifiers(c)
            if schema is None and name in _SERIALS and modifiers is None:
                serial = _SERIALS[name]
                scalar = _builtin(serial, None, c, at)
            elif schema in (None, "pg_catalog") and name in _BUILTIN_NAMES:
                scalar = _builtin(name, modifiers, c, at)
            else:
                user = self.find_type(schema, name) if schema != "pg_catalog" else None
                written = QualifiedName(schema, name) if schema else None
                if modifiers is not None:
                    shown = str(written) if written else name
                    if not isinstance(modifiers, str):
                        modifiers = f"({', '.join(map(str, modifiers))})"
                    raise c.problem(
                        f"type {shown}{modifiers} is not built into PostgreSQL: how it prints "
                        "its modifiers is not known without a server",
                        "read the schema from a live database with --dsn instead of a file",
                        at,
                    )
                if user is not None:
                    scalar = user
                elif written is not None and schema != "public":
                    scalar = _Unknown(_type_display(written))
                else:
                    scalar = _Unknown(_pg_quote(name))
        array = False
        while True:
            if c.take_punct("["):
                if not c.take_punct("]"):
                    c.integer()
                    c.expect_punct("]")
                array = True
            elif c.take("ARRAY"):
                if c.take_punct("["):
                    c.integer()
                    c.expect_punct("]")
                array = True
            else:
                break
        if serial is not None and array:
            raise c.problem("array of serial is not a type", "use integer[]", at)
        return _ColumnType(scalar, array), serial

    @staticmethod
    def _modifiers(c: _Cursor) -> list[int] | str | None:
        """``(n[, m])`` after a type: whole numbers, else their text; None when absent."""
        if not c.at_punct("("):
            return None
        start = c.pos
        inner = c.skip_group()
        text = " ".join(t.text for t in c.tokens[start : c.pos])
        numbers = re.fullmatch(r"-? ?\d+(?: , -? ?\d+)*", " ".join(t.text for t in inner))
        if numbers is None:
            return text.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
        return [int(n.replace(" ", "")) for n in numbers.group(0).split(" , ")]

    def _keyword_type(self, c: _Cursor) -> _Builtin | None:
        """The types SQL spells with key words (``double precision``, ``timestamp(3) with time
        zone``, ``interval day to second``); None when the type is a plain name."""
        at = c.peek()
        word = c.word()
        if at is None or word is None or c.at_punct(".", 1):
            return None
        simple = {
            "INT": "int4",
            "INTEGER": "int4",
            "SMALLINT": "int2",
            "BIGINT": "int8",
            "REAL": "float4",
            "BOOLEAN": "bool",
            "JSON": "json",
        }
        if word in simple:
            c.pos += 1
            return _builtin(simple[word], None, c, at)
        if c.take("DOUBLE", "PRECISION"):
            return _builtin("float8", None, c, at)
        if word == "FLOAT":
            c.pos += 1
            mods = self._modifiers(c)
            if mods is None:
                return _builtin("float8", None, c, at)
            if isinstance(mods, str) or len(mods) != 1 or not 1 <= mods[0] <= 53:
                raise c.problem("float precision must be between 1 and 53", "use float(24)", at)
            return _builtin("float4" if mods[0] <= 24 else "float8", None, c, at)
        if word in ("DECIMAL", "DEC", "NUMERIC"):
            c.pos += 1
            return _builtin("numeric", self._modifiers(c), c, at)
        if word in ("CHARACTER", "CHAR", "NCHAR", "NATIONAL", "VARCHAR"):
            c.pos += 1
            if word == "NATIONAL" and not (c.take("CHARACTER") or c.take("CHAR")):
                c.fail_expected("CHARACTER")
            varying = word == "VARCHAR" or c.take("VARYING")
            mods = self._modifiers(c)
            if varying:
                return _builtin("varchar", mods, c, at)
            return _builtin("bpchar", mods if mods is not None else [1], c, at)
        if word == "BIT":
            c.pos += 1
            varying = c.take("VARYING")
            mods = self._modifiers(c)
            if varying:
                return _builtin("varbit", mods, c, at)
            return _builtin("bit", mods if mods is not None else [1], c, at)
        if word in ("TIMESTAMP", "TIME"):
            c.pos += 1
            mods = self._modifiers(c)
            zone = c.take("WITH", "TIME", "ZONE")
            if not zone:
                c.take("WITHOUT", "TIME", "ZONE")
            typname = word.lower() + ("tz" if zone else "")
            return _builtin(typname, mods, c, at)
        if word == "INTERVAL":
            c.pos += 1
            fields: list[str] = []
            if c.word() in _INTERVAL_FIELDS:
                fields.append(c.next().text.lower())
                if c.take("TO"):
                    if c.word() not in _INTERVAL_FIELDS:
                        c.fail_expected("an interval field")
                    fields += ["to", c.next().text.lower()]
            mods = self._modifiers(c)
            text = " ".join(["interval", *fields])
            if mods is not None:
                if isinstance(mods, str) or len(mods) != 1:
                    c.fail_expected("one precision")
                text += f"({min(mods[0], _MAX_PRECISION)})"
            return _Builtin("interval", text)
        return None

    # --- indexes

    def add_index(self, table: _Table, spec: _IndexSpec, c: _Cursor, *, recurse: bool) -> None:
        """Create an index on ``table`` (and on its partitions, as DefineIndex does)."""
        keys: list[_Col | None] = []
        for element in spec.elements:
            if element.column is None:
                keys.append(None)
                continue
            keys.append(self._index_column(table, element.column, c, spec))
        include = [self._index_column(table, n, c, spec) for n in spec.include]
        schema = table.name.schema
        name = spec.name if spec.name is not None else self._index_name(table, spec)
        index = _Index(name, table, keys, include, spec)
        if spec.primary:
            for key in keys:
                if key is not None:
                    key.not_null = True
        table.indexes.append(index)
        self.indexes[QualifiedName(schema, name)] = index
        if recurse:
            for child in table.partitions:
                self.ensure_child_index(child, index, c)

    def _index_column(self, table: _Table, name: str, c: _Cursor, spec: _IndexSpec) -> _Col:
        column = table.column(name)
        if column is None:
            raise c.problem(
                f"column {name} of {table.name} does not exist",
                "name the table's columns",
                spec.at,
            )
        return column

    def _index_name(self, table: _Table, spec: _IndexSpec) -> str:
        """ChooseIndexName() and ChooseIndexColumnNames()."""
        schema = table.name.schema
        if spec.primary:
            return self.choose_name(schema, table.name.name, None, "pkey", True)
        labels: list[str] = []
        for original in [e.label for e in spec.elements] + spec.include:
            label, n = original, 0
            while label in labels:
                n += 1
                label = _clip(original, _NAMEDATALEN - 1 - len(str(n))) + str(n)
            labels.append(label)
        addition = ""
        for label in labels:
            if addition:
                addition += "_"
            addition += label
            if len(addition.encode()) >= _NAMEDATALEN:
                break
        kind = "excl" if spec.exclusion else "key" if spec.constraint else "idx"
        return self.choose_name(schema, table.name.name, addition, kind, spec.constraint)

    def ensure_child_index(self, child: _Table, parent: _Index, c: _Cursor) -> None:
        """A partition gets its parent's index: an equal one it has already is attached,
        otherwise a new one is made (AttachPartitionEnsureIndexes, DefineIndex)."""
        if not child.is_table:
            return  # foreign partitions hold no indexes
        wanted = _Index(
            parent.name,
            child,
            [child.column(k.name) if k is not None else None for k in parent.keys],
            [col for col in (child.column(i.name) for i in parent.include) if col is not None],
            parent.spec,
        )
        for existing in child.indexes:
            if existing.parent is not None or existing.signature() != wanted.signature():
                continue
            if parent.spec.constraint and not existing.spec.constraint:
                continue
            if existing.spec.primary != parent.spec.primary:
                raise c.problem(
                    f"whether {existing.name} of {child.name} "
                    f"becomes part of {parent.name} differs between PostgreSQL versions",
                    "give the partition the same kind of key as its parent (primary key or "
                    "unique constraint)",
                    c.statement.tokens[0],
                )
            existing.parent = parent
            return
        spec = replace(
            parent.spec,
            name=None,
            elements=[
                replace(e, column=k.name if k is not None else None)
                for k, e in zip(parent.keys, parent.spec.elements, strict=True)
            ],
            include=[col.name for col in parent.include],
        )
        self.add_index(child, spec, c, recurse=True)
        child.indexes[-1].parent = parent

    def drop_index(self, index: _Index) -> None:
        table = index.table
        for child in list(table.descendants()):
            for other in list(child.indexes):
                if other.parent is index:
                    self.drop_index(other)
        table.indexes.remove(index)
        self.indexes.pop(QualifiedName(table.name.schema, index.name), None)
        for other in self.indexes.values():
            if other.parent is index:
                other.parent = None

    def rename_index(self, index: _Index, new: str) -> None:
        schema = index.table.name.schema
        self.indexes.pop(QualifiedName(schema, index.name), None)
        index.name = new
        self.indexes[QualifiedName(schema, new)] = index

    # --- relations

    def add_relation(self, table: _Table) -> None:
        self.relations[table.name] = table
        self.schemas.add(table.name.schema)

    def drop_relation(self, table: _Table) -> None:
        for child in list(table.partitions):
            self.drop_relation(child)
        if table.parent is not None:
            table.parent.partitions.remove(table)
        for index in list(table.indexes):
            self.drop_index(index)
        for sequence in table.sequences:
            self.sequences.discard(QualifiedName(table.name.schema, sequence))
        del self.relations[table.name]

    def move_relation(self, table: _Table, new: QualifiedName) -> None:
        """Rename or move a relation; its indexes and owned sequences move with it."""
        del self.relations[table.name]
        if new.schema != table.name.schema:
            for index in table.indexes:
                del self.indexes[QualifiedName(table.name.schema, index.name)]
                self.indexes[QualifiedName(new.schema, index.name)] = index
            for sequence in table.sequences:
                self.sequences.discard(QualifiedName(table.name.schema, sequence))
                self.sequences.add(QualifiedName(new.schema, sequence))
        table.name = new
        self.relations[new] = table
        self.schemas.add(new.schema)

    def has_views(self) -> bool:
        return any(t.kind in ("v", "m") for t in self.relations.values())

    # --- the result

    def models(self) -> dict[QualifiedName, TableModel | Relation]:
        found: dict[QualifiedName, TableModel | Relation] = {}
        for qname in sorted(self.relations):
            table = self.relations[qname]
            if not table.is_table:
                found[qname] = Relation(qname, _KIND_NAMES[table.kind])
                continue
            primary: tuple[str, ...] = ()
            unique: list[tuple[bool, str, tuple[str, ...]]] = []
            for index in table.indexes:
                keys = [k for k in index.keys if k is not None]
                if not index.spec.unique or len(keys) != len(index.keys):
                    continue
                if index.spec.predicate is not None or index.include:
                    continue
                names = tuple(k.name for k in keys)
                if index.spec.primary:
                    primary = names
                elif all(k.not_null for k in keys):
                    unique.append((not index.replica_identity, index.name, names))
            found[qname] = TableModel(
                name=qname,
                columns=tuple(
                    Column(
                        name=col.name,
                        type=col.type.text,
                        exact_equality=col.type.exact,
                        not_null=col.not_null,
                        generated=col.generated,
                        comment_policy=comment_policy(col.comment),
                        builtin_type=col.type.builtin,
                    )
                    for col in table.columns
                ),
                partitioned=table.kind == "p",
                primary_key=primary,
                unique_keys=tuple(names for _, _, names in sorted(unique)),
                owner=table.owner,
                leaf_partitions=tuple(sorted(t.name for t in table.descendants() if t.kind != "p"))
                if table.kind == "p"
                else (),
                partition_of=table.parent.name if table.parent is not None else None,
            )
        return found


def _object_name(name1: str, name2: str | None, label: str) -> str:
    """makeObjectName(): cut the longer of the two names until all fits in 63 bytes."""
    b1, b2 = name1.encode(), (name2 or "").encode()
    overhead = (1 if name2 is not None else 0) + len(label.encode()) + 1
    n1, n2 = len(b1), len(b2)
    while n1 + n2 > _NAMEDATALEN - 1 - overhead:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [b1[:n1].decode(errors="ignore")]
    if name2 is not None:
        parts.append(b2[:n2].decode(errors="ignore"))
    return "_".join([*parts, label])


# --- reading statements ------------------------------------------------------------------------


class _Reader:
    """Applies each statement to the catalog, as PostgreSQL would."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.catalog = _Catalog(source)

    def read(self) -> dict[QualifiedName, TableModel | Relation]:
        for statement in _statements(self.source):
            self.statement(_Cursor(statement, self.source))
        return self.catalog.models()

    def statement(self, c: _Cursor) -> None:
        first = c.peek()
        assert first is not None
        if first.kind == "punct" and first.text == "\\":
            command = c.peek(1)
            if command is not None and command.text in ("restrict", "unrestrict"):
                return  # pg_dump's guard against psql meta-commands in the dump itself
            raise c.unsupported("remove psql meta-commands; the file must be plain SQL", command)
        word = first.word
        if word == "CREATE":
            self.create(c)
        elif word == "ALTER":
            self.alter(c)
        elif word == "DROP":
            self.drop(c)
        elif word == "COMMENT":
            self.comment(c)
        elif word == "SET":
            self.set(c)
        elif word == "RESET":
            self.reset(c)
        elif word in ("SELECT", "WITH", "VALUES", "TABLE"):
            self.select(c)
        elif word == "COPY":
            if any(t.word == "STDIN" for t in c.tokens):
                raise c.unsupported(
                    "dump the schema only, with pg_dump --schema-only: data is not read",
                    c.tokens[-1],
                )
        elif word in ("DO", "CALL", "EXECUTE"):
            raise c.unsupported(
                "write out the statements it runs (it may create tables), "
                "or read the schema from a live database with --dsn",
                first,
            )
        elif word in ("ROLLBACK", "ABORT"):
            raise c.unsupported(
                "remove it: the file is read as if every statement succeeded", first
            )
        elif word not in _IGNORED:
            raise c.unsupported(
                "remove it, or read the schema from a live database with --dsn", first
            )

    # --- CREATE

    def create(self, c: _Cursor) -> None:
        c.expect("CREATE")
        c.take("OR", "REPLACE")
        temporary = False
        while c.word() in ("GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"):
            temporary |= c.next().word in ("TEMP", "TEMPORARY")
        if c.at("RECURSIVE", "VIEW"):
            c.pos += 1
        word = c.word()
        if temporary and word in ("TABLE", "VIEW"):
            raise c.unsupported("remove it: temporary tables are not part of the schema", c.peek())
        if word == "TABLE":
            self.create_table(c)
        elif word == "VIEW":
            self.create_relation(c, "v", 1)
        elif c.at("MATERIALIZED", "VIEW"):
            self.create_relation(c, "m", 2)
        elif c.at("FOREIGN", "TABLE"):
            self.create_foreign_table(c)
        elif word in ("UNIQUE", "INDEX"):
            self.create_index(c)
        elif word == "TYPE":
            self.create_type(c)
        elif word == "DOMAIN":
            self.create_domain(c)
        elif word == "SCHEMA":
            self.create_schema(c)
        elif word == "SEQUENCE":
            c.pos += 1
            if temporary:
                return
            if_not_exists = c.take("IF", "NOT", "EXISTS")
            schema, name = c.qualified("a sequence name")
            qname = QualifiedName(self.catalog.create_schema(c, schema), name)
            if not (if_not_exists and self.catalog.name_taken(qname.schema, name)):
                self.catalog.sequences.add(qname)
        elif word == "RULE" and c.at_name(1) and _identifier(c.token_at(1)) == "_RETURN":
            # PostgreSQL 15 and older turn the table into a view
            raise c.unsupported("write the view with CREATE VIEW", c.peek(1))
        elif word in _OTHER_OBJECTS or c.at("FOREIGN", "DATA"):
            return
        else:
            raise c.unsupported(
                "remove it, or read the schema from a live database with --dsn", c.peek()
            )

    def create_relation(self, c: _Cursor, kind: str, words: int) -> None:
        c.pos += words
        if_not_exists = c.take("IF", "NOT", "EXISTS")
        schema, name = c.qualified("a name")
        qname = QualifiedName(self.catalog.create_schema(c, schema), name)
        existing = self.catalog.relations.get(qname)
        if existing is not None and (if_not_exists or existing.kind == kind):
            return  # IF NOT EXISTS, or CREATE OR REPLACE VIEW
        self.catalog.claim(c, qname)
        self.catalog.add_relation(_Table(qname, kind))

    def create_foreign_table(self, c: _Cursor) -> None:
        c.pos += 2
        if_not_exists = c.take("IF", "NOT", "EXISTS")
        schema, name = c.qualified("a table name")
        qname = QualifiedName(self.catalog.create_schema(c, schema), name)
        if if_not_exists and qname in self.catalog.relations:
            return
        self.catalog.claim(c, qname)
        table = _Table(qname, "f")
        if c.take("PARTITION", "OF"):
            parent = self.catalog.table(c)
            assert parent is not None
            self._check_partitioned(c, parent)
            table.parent = parent
            parent.partitions.append(table)
        self.catalog.add_relation(table)

    def create_table(self, c: _Cursor) -> None:
        c.expect("TABLE")
        if_not_exists = c.take("IF", "NOT", "EXISTS")
        name_at = c.peek()
        schema, name = c.qualified("a table name")
        qname = QualifiedName(self.catalog.create_schema(c, schema), name)
        if c.at("AS") or c.at("OF") or (c.at_punct("(") and c.word(_after_group(c)) == "AS"):
            name_end = c.peek(-1)
            assert name_at is not None and name_end is not None
            written = c.source.text[name_at.start : name_end.end + 1]
            raise c.unsupported(
                f"write the table with CREATE TABLE {written} (columns ...)",
                c.peek(1) if c.at("AS") else c.peek(),
            )
        if if_not_exists and self.catalog.find(qname.schema, name) is not None:
            return
        self.catalog.claim(c, qname)
        table = _Table(qname, "r", owner=self.catalog.role)
        pending: list[_IndexSpec] = []
        parent: _Table | None = None
        if c.take("PARTITION", "OF"):
            parent = self.catalog.table(c)
            assert parent is not None
            self._check_partitioned(c, parent)
            table.columns = [col.copy() for col in parent.columns]
            if c.at_punct("("):
                self.table_elements(c, table, pending, partition=True)
            if c.take("DEFAULT"):
                pass
            else:
                c.expect("FOR", "VALUES")
                if c.take("IN") or c.take("WITH"):
                    c.skip_group()
                else:
                    c.expect("FROM")
                    c.skip_group()
                    c.expect("TO")
                    c.skip_group()
        else:
            self.table_elements(c, table, pending, partition=False)
        while not c.done():
            word = c.word()
            if word == "INHERITS":
                raise c.unsupported(
                    "write every column in the table itself: inheritance is not read", c.peek()
                )
            if c.take("PARTITION", "BY"):
                table.kind = "p"
                c.next()  # RANGE, LIST or HASH
                c.skip_group()
            elif c.take("USING") or c.take("TABLESPACE"):
                c.name("a name")
            elif c.take("WITH"):
                c.skip_group()
            elif c.take("WITHOUT", "OIDS"):
                pass
            elif c.take("ON", "COMMIT"):
                c.skip_to_comma()
            else:
                c.fail_expected("the end of the statement")
        self.catalog.add_relation(table)
        if parent is not None:
            table.parent = parent
            parent.partitions.append(table)
            for index in list(parent.indexes):
                self.catalog.ensure_child_index(table, index, c)
        for spec in _merge_index_specs(pending):
            self.catalog.add_index(table, spec, c, recurse=True)

    def _check_partitioned(self, c: _Cursor, parent: _Table) -> None:
        if parent.kind != "p":
            raise c.problem(
                f"{parent.name} is not partitioned",
                "add PARTITION BY to its CREATE TABLE",
                c.peek(-1),
            )

    def table_elements(
        self, c: _Cursor, table: _Table, pending: list[_IndexSpec], *, partition: bool
    ) -> None:
        c.expect_punct("(")
        if c.take_punct(")"):
            return
        while True:
            if c.at("LIKE"):
                raise c.unsupported("write the columns out: LIKE is not read", c.peek())
            if self._at_table_constraint(c):
                self.table_constraint(c, table, pending)
            elif partition:
                at = c.peek()
                name = c.name("a column name")
                column = table.column(name)
                if column is None:
                    raise c.problem(
                        f"column {name} is not a column of the parent table",
                        "name the parent's columns in PARTITION OF (...)",
                        at,
                    )
                c.take("WITH", "OPTIONS")
                self.column_constraints(c, table, column, pending)
            else:
                self.column_definition(c, table, pending)
            if not c.take_punct(","):
                break
        c.expect_punct(")")

    @staticmethod
    def _at_table_constraint(c: _Cursor) -> bool:
        word = c.word()
        if word in _TABLE_CONSTRAINT_WORDS:
            return True
        if word == "EXCLUDE":
            return c.at_punct("(", 1) or c.word(1) == "USING"
        return c.at("NOT", "NULL")

    def column_definition(self, c: _Cursor, table: _Table, pending: list[_IndexSpec]) -> _Col:
        name = c.name("a column name")
        column_type, serial = self.catalog.column_type(c)
        column = _Col(name, column_type)
        if table.column(name) is not None:
            raise c.problem(
                f"column {name} is defined twice",
                "remove one of them",
                c.peek(-1),
            )
        table.columns.append(column)
        if serial is not None:
            column.not_null = True
            self._owned_sequence(table, name)
        self.column_constraints(c, table, column, pending)
        return column

    def _owned_sequence(self, table: _Table, column: str, given: str | None = None) -> None:
        schema = table.name.schema
        name = given or self.catalog.choose_name(schema, table.name.name, column, "seq", False)
        table.sequences.append(name)
        self.catalog.sequences.add(QualifiedName(schema, name))

    def column_constraints(
        self, c: _Cursor, table: _Table, column: _Col, pending: list[_IndexSpec]
    ) -> None:
        last: _IndexSpec | None = None  # DEFERRABLE and INITIALLY apply to the key just read
        while not c.done() and not c.at_punct(",") and not c.at_punct(")"):
            constraint_name = c.name("a constraint name") if c.take("CONSTRAINT") else None
            at = c.peek()
            if c.take("NOT", "NULL"):
                column.not_null = True
                column.not_null_name = constraint_name
                c.take("NO", "INHERIT")
            elif c.take("NULL"):
                pass
            elif c.take("CHECK"):
                c.skip_group()
                c.take("NO", "INHERIT")
                if constraint_name is not None:
                    table.constraint_names.add(constraint_name)
            elif c.take("DEFAULT"):
                c.skip_expression(_COLUMN_CONSTRAINT_WORDS)
            elif c.take("GENERATED"):
                if c.take("ALWAYS", "AS", "IDENTITY") or c.take("BY", "DEFAULT", "AS", "IDENTITY"):
                    column.not_null = True
                    sequence = self._identity_options(c)
                    self._owned_sequence(table, column.name, sequence)
                else:
                    c.expect("ALWAYS", "AS")
                    expression = c.skip_group()
                    column.generated_from = _names_in(expression)
                    # PostgreSQL 18 makes VIRTUAL the default; 15 to 17 require STORED
                    column.generated = "s" if c.take("STORED") else "v"
                    c.take("VIRTUAL")
            elif c.at("UNIQUE") or c.at("PRIMARY", "KEY"):
                primary = c.take("PRIMARY", "KEY")
                c.take("UNIQUE")
                last = _IndexSpec(
                    [_Element(column.name, (), column.name, (), frozenset())],
                    name=constraint_name,
                    unique=True,
                    primary=primary,
                    constraint=True,
                    at=at,
                    nulls_not_distinct=False if primary else self._nulls_distinct(c),
                )
                self._index_parameters(c, last)
                pending.append(last)
                continue
            elif c.take("REFERENCES"):
                self._references(c)
                if constraint_name is not None:
                    table.constraint_names.add(constraint_name)
            elif c.take("COLLATE"):
                c.qualified("a collation")
            elif c.take("COMPRESSION") or c.take("STORAGE"):
                c.next()
            elif c.take("DEFERRABLE"):
                if last is not None:
                    last.deferrable = (True, last.deferrable[1])
                continue
            elif c.take("NOT", "DEFERRABLE"):
                continue
            elif c.take("INITIALLY"):
                deferred = c.next().word == "DEFERRED"
                if last is not None:
                    last.deferrable = (last.deferrable[0], deferred)
                continue
            elif c.take("ENFORCED") or c.take("NOT", "ENFORCED"):
                continue
            else:
                c.fail_expected("a column constraint")
            last = None

    @staticmethod
    def _identity_options(c: _Cursor) -> str | None:
        """The name in ``(SEQUENCE NAME [schema.]name ...)``, if given."""
        if not c.at_punct("("):
            return None
        inner = c.skip_group()
        for i in range(len(inner) - 2):
            if inner[i].word == "SEQUENCE" and inner[i + 1].word == "NAME":
                j = i + 2
                while j + 2 < len(inner) and inner[j + 1].text == ".":
                    j += 2
                return _identifier(inner[j])
        return None

    @staticmethod
    def _nulls_distinct(c: _Cursor) -> bool:
        if c.take("NULLS", "NOT", "DISTINCT"):
            return True
        c.take("NULLS", "DISTINCT")
        return False

    @staticmethod
    def _index_parameters(c: _Cursor, spec: _IndexSpec) -> None:
        while True:
            if c.take("INCLUDE"):
                spec.include = c.name_list()
            elif c.take("WITH"):
                c.skip_group()
            elif c.take("USING", "INDEX", "TABLESPACE"):
                c.name("a tablespace")
            else:
                return

    @staticmethod
    def _references(c: _Cursor) -> None:
        c.qualified("a table name")
        if c.at_punct("("):
            c.skip_group()
        while True:
            if c.take("MATCH"):
                c.next()
            elif c.take("ON"):
                c.next()  # DELETE or UPDATE
                if c.take("SET"):
                    c.next()  # NULL or DEFAULT
                    if c.at_punct("("):
                        c.skip_group()
                elif not (c.take("NO", "ACTION") or c.take("RESTRICT") or c.take("CASCADE")):
                    c.fail_expected("a referential action")
            else:
                return

    def table_constraint(self, c: _Cursor, table: _Table, pending: list[_IndexSpec]) -> _Col | None:
        """One table constraint; PRIMARY KEY, UNIQUE and EXCLUDE become index specs. Returns
        the column a NOT NULL constraint (PostgreSQL 18) names."""
        at = c.peek()
        name = c.name("a constraint name") if c.take("CONSTRAINT") else None
        spec: _IndexSpec | None = None
        not_null: _Col | None = None
        if c.take("CHECK"):
            c.skip_group()
        elif c.take("NOT", "NULL"):
            column_at = c.peek()
            column = table.column(c.name("a column name"))
            if column is None:
                raise c.problem(
                    "no such column",
                    "name one of the table's columns",
                    column_at,
                )
            column.not_null = True
            column.not_null_name = name
            not_null, name = column, None
        elif c.at("UNIQUE") or c.at("PRIMARY", "KEY"):
            primary = c.take("PRIMARY", "KEY")
            c.take("UNIQUE")
            nulls_not_distinct = False if primary else self._nulls_distinct(c)
            c.expect_punct("(")
            columns = [c.name("a column name")]
            while c.take_punct(","):
                columns.append(c.name("a column name"))
            if c.at("WITHOUT", "OVERLAPS"):
                raise c.unsupported("temporal keys (WITHOUT OVERLAPS) are not read", c.peek(1))
            c.expect_punct(")")
            spec = _IndexSpec(
                [_Element(n, (), n, (), frozenset()) for n in columns],
                name=name,
                unique=True,
                primary=primary,
                constraint=True,
                at=at,
                nulls_not_distinct=nulls_not_distinct,
            )
            self._index_parameters(c, spec)
        elif c.take("EXCLUDE"):
            method = c.name("an index method") if c.take("USING") else "btree"
            spec = _IndexSpec([], name=name, constraint=True, exclusion=True, method=method, at=at)
            c.expect_punct("(")
            while True:
                spec.elements.append(self.index_element(c, exclusion=True))
                if not c.take_punct(","):
                    break
            c.expect_punct(")")
            self._index_parameters(c, spec)
            if c.take("WHERE"):
                predicate = c.skip_group()
                spec.predicate = _normalized(predicate)
                spec.mentions = _names_in(predicate)
        elif c.take("FOREIGN", "KEY"):
            c.name_list()
            c.expect("REFERENCES")
            self._references(c)
        else:
            c.fail_expected("a table constraint")
        while True:
            if c.take("DEFERRABLE"):
                if spec is not None:
                    spec.deferrable = (True, spec.deferrable[1])
            elif c.take("NOT", "DEFERRABLE") or c.take("NOT", "VALID"):
                pass
            elif c.take("INITIALLY"):
                deferred = c.next().word == "DEFERRED"
                if spec is not None:
                    spec.deferrable = (spec.deferrable[0], deferred)
            elif c.take("NO", "INHERIT") or c.take("ENFORCED") or c.take("NOT", "ENFORCED"):
                pass
            else:
                break
        if spec is not None:
            pending.append(spec)
        elif name is not None:
            table.constraint_names.add(name)
        return not_null

    def index_element(self, c: _Cursor, *, exclusion: bool = False) -> _Element:
        """``column``, ``function(...)`` or ``(expression)``, then collation, operator class
        and order; for EXCLUDE, ``WITH operator``."""
        column: str | None = None
        expression: list[_Token] = []
        if c.at_punct("("):
            expression = c.skip_group()
            if len(expression) == 1 and expression[0].kind in ("word", "quoted"):
                column, expression = _identifier(expression[0]), []
        elif c.at_name() and (c.at_punct("(", 1) or c.at_punct(".", 1)):
            start = c.pos
            c.qualified("a function")
            c.skip_group()
            expression = list(c.tokens[start : c.pos])
        else:
            column = c.name("a column name")
        label = column if column is not None else _figure_column_name(expression)
        options_start = c.pos
        stop = ("ASC", "DESC", "NULLS", "WITH") if exclusion else ("ASC", "DESC", "NULLS")
        if c.take("COLLATE"):
            c.qualified("a collation")
        if c.at_name() and c.word() not in stop:
            c.qualified("an operator class")
            if c.at_punct("("):
                c.skip_group()
        c.take("ASC") or c.take("DESC")
        if c.take("NULLS"):
            c.next()
        if exclusion:
            c.expect("WITH")
            c.skip_expression()
        return _Element(
            column,
            _normalized(expression),
            label,
            _normalized(list(c.tokens[options_start : c.pos])),
            _names_in(expression),
        )

    def create_index(self, c: _Cursor) -> None:
        at = c.peek()
        unique = c.take("UNIQUE")
        c.expect("INDEX")
        c.take("CONCURRENTLY")
        if_not_exists = c.take("IF", "NOT", "EXISTS")
        name = c.name("an index name") if not c.at("ON") else None
        c.expect("ON")
        only = c.take("ONLY")
        table = self.catalog.table(c)
        assert table is not None
        if if_not_exists and name and self.catalog.name_taken(table.name.schema, name):
            return
        spec = _IndexSpec([], name=name, unique=unique, at=at)
        if c.take("USING"):
            spec.method = c.name("an index method")
        c.expect_punct("(")
        while True:
            spec.elements.append(self.index_element(c))
            if not c.take_punct(","):
                break
        c.expect_punct(")")
        while not c.done():
            if c.take("INCLUDE"):
                spec.include = c.name_list()
            elif c.at("NULLS"):
                spec.nulls_not_distinct = self._nulls_distinct(c)
            elif c.take("WITH"):
                c.skip_group()
            elif c.take("TABLESPACE"):
                c.name("a tablespace")
            elif c.take("WHERE"):
                predicate = list(c.tokens[c.pos :])
                spec.predicate = _normalized(predicate)
                spec.mentions = _names_in(predicate)
                c.pos = len(c.tokens)
            else:
                c.fail_expected("the end of the statement")
        spec.mentions |= frozenset().union(*(e.mentions for e in spec.elements))
        self.catalog.add_index(table, spec, c, recurse=not only)

    def create_type(self, c: _Cursor) -> None:
        c.expect("TYPE")
        schema, name = c.qualified("a type name")
        qname = QualifiedName(self.catalog.create_schema(c, schema), name)
        kind = "b"
        if c.take("AS"):
            if c.take("ENUM"):
                kind = "e"
            elif c.take("RANGE"):
                kind = "r"
            else:
                kind = "c"
                self.catalog.claim(c, qname)
                self.catalog.add_relation(_Table(qname, "c"))
        existing = self.catalog.types.get(qname)
        if existing is not None:
            existing.kind = kind  # a shell type getting its definition
        else:
            self.catalog.types[qname] = _UserType(qname, kind)
            self.catalog.schemas.add(qname.schema)

    def create_domain(self, c: _Cursor) -> None:
        c.expect("DOMAIN")
        schema, name = c.qualified("a domain name")
        qname = QualifiedName(self.catalog.create_schema(c, schema), name)
        c.take("AS")
        base, serial = self.catalog.column_type(c)
        if serial is not None:
            raise c.problem("a domain cannot be serial", "use integer", c.peek(-1))
        self.catalog.types[qname] = _UserType(qname, "d", base)
        self.catalog.schemas.add(qname.schema)

    def create_schema(self, c: _Cursor) -> None:
        c.expect("SCHEMA")
        c.take("IF", "NOT", "EXISTS")
        if c.take("AUTHORIZATION"):
            name = c.name("a role name")
        else:
            name = c.name("a schema name")
            if c.take("AUTHORIZATION"):
                c.name("a role name")
        if not c.done():
            raise c.unsupported("create the schema's objects in statements of their own", c.peek())
        self.catalog.schemas.add(name)

    # --- ALTER

    def alter(self, c: _Cursor) -> None:
        c.expect("ALTER")
        word = c.word()
        if word == "TABLE":
            c.pos += 1
            self.alter_table(c)
        elif (
            word in ("VIEW", "SEQUENCE", "INDEX")
            or c.at("MATERIALIZED", "VIEW")
            or c.at("FOREIGN", "TABLE")
        ):
            c.pos += 2 if word in ("MATERIALIZED", "FOREIGN") else 1
            self.alter_other(c, word or "")
        elif word in ("TYPE", "DOMAIN"):
            c.pos += 1
            self.alter_type(c)
        elif word == "SCHEMA":
            c.pos += 1
            self.alter_schema(c)
        elif word in _OTHER_OBJECTS or c.at("FOREIGN", "DATA") or word == "OPERATOR":
            return
        else:
            raise c.unsupported(
                "remove it, or read the schema from a live database with --dsn", c.peek()
            )

    def alter_table(self, c: _Cursor) -> None:
        if c.at("ALL", "IN"):
            return  # ALTER TABLE ALL IN TABLESPACE moves storage only
        if_exists = c.take("IF", "EXISTS")
        only = c.take("ONLY")
        table = self.catalog.relation(c, if_exists=if_exists)
        c.take_punct("*")
        if table is None:
            return
        if not table.is_table:
            self.alter_other_actions(c, table)
            return
        while True:
            self.alter_table_action(c, table, only)
            if not c.take_punct(","):
                break
        c.expect_end()

    def alter_table_action(self, c: _Cursor, table: _Table, only: bool) -> None:
        at = c.peek()
        targets = [table] if only else [table, *table.descendants()]
        if c.take("ADD"):
            if c.take("COLUMN") or not self._at_table_constraint(c):
                if_not_exists = c.take("IF", "NOT", "EXISTS")
                token = c.peek()
                if (
                    if_not_exists
                    and token is not None
                    and token.kind in ("word", "quoted")
                    and table.column(_identifier(token)) is not None
                ):
                    c.skip_to_comma()
                    return
                pending: list[_IndexSpec] = []
                column = self.column_definition(c, table, pending)
                for child in table.descendants():
                    child.columns.append(column.copy())
                for spec in pending:
                    self.catalog.add_index(table, spec, c, recurse=True)
            elif self._at_using_index(c):
                self._constraint_using_index(c, table)
            else:
                pending = []
                not_null = self.table_constraint(c, table, pending)
                c.take("NOT", "VALID")
                if not_null is not None:
                    for target in targets:
                        col = target.column(not_null.name)
                        if col is not None:
                            col.not_null = True
                for spec in pending:
                    self.catalog.add_index(table, spec, c, recurse=not only)
        elif c.take("DROP"):
            if c.take("CONSTRAINT"):
                if_exists = c.take("IF", "EXISTS")
                name_at = c.peek()
                name = c.name("a constraint name")
                cascade = c.take("CASCADE")
                c.take("RESTRICT")
                self._drop_constraint(c, table, name, if_exists, cascade, name_at)
            else:
                c.take("COLUMN")
                if_exists = c.take("IF", "EXISTS")
                name_at = c.peek()
                name = c.name("a column name")
                cascade = c.take("CASCADE")
                c.take("RESTRICT")
                if table.column(name) is None:
                    if if_exists:
                        return
                    raise self._no_column(c, table, name, name_at)
                for target in targets:
                    self._drop_column(c, target, name, cascade)
        elif c.take("ALTER"):
            if c.take("CONSTRAINT"):
                c.skip_to_comma()
                return
            c.take("COLUMN")
            name_at = c.peek()
            name = c.name("a column name")
            if table.column(name) is None:
                raise self._no_column(c, table, name, name_at)
            self.alter_column(c, table, name, targets)
        elif c.take("RENAME"):
            if c.take("TO"):
                new = c.name("a table name")
                self._rename(c, table, QualifiedName(table.name.schema, new))
            elif c.take("CONSTRAINT"):
                old = c.name("a constraint name")
                c.expect("TO")
                new = c.name("a constraint name")
                for index in table.indexes:
                    if index.name == old and index.spec.constraint:
                        self.catalog.rename_index(index, new)
                        break
                else:
                    if old in table.constraint_names:
                        table.constraint_names.discard(old)
                        table.constraint_names.add(new)
                    for column in table.columns:
                        if column.not_null_name == old:
                            column.not_null_name = new
            else:
                c.take("COLUMN")
                name_at = c.peek()
                old = c.name("a column name")
                c.expect("TO")
                new = c.name("a column name")
                if table.column(old) is None:
                    raise self._no_column(c, table, old, name_at)
                for target in [table, *table.descendants()]:
                    renamed = target.column(old)
                    if renamed is not None:
                        renamed.name = new
        elif c.take("SET", "SCHEMA"):
            schema = c.name("a schema name")
            self._rename(c, table, QualifiedName(schema, table.name.name))
        elif c.take("OWNER", "TO"):
            role = c.next()
            table.owner = (
                None
                if role.word in ("CURRENT_USER", "CURRENT_ROLE", "SESSION_USER")
                else _identifier(role)
            )
        elif c.take("REPLICA", "IDENTITY"):
            for index in table.indexes:
                index.replica_identity = False
            if c.take("USING", "INDEX"):
                index_at = c.peek()
                name = c.name("an index name")
                found = next((i for i in table.indexes if i.name == name), None)
                if found is None:
                    raise c.problem(
                        f"index {name} of {table.name} does not exist",
                        "create the index first",
                        index_at,
                    )
                found.replica_identity = True
            else:
                c.next()
        elif c.take("ATTACH", "PARTITION"):
            self._attach(c, table)
        elif c.take("DETACH", "PARTITION"):
            detached = self.catalog.table(c)
            assert detached is not None
            if detached.parent is table:
                table.partitions.remove(detached)
                detached.parent = None
                for index in detached.indexes:
                    index.parent = None
            c.skip_to_comma()
        elif c.word() in ("INHERIT", "NO", "OF", "NOT") and (
            c.at("INHERIT") or c.at("NO", "INHERIT") or c.at("OF") or c.at("NOT", "OF")
        ):
            raise c.unsupported("inheritance and typed tables are not read", c.peek())
        elif (
            c.word() in ("ENABLE", "DISABLE", "FORCE", "CLUSTER", "VALIDATE", "RESET")
            or c.at("NO", "FORCE")
            or c.at("SET")
        ):
            c.skip_to_comma()
        else:
            raise c.unsupported(
                "this ALTER TABLE action is not read; write the table as it ends up instead", at
            )

    @staticmethod
    def _at_using_index(c: _Cursor) -> bool:
        """``[CONSTRAINT name] {UNIQUE | PRIMARY KEY} USING INDEX index`` follows."""
        i = 2 if c.at("CONSTRAINT") else 0
        if c.word(i) == "UNIQUE":
            i += 1
        elif c.word(i) == "PRIMARY" and c.word(i + 1) == "KEY":
            i += 2
        else:
            return False
        return c.word(i) == "USING" and c.word(i + 1) == "INDEX"

    def _no_column(self, c: _Cursor, table: _Table, name: str, at: _Token | None) -> InputError:
        return c.problem(
            f"column {name} of {table.name} does not exist",
            "name one of the table's columns",
            at,
        )

    def _constraint_using_index(self, c: _Cursor, table: _Table) -> None:
        name = c.name("a constraint name") if c.take("CONSTRAINT") else None
        primary = c.take("PRIMARY", "KEY")
        if not primary:
            c.expect("UNIQUE")
        c.expect("USING", "INDEX")
        index_at = c.peek()
        index_name = c.name("an index name")
        index = next((i for i in table.indexes if i.name == index_name), None)
        if index is None:
            raise c.problem(
                f"index {index_name} of {table.name} does not exist",
                "create the index first",
                index_at,
            )
        c.skip_to_comma()
        index.spec.constraint = True
        index.spec.primary = primary
        if primary:
            for key in index.keys:
                if key is not None:
                    key.not_null = True
        if name is not None and name != index.name:
            self.catalog.rename_index(index, name)

    def _drop_constraint(
        self,
        c: _Cursor,
        table: _Table,
        name: str,
        if_exists: bool,
        cascade: bool,
        at: _Token | None,
    ) -> None:
        if cascade and self.catalog.has_views():
            raise c.unsupported("drop without CASCADE: what views depend on is not read", at)
        for index in table.indexes:
            if index.name == name and index.spec.constraint:
                self.catalog.drop_index(index)
                return
        if name in table.constraint_names:
            table.constraint_names.discard(name)
        for column in table.columns:
            if name in (
                column.not_null_name,
                _object_name(table.name.name, column.name, "not_null"),
            ):
                # PostgreSQL 18 names NOT NULL constraints; dropping one makes the column
                # nullable, here and in the partitions
                for target in [table, *table.descendants()]:
                    col = target.column(column.name)
                    if col is not None:
                        col.not_null = False
                column.not_null_name = None

    def _drop_column(self, c: _Cursor, table: _Table, name: str, cascade: bool) -> None:
        column = table.column(name)
        if column is None:
            return
        if cascade and (
            self.catalog.has_views() or any(name in col.generated_from for col in table.columns)
        ):
            raise c.unsupported(
                "drop without CASCADE: what depends on the column is not read", c.peek(-1)
            )
        for index in list(table.indexes):
            if index in table.indexes and index.mentions(column):
                self.catalog.drop_index(index)
        table.columns.remove(column)

    def alter_column(self, c: _Cursor, table: _Table, name: str, targets: list[_Table]) -> None:
        def each() -> Iterator[_Col]:
            for target in targets:
                col = target.column(name)
                if col is not None:
                    yield col

        at = c.peek()
        if c.take("TYPE") or c.take("SET", "DATA", "TYPE"):
            new_type, serial = self.catalog.column_type(c)
            if serial is not None:
                raise c.problem(
                    "serial is not a type for ALTER COLUMN TYPE", "use integer and a sequence", at
                )
            for col in each():
                col.type = new_type
            c.skip_to_comma()
        elif c.take("SET", "NOT", "NULL"):
            for col in each():
                col.not_null = True
        elif c.take("DROP", "NOT", "NULL"):
            for col in each():
                col.not_null = False
        elif c.take("DROP", "EXPRESSION"):
            c.take("IF", "EXISTS")
            for col in each():
                col.generated = ""
                col.generated_from = frozenset()
        elif c.take("ADD", "GENERATED"):
            if not (c.take("ALWAYS") or c.take("BY", "DEFAULT")):
                c.fail_expected("ALWAYS or BY DEFAULT")
            c.expect("AS", "IDENTITY")
            self._owned_sequence(table, name, self._identity_options(c))
            for col in each():
                col.not_null = True
        elif c.at("SET", "EXPRESSION") or c.word() in ("SET", "DROP", "RESTART", "RESET"):
            c.skip_to_comma()  # defaults, statistics, storage, identity options
        else:
            raise c.unsupported("this ALTER COLUMN action is not read", at)

    def _rename(self, c: _Cursor, table: _Table, new: QualifiedName) -> None:
        self.catalog.claim(c, new)
        self.catalog.move_relation(table, new)

    def _attach(self, c: _Cursor, parent: _Table) -> None:
        child = self.catalog.relation(c)
        assert child is not None
        self._check_partitioned(c, parent)
        if child.parent is not None:
            raise c.problem(f"{child.name} is already a partition", "detach it first", c.peek(-1))
        if c.take("DEFAULT"):
            pass
        else:
            c.expect("FOR", "VALUES")
            c.skip_to_comma()
        child.parent = parent
        parent.partitions.append(child)
        for index in list(parent.indexes):
            self.catalog.ensure_child_index(child, index, c)

    def alter_other(self, c: _Cursor, what: str) -> None:
        """ALTER VIEW, MATERIALIZED VIEW, FOREIGN TABLE, SEQUENCE or INDEX: only renames and
        moves matter."""
        if c.at("ALL", "IN"):
            return
        if_exists = c.take("IF", "EXISTS")
        if what == "INDEX":
            schema, name = c.qualified("an index name")
            index = self.catalog.find_index(schema, name)
            if index is None:
                if if_exists:
                    return
                raise c.problem(
                    f"index {name} does not exist", "create it earlier in the file", c.peek(-1)
                )
            if c.take("RENAME", "TO"):
                self.catalog.rename_index(index, c.name("an index name"))
            elif c.take("ATTACH", "PARTITION"):
                schema, name = c.qualified("an index name")
                child = self.catalog.find_index(schema, name)
                if child is not None:
                    child.parent = index
            return
        if what == "SEQUENCE":
            schema, name = c.qualified("a sequence name")
            found = next(
                (
                    q
                    for q in self.catalog.sequences
                    if q.name == name and (schema is None or q.schema == schema)
                ),
                None,
            )
            if found is not None and c.take("RENAME", "TO"):
                new = QualifiedName(found.schema, c.name("a sequence name"))
                self.catalog.sequences.discard(found)
                self.catalog.sequences.add(new)
            elif found is not None and c.take("SET", "SCHEMA"):
                new = QualifiedName(c.name("a schema name"), found.name)
                self.catalog.sequences.discard(found)
                self.catalog.sequences.add(new)
            return
        c.take("ONLY")
        relation = self.catalog.relation(c, if_exists=if_exists, what="relation")
        c.take_punct("*")
        if relation is not None:
            self.alter_other_actions(c, relation)

    def alter_other_actions(self, c: _Cursor, relation: _Table) -> None:
        if c.take("RENAME", "TO"):
            new = c.name("a name")
            self._rename(c, relation, QualifiedName(relation.name.schema, new))
        elif c.take("SET", "SCHEMA"):
            self._rename(c, relation, QualifiedName(c.name("a schema name"), relation.name.name))

    def alter_type(self, c: _Cursor) -> None:
        schema, name = c.qualified("a type name")
        found = self.catalog.find_type(schema, name)
        if found is None:
            return  # a type from outside the file: its columns print as written anyway
        if c.take("RENAME", "TO"):
            new = QualifiedName(found.name.schema, c.name("a type name"))
        elif c.take("SET", "SCHEMA"):
            new = QualifiedName(c.name("a schema name"), found.name.name)
        else:
            return  # values, attributes, constraints, owner: not what columns show
        old = found.name
        del self.catalog.types[old]
        found.name = new
        self.catalog.types[new] = found
        composite = self.catalog.relations.get(old)
        if found.kind == "c" and composite is not None:
            self.catalog.move_relation(composite, new)

    def alter_schema(self, c: _Cursor) -> None:
        old = c.name("a schema name")
        if not c.take("RENAME", "TO"):
            return
        new = c.name("a schema name")
        cat = self.catalog
        for table in [t for t in cat.relations.values() if t.name.schema == old]:
            cat.move_relation(table, QualifiedName(new, table.name.name))
        for user_type in [t for t in cat.types.values() if t.name.schema == old]:
            del cat.types[user_type.name]
            user_type.name = QualifiedName(new, user_type.name.name)
            cat.types[user_type.name] = user_type
        for sequence in [s for s in cat.sequences if s.schema == old]:
            cat.sequences.discard(sequence)
            cat.sequences.add(QualifiedName(new, sequence.name))
        cat.schemas.discard(old)
        cat.schemas.add(new)

    # --- DROP

    def drop(self, c: _Cursor) -> None:
        c.expect("DROP")
        word = c.word()
        kinds = {"TABLE": "rp", "VIEW": "v", "MATERIALIZED": "m", "FOREIGN": "f"}
        if word in kinds and (word != "FOREIGN" or c.at("FOREIGN", "TABLE")):
            c.pos += 2 if word in ("MATERIALIZED", "FOREIGN") else 1
            self._drop_relations(c, kinds[word])
        elif word == "INDEX":
            c.pos += 1
            c.take("CONCURRENTLY")
            if_exists = c.take("IF", "EXISTS")
            for schema, name in self._name_list(c):
                index = self.catalog.find_index(schema, name)
                if index is not None:
                    self.catalog.drop_index(index)
                elif not if_exists:
                    raise c.problem(
                        f"index {name} does not exist",
                        "create it earlier in the file",
                        c.statement.tokens[0],
                    )
        elif word in ("TYPE", "DOMAIN"):
            c.pos += 1
            c.take("IF", "EXISTS")
            names = self._name_list(c)
            cascade = c.take("CASCADE")
            for schema, name in names:
                found = self.catalog.find_type(schema, name)
                if found is None:
                    continue
                if cascade and self._type_in_use(found):
                    raise c.unsupported(
                        "drop the columns of that type first: CASCADE would drop them", c.peek(-1)
                    )
                del self.catalog.types[found.name]
                if found.kind == "c":
                    composite = self.catalog.relations.get(found.name)
                    if composite is not None:
                        self.catalog.drop_relation(composite)
        elif word == "SCHEMA":
            c.pos += 1
            c.take("IF", "EXISTS")
            for _, schema_name in self._name_list(c):
                self._drop_schema(schema_name)
        elif word == "SEQUENCE":
            c.pos += 1
            c.take("IF", "EXISTS")
            for schema, name in self._name_list(c):
                self.catalog.sequences -= {
                    q
                    for q in self.catalog.sequences
                    if q.name == name and (schema is None or q.schema == schema)
                }
        elif word == "OWNED":
            raise c.unsupported("drop the tables by name", c.peek())
        elif word in _OTHER_OBJECTS or word in ("EXTENSION", "OPERATOR") or c.at("FOREIGN", "DATA"):
            return
        else:
            raise c.unsupported(
                "remove it, or read the schema from a live database with --dsn", c.peek()
            )

    def _drop_schema(self, name: str) -> None:
        cat = self.catalog
        for table in [t for t in cat.relations.values() if t.name.schema == name]:
            if table.name in cat.relations:  # not dropped with its partitioned parent
                cat.drop_relation(table)
        for qname in [q for q in cat.types if q.schema == name]:
            del cat.types[qname]
        cat.sequences -= {q for q in cat.sequences if q.schema == name}
        cat.schemas.discard(name)

    def _type_in_use(self, user_type: _UserType) -> bool:
        def uses(column_type: _ColumnType) -> bool:
            s = column_type.scalar
            return s is user_type or (
                isinstance(s, _UserType) and s.base is not None and uses(s.base)
            )

        return any(uses(col.type) for t in self.catalog.relations.values() for col in t.columns)

    @staticmethod
    def _name_list(c: _Cursor) -> list[tuple[str | None, str]]:
        names = [c.qualified("a name")]
        while c.take_punct(","):
            names.append(c.qualified("a name"))
        return names

    def _drop_relations(self, c: _Cursor, kinds: str) -> None:
        if_exists = c.take("IF", "EXISTS")
        names = self._name_list(c)
        cascade = c.take("CASCADE")
        c.take("RESTRICT")
        c.expect_end()
        if cascade and self.catalog.has_views():
            raise c.unsupported(
                "drop without CASCADE: what views depend on is not read", c.peek(-1)
            )
        for schema, name in names:
            found = self.catalog.find(schema, name)
            if found is None or found.kind not in kinds:
                if if_exists:
                    continue
                raise c.problem(
                    f"{name} does not exist",
                    "create it earlier in the file, or write DROP ... IF EXISTS",
                    c.statement.tokens[0],
                )
            self.catalog.drop_relation(found)

    # --- COMMENT, SET, SELECT

    def comment(self, c: _Cursor) -> None:
        c.expect("COMMENT", "ON")
        if not c.take("COLUMN"):
            return  # comments on tables and other objects carry no column policy
        at = c.peek()
        parts = [c.name("a column name")]
        while c.take_punct("."):
            parts.append(c.name("a column name"))
        if len(parts) < 2 or len(parts) > 4:
            c.fail_expected("table.column")
        schema = parts[-3] if len(parts) >= 3 else None
        relation = self.catalog.find(schema, parts[-2])
        if relation is None:
            raise c.problem(
                f"table {parts[-2]} does not exist",
                "create it earlier in the file",
                at,
            )
        c.expect("IS")
        text = None if c.take("NULL") else c.string("a string or NULL")
        c.expect_end()
        if not relation.is_table:
            return
        column = relation.column(parts[-1])
        if column is None:
            raise self._no_column(c, relation, parts[-1], at)
        column.comment = text or None

    def set(self, c: _Cursor) -> None:
        c.expect("SET")
        if c.word() in ("SESSION", "LOCAL") and not c.at("SESSION", "AUTHORIZATION"):
            c.pos += 1
        if c.take("SEARCH_PATH") or c.take("SCHEMA"):
            c.take("TO") or c.take_punct("=")
            if c.take("DEFAULT"):
                self.catalog.search_path = ["$user", "public"]
                return
            path: list[str] = []
            while not c.done():
                token = c.next()
                if token.kind == "string":
                    path.append(token.text)
                elif token.kind in ("word", "quoted"):
                    path.append(_identifier(token))
                c.take_punct(",")
            self._set_path(path)
        elif c.take("ROLE") or c.take("SESSION", "AUTHORIZATION"):
            token = c.next()
            if token.word in ("NONE", "DEFAULT"):
                self.catalog.role = None
            else:
                self.catalog.role = token.text if token.kind == "string" else _identifier(token)

    def _set_path(self, path: list[str]) -> None:
        self.catalog.search_path = path

    def reset(self, c: _Cursor) -> None:
        c.expect("RESET")
        if c.take("ALL"):
            self.catalog.search_path = ["$user", "public"]
            self.catalog.role = None
        elif c.take("SEARCH_PATH"):
            self.catalog.search_path = ["$user", "public"]
        elif c.take("ROLE") or c.take("SESSION", "AUTHORIZATION"):
            self.catalog.role = None

    def select(self, c: _Cursor) -> None:
        """A SELECT runs functions; pg_dump's set_config('search_path', ...) is understood, and
        built-in functions are harmless. Anything else could create tables."""
        tokens = c.tokens
        for i, token in enumerate(tokens):
            if token.word == "INTO" and i and tokens[i - 1].word not in ("INSERT", "MERGE"):
                raise c.unsupported("write the table with CREATE TABLE", token)
            if token.kind not in ("word", "quoted") or i + 1 >= len(tokens):
                continue
            if not (tokens[i + 1].kind == "punct" and tokens[i + 1].text == "("):
                continue
            if token.word in _NOT_FUNCTIONS:
                continue
            schema = _identifier(tokens[i - 2]) if i >= 2 and tokens[i - 1].text == "." else None
            name = _identifier(token)
            if schema not in (None, "pg_catalog") or (
                schema is None and name not in _HARMLESS_FUNCTIONS
            ):
                raise c.unsupported(
                    "remove it: a function called from the file may create tables; "
                    "or read the schema from a live database with --dsn",
                    token,
                )
            if name == "set_config":
                self._set_config(c, tokens[i + 2 :])

    def _set_config(self, c: _Cursor, args: tuple[_Token, ...]) -> None:
        if not args or args[0].kind != "string" or args[0].text != "search_path":
            return
        if len(args) < 3 or args[2].kind != "string":
            raise c.unsupported("set the search_path with a constant", args[0])
        path: list[str] = []
        for part in _split_identifiers(args[2].text):
            path.append(part)
        self._set_path(path)


def _after_group(c: _Cursor) -> int:
    """How far past a parenthesized group at the cursor the next token is (for ``t (a, b) AS``)."""
    depth = 0
    i = 0
    while (token := c.peek(i)) is not None:
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _split_identifiers(text: str) -> list[str]:
    """SplitIdentifierString(): a comma list of names, unquoted ones folded."""
    names: list[str] = []
    for part in re.findall(r'"(?:[^"]|"")*"|[^,\s][^,]*', text):
        part = part.strip()
        if part.startswith('"'):
            names.append(part[1:-1].replace('""', '"'))
        elif part:
            names.append(part.translate(_ASCII_LOWER))
    return names


def _figure_column_name(expression: list[_Token]) -> str:
    """FigureIndexColname(): what an index column over an expression is called."""
    tokens = list(expression)
    while (
        len(tokens) >= 2
        and tokens[0].text == "("
        and tokens[-1].text == ")"
        and _group_end(tokens) == len(tokens) - 1
    ):
        tokens = tokens[1:-1]
    if not tokens:
        return "expr"
    i = 0
    while (
        i + 2 < len(tokens)
        and tokens[i + 1].text == "."
        and tokens[i + 2].kind in ("word", "quoted")
    ):
        i += 2
    head = tokens[i]
    rest = tokens[i + 1 :]
    if head.kind in ("word", "quoted"):
        if not rest:
            return _identifier(head)  # a column reference
        if rest[0].text == "(" and _group_end(rest) == len(rest) - 1:
            return "case" if head.word == "CASE" else _identifier(head)
        if rest[0].text == "::":
            return _identifier(head)
    if tokens[0].word == "CASE" and tokens[-1].word == "END":
        return "case"
    return "expr"


def _group_end(tokens: list[_Token]) -> int:
    """The index of the parenthesis closing the one at ``tokens[0]``."""
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _merge_index_specs(specs: list[_IndexSpec]) -> list[_IndexSpec]:
    """CREATE TABLE makes one index for equal key constraints (``id int primary key unique``),
    primary key first, keeping a name when one of them is named (transformIndexConstraints)."""
    primary = [s for s in specs if s.primary]
    kept: list[_IndexSpec] = primary[:1]
    for spec in specs:
        if spec is (primary[0] if primary else None):
            continue
        for prior in kept:
            if (
                [(e.column, e.expression, e.options) for e in prior.elements]
                == [(e.column, e.expression, e.options) for e in spec.elements]
                and prior.include == spec.include
                and prior.predicate == spec.predicate
                and prior.exclusion == spec.exclusion
                and prior.method == spec.method
                and prior.nulls_not_distinct == spec.nulls_not_distinct
                and prior.deferrable == spec.deferrable
            ):
                prior.unique |= spec.unique
                if prior.name is None:
                    prior.name = spec.name
                break
        else:
            kept.append(spec)
    return kept


def read_ddl(
    text: str, *, source: str = "schema.sql"
) -> dict[QualifiedName, TableModel | Relation]:
    """Describe every relation a schema file creates, as ``catalog.read_tables`` would after
    running the file in an empty database.

    :param text: plain PostgreSQL DDL (``pg_dump --schema-only`` output is fine).
    :param source: the file's name, used in error messages.
    :returns: a :class:`TableModel` per table and partitioned table, a :class:`Relation` per view,
        materialized view, foreign table and composite type; ``oid`` is None, and ``owner`` is
        None unless ``ALTER TABLE ... OWNER TO`` or ``SET ROLE`` says.
    :raises InputError: for a statement that could change a table but is not understood, or
        that refers to something the file has not created; the message names the line.
    """
    return _Reader(_Source(text, source)).read()
