"""Tables described by a schema file, offline: exactly what ``catalog.read_tables`` would return.

``read_ddl`` reads plain PostgreSQL DDL (a hand-written ``schema.sql`` or ``pg_dump
--schema-only`` output) with PostgreSQL's own grammar (pglast, which wraps libpg_query) and
replays the statements that shape tables on a small in-memory copy of the catalog, so that ``plan
--schema-file`` prints byte for byte the SQL ``plan`` prints against a database holding that
schema. Every field is what PostgreSQL itself would store: types as ``format_type`` prints them,
index names chosen the way PostgreSQL chooses them (they order the unique keys), partitions
copying their parent's columns, indexes and foreign keys, ALTER TABLE applied in order.

What is replayed: schemas, tables and partitions, columns, keys and unique indexes, foreign keys,
NOT NULL, generated and identity columns, column comments, owners (``OWNER TO``, ``SET ROLE``),
types (enums, domains, composites, ranges), renames and moves, drops, ``search_path``.
What is skipped, by statement kind, because it cannot change an audited table: sequences,
views, materialized views and their indexes, foreign tables' columns, functions and procedures,
triggers, rules, policies, grants, owners of other objects, publications and subscriptions,
extensions, comments on other objects, statistics, settings, data changes. A statement that
could change a table but is not read (``CREATE TABLE ... AS``, ``LIKE``, inheritance, ``DO``, a
call of an unknown function...) raises ``InputError`` naming the file and the statement's line:
nothing is guessed. Types this file does not define and PostgreSQL does not build in (an
extension's ``citext``) are shown as written and compared by their text form, as the catalog
does for every such type.

pglast 7 is PostgreSQL 17's grammar (pgspot, which lints the generated SQL, pins it). The two
PostgreSQL 18 forms that shape a table, and pg_dump 18 writes, are turned into 17's before
parsing, their meaning kept aside: a generated column without ``STORED`` (virtual), and a
``NOT NULL column`` table constraint. ``[NOT] ENFORCED`` is dropped (it changes no column).

This module must not connect to a database, read files or print; it turns text into
``TableModel`` and ``Relation`` values and nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from pglast import ast, parse_sql
from pglast.enums import (
    A_Expr_Kind,
    AlterTableType,
    ConstrType,
    DropBehavior,
    MinMaxOp,
    ObjectType,
    RoleSpecType,
    SubLinkType,
    TransactionStmtKind,
    VariableSetKind,
)
from pglast.parser import ParseError, scan

from .catalog import _KIND_NAMES, Column, Relation, TableModel, _exact, comment_policy
from .errors import InputError
from .identifiers import QualifiedName

_NAMEDATALEN = 64
_READ_WITH_DSN = "remove it, or read the schema from a live database with --dsn"

# --- the text ----------------------------------------------------------------------------------


class _Source:
    """The text as written, and as the parser reads it: psql's ``\\restrict`` lines blanked and
    PostgreSQL 18 forms rewritten in place, with the same length and lines, so an offset in one
    is the same offset in the other."""

    def __init__(self, text: str, name: str) -> None:
        self.written = text.removeprefix("\ufeff")  # editors on Windows start files with a BOM
        self.text = self.written
        self.name = name
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.written)]
        self.virtual: frozenset[int] = frozenset()  # DEFAULTs that stand for virtual columns
        self.not_null: frozenset[int] = frozenset()  # CHECKs that stand for NOT NULL constraints

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def error(self, line: int, message: str, hint: str) -> InputError:
        return InputError(message, hint=hint, where=f"{self.name}:{line}")

    def snippet(self, start: int, end: int) -> str:
        """The written text of [start, end), on one line, cut to stay short."""
        text = " ".join(self.written[start:end].split())
        return text if len(text) <= 90 else text[:80] + " ..."


def _prepare(source: _Source) -> None:
    """Blank pg_dump's ``\\restrict`` lines (any other psql meta-command is refused) and turn
    the PostgreSQL 18 forms the parser lacks into 17's, keeping every offset and line:

    * ``GENERATED ALWAYS AS (expr) [VIRTUAL]`` becomes ``DEFAULT (expr)``, its offset noted;
    * a ``[CONSTRAINT name] NOT NULL column`` table constraint becomes ``CHECK(column)``;
    * ``[NOT] ENFORCED`` after a constraint is blanked (it changes no column).
    """
    text = list(source.written)
    for line in _RESTRICT.finditer(source.written):  # first: a key may not scan as SQL
        _overwrite(text, line.start(), line.end(), "")
    try:
        tokens = [t for t in scan("".join(text)) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except ParseError as e:
        raise _syntax_error(source, e) from e
    written = source.written
    virtual: list[int] = []
    not_null: list[int] = []

    def named(i: int, *names: str) -> bool:
        return all(
            0 <= i + k < len(tokens) and tokens[i + k].name == n for k, n in enumerate(names)
        )

    def word(i: int) -> str:
        return written[tokens[i].start : tokens[i].end + 1].lower() if 0 <= i < len(tokens) else ""

    def constraint_start(i: int) -> int:
        """Where the constraint whose clause starts at tokens[i] starts (its CONSTRAINT name)."""
        return tokens[i - 2].start if named(i - 2, "CONSTRAINT") else tokens[i].start

    for i, t in enumerate(tokens):
        if t.name == "ASCII_92":  # a psql meta-command runs to the end of its line
            eol = written.find("\n", t.start)
            command = " ".join(written[t.start : eol if eol >= 0 else None].split())
            raise source.error(
                source.line(t.start),
                f"unsupported statement: {command}",
                "remove psql meta-commands; the file must be plain SQL",
            )
        if named(i, "GENERATED", "ALWAYS", "AS", "ASCII_40"):
            after = _closing(tokens, i + 3) + 1
            if not named(after, "STORED"):
                _overwrite(text, t.start, tokens[i + 2].end + 1, "DEFAULT")
                if word(after) == "virtual":
                    _overwrite(text, tokens[after].start, tokens[after].end + 1, "")
                virtual.append(constraint_start(i))
        elif named(i, "NOT", "NULL_P") and i + 2 < len(tokens) and _is_name(tokens[i + 2]):
            starts = ("ASCII_40", "ASCII_44", "ADD_P")
            named_first = named(i - 2, "CONSTRAINT") and i >= 3 and tokens[i - 3].name in starts
            if named_first or (i >= 1 and tokens[i - 1].name in starts):
                column = tokens[i + 2]
                replacement = f"CHECK({written[column.start : column.end + 1]})"
                _overwrite(text, t.start, column.end + 1, replacement)
                not_null.append(constraint_start(i))
        elif word(i) == "enforced" and t.name == "IDENT":
            first = i - 1 if named(i - 1, "NOT") else i
            referenced = named(first - 2, "REFERENCES") or (
                named(first - 3, "ASCII_46") and named(first - 4, "REFERENCES")
            )
            ends = ("ASCII_41", "DEFERRABLE", "DEFERRED", "IMMEDIATE", "INHERIT", "VALID")
            if referenced or (first >= 1 and tokens[first - 1].name in ends):
                _overwrite(text, tokens[first].start, t.end + 1, "")
    source.text = "".join(text)
    source.virtual = frozenset(virtual)
    source.not_null = frozenset(not_null)


def _overwrite(text: list[str], start: int, end: int, replacement: str) -> None:
    """Put ``replacement`` over text[start:end], padded with spaces, and the line breaks it
    covered after it: what follows keeps its offset and its line."""
    breaks = text[start:end].count("\n")
    filler = " " * (end - start - len(replacement) - breaks) + "\n" * breaks
    text[start:end] = list(replacement + filler)


# pg_dump's guard against psql meta-commands in the dump itself (15.14, 18.0 and later)
_RESTRICT = re.compile(r"^[ \t]*\\(?:un)?restrict [A-Za-z0-9]*[ \t]*$", re.MULTILINE)


def _is_name(token: Any) -> bool:
    return bool(
        token.name == "IDENT"
        or token.kind in ("UNRESERVED_KEYWORD", "COL_NAME_KEYWORD", "TYPE_FUNC_NAME_KEYWORD")
    )


def _closing(tokens: list[Any], i: int) -> int:
    """The index of the parenthesis closing the one at ``tokens[i]`` (the last token if none)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].name == "ASCII_40":
            depth += 1
        elif tokens[j].name == "ASCII_41":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _syntax_error(source: _Source, e: ParseError) -> InputError:
    # pglast converts libpg_query's error position as if it counted bytes; it counts characters
    located = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else 0
    offset = min(len(source.text[:located].encode()), len(source.text))
    message = str(e.args[0]).splitlines()[0]
    return source.error(
        source.line(offset),
        f"cannot parse: {message if len(message) <= 80 else message[:80] + ' ...'}",
        "write DDL that PostgreSQL runs; it is read with PostgreSQL 17's grammar, and of 18's "
        "with virtual generated columns and NOT NULL constraints",
    )


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
_MAX_PRECISION = 6  # timestamp, time and interval precision above this is lowered (a warning)
# intervaltypmodout(): the fields an interval's range mask (1 << YEAR, MONTH, DAY...) prints
_INTERVAL_FULL_RANGE = 0x7FFF
_INTERVAL_FULL_PRECISION = 0xFFFF
_YEAR, _MONTH, _DAY, _HOUR, _MINUTE, _SECOND = (1 << 2, 1 << 1, 1 << 3, 1 << 10, 1 << 11, 1 << 12)
_INTERVAL_FIELDS = {
    _YEAR: " year",
    _MONTH: " month",
    _DAY: " day",
    _HOUR: " hour",
    _MINUTE: " minute",
    _SECOND: " second",
    _YEAR | _MONTH: " year to month",
    _DAY | _HOUR: " day to hour",
    _DAY | _HOUR | _MINUTE: " day to minute",
    _DAY | _HOUR | _MINUTE | _SECOND: " day to second",
    _HOUR | _MINUTE: " hour to minute",
    _HOUR | _MINUTE | _SECOND: " hour to second",
    _MINUTE | _SECOND: " minute to second",
    _INTERVAL_FULL_RANGE: "",
}


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


def _builtin_text(typname: str, mods: list[int]) -> str | None:
    """format_type() of a pg_catalog type with modifiers (None: it takes no such modifiers)."""
    if typname == "bpchar" and len(mods) == 1:
        return f"character({mods[0]})"
    if typname == "varchar" and len(mods) == 1:
        return f"character varying({mods[0]})"
    if typname == "bit" and len(mods) == 1:
        return f"bit({mods[0]})"
    if typname == "varbit" and len(mods) == 1:
        return f"bit varying({mods[0]})"
    if typname == "numeric" and len(mods) in (1, 2):
        return f"numeric({mods[0]},{mods[1] if len(mods) == 2 else 0})"
    if typname in ("timestamp", "timestamptz", "time", "timetz") and len(mods) == 1:
        head, zone = _BUILTIN_SPELLING[typname].split(" ", 1)
        return f"{head}({min(mods[0], _MAX_PRECISION)}) {zone}"
    if typname == "interval" and len(mods) in (1, 2):
        # intervaltypmodin(): one modifier is the range, two are range and precision
        fields = _INTERVAL_FIELDS.get(mods[0])
        if fields is None:
            return None
        precision = f"({min(mods[1], _MAX_PRECISION)})" if len(mods) == 2 else ""
        if len(mods) == 2 and mods[1] == _INTERVAL_FULL_PRECISION:
            precision = ""
        return "interval" + fields + precision
    return None


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
    sequences: list[str] = field(default_factory=list)  # owned by it (serial, identity, OWNED BY)
    identity: str | None = None  # the identity sequence

    def copy(self) -> _Col:
        """The column as a partition inherits it (the comment stays with the parent)."""
        return _Col(
            self.name, self.type, self.not_null, self.generated, None, None, self.generated_from
        )


@dataclass(frozen=True)
class _Element:
    """One key of an index as written: a column, or an expression."""

    column: str | None
    expression: ast.Node | None
    label: str  # the name PostgreSQL uses for it in a generated index name
    options: tuple[object, ...]  # collation, operator class, order (nodes compare by value)
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
    predicate: ast.Node | None = None
    mentions: frozenset[str] = frozenset()
    deferrable: tuple[bool, bool] = (False, False)
    location: int | None = None


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
class _ForeignKey:
    name: str
    columns: list[_Col]
    references: _Table
    parent: _ForeignKey | None = None


@dataclass(eq=False)
class _Table:
    """A relation: table ``r``, partitioned table ``p``, view ``v``, materialized view ``m``,
    foreign table ``f`` or composite type ``c``."""

    name: QualifiedName
    kind: str
    columns: list[_Col] = field(default_factory=list)
    indexes: list[_Index] = field(default_factory=list)
    foreign_keys: list[_ForeignKey] = field(default_factory=list)
    owner: str | None = None
    parent: _Table | None = None
    partitions: list[_Table] = field(default_factory=list)
    constraint_names: set[str] = field(default_factory=set)  # named CHECK and NOT NULL

    @property
    def is_table(self) -> bool:
        return self.kind in ("r", "p")

    def column(self, name: str) -> _Col | None:
        return next((c for c in self.columns if c.name == name), None)

    def descendants(self) -> Iterator[_Table]:
        for child in self.partitions:
            yield child
            yield from child.descendants()


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


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, never splitting a character (pg_mbcliplen)."""
    return text.encode()[:limit].decode(errors="ignore")


def _joined_labels(labels: Sequence[str]) -> str:
    """ChooseIndexNameAddition() and ChooseForeignKeyConstraintNameAddition()."""
    addition = ""
    for label in labels:
        if addition:
            addition += "_"
        addition += label
        if len(addition.encode()) >= _NAMEDATALEN:
            break
    return addition


class _Catalog:
    """The relations, indexes, sequences and types the statements so far have created."""

    def __init__(self) -> None:
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

    def find(self, schema: str | None, name: str) -> _Table | None:
        for candidate in [schema] if schema is not None else self.path:
            found = self.relations.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def find_index(self, schema: str | None, name: str) -> _Index | None:
        for candidate in [schema] if schema is not None else self.path:
            found = self.indexes.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def find_sequence(self, schema: str | None, name: str) -> QualifiedName | None:
        for candidate in [schema] if schema is not None else self.path:
            if QualifiedName(candidate, name) in self.sequences:
                return QualifiedName(candidate, name)
        return None

    def find_type(self, schema: str | None, name: str) -> _UserType | None:
        for candidate in [schema] if schema is not None else self.path:
            found = self.types.get(QualifiedName(candidate, name))
            if found is not None:
                return found
        return None

    def name_taken(self, schema: str, name: str) -> bool:
        qname = QualifiedName(schema, name)
        return qname in self.relations or qname in self.indexes or qname in self.sequences

    def constraint_taken(self, schema: str, name: str) -> bool:
        for table in self.relations.values():
            if table.name.schema != schema:
                continue
            if name in table.constraint_names or any(f.name == name for f in table.foreign_keys):
                return True
            if any(i.name == name and i.spec.constraint for i in table.indexes):
                return True
        return False

    def choose_name(
        self,
        schema: str,
        name1: str,
        name2: str | None,
        label: str,
        *,
        relation: bool = True,
        constraint: bool = False,
    ) -> str:
        """ChooseRelationName() (``relation``) and ChooseConstraintName() (``constraint``):
        ``name1_name2_label``, cut to fit, numbered until unused."""
        suffix = 0
        while True:
            candidate = _object_name(name1, name2, label + (str(suffix) if suffix else ""))
            if not (relation and self.name_taken(schema, candidate)) and not (
                constraint and self.constraint_taken(schema, candidate)
            ):
                return candidate
            suffix += 1

    # --- indexes

    def add_index(self, table: _Table, spec: _IndexSpec, *, recurse: bool) -> _Index:
        """Create an index on ``table`` (and on its partitions, as DefineIndex does)."""
        keys = [table.column(e.column) if e.column is not None else None for e in spec.elements]
        include = [c for c in (table.column(n) for n in spec.include) if c is not None]
        name = spec.name if spec.name is not None else self._index_name(table, spec)
        index = _Index(name, table, keys, include, spec)
        if spec.primary:
            for key in keys:
                if key is not None:
                    key.not_null = True
        table.indexes.append(index)
        self.indexes[QualifiedName(table.name.schema, name)] = index
        if recurse:
            for child in table.partitions:
                self.ensure_child_index(child, index)
        return index

    def _index_name(self, table: _Table, spec: _IndexSpec) -> str:
        """ChooseIndexName() and ChooseIndexColumnNames()."""
        schema = table.name.schema
        if spec.primary:
            return self.choose_name(schema, table.name.name, None, "pkey", constraint=True)
        labels: list[str] = []
        for original in [e.label for e in spec.elements] + spec.include:
            label, n = original, 0
            while label in labels:
                n += 1
                label = _clip(original, _NAMEDATALEN - 1 - len(str(n))) + str(n)
            labels.append(label)
        kind = "excl" if spec.exclusion else "key" if spec.constraint else "idx"
        return self.choose_name(
            schema, table.name.name, _joined_labels(labels), kind, constraint=spec.constraint
        )

    def ensure_child_index(self, child: _Table, parent: _Index) -> None:
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
                raise _Refusal(
                    f"whether {existing.name} of {child.name} becomes part of {parent.name} "
                    "differs between PostgreSQL versions",
                    "give the partition the same kind of key as its parent (primary key or "
                    "unique constraint)",
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
        self.add_index(child, spec, recurse=True).parent = parent

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

    # --- foreign keys

    def add_foreign_key(
        self, table: _Table, name: str | None, columns: list[_Col], references: _Table
    ) -> _ForeignKey:
        """A foreign key on ``table`` and, cloned, on each of its partitions."""
        if name is None:
            name = self.choose_name(
                table.name.schema,
                table.name.name,
                _joined_labels([c.name for c in columns]),
                "fkey",
                relation=False,
                constraint=True,
            )
        key = _ForeignKey(name, columns, references)
        table.foreign_keys.append(key)
        for child in table.partitions:
            self.clone_foreign_key(child, key)
        return key

    def clone_foreign_key(self, child: _Table, key: _ForeignKey) -> None:
        if not child.is_table:
            return
        columns = [c for c in (child.column(k.name) for k in key.columns) if c is not None]
        taken = any(f.name == key.name for f in child.foreign_keys)
        self.add_foreign_key(
            child, None if taken else key.name, columns, key.references
        ).parent = key

    def drop_foreign_key(self, key: _ForeignKey) -> None:
        for table in list(self.relations.values()):
            for other in list(table.foreign_keys):
                if other is key:
                    table.foreign_keys.remove(other)
                elif other.parent is key:
                    self.drop_foreign_key(other)

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
        for column in table.columns:
            for sequence in column.sequences:
                self.sequences.discard(QualifiedName(table.name.schema, sequence))
        del self.relations[table.name]
        for other in self.relations.values():  # DROP ... CASCADE takes the keys referencing it
            other.foreign_keys = [f for f in other.foreign_keys if f.references is not table]

    def move_relation(self, table: _Table, new: QualifiedName) -> None:
        """Rename or move a relation; its indexes and owned sequences move with it."""
        del self.relations[table.name]
        if new.schema != table.name.schema:
            for index in table.indexes:
                del self.indexes[QualifiedName(table.name.schema, index.name)]
                self.indexes[QualifiedName(new.schema, index.name)] = index
            for column in table.columns:
                for sequence in column.sequences:
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
            referencing = {id(c) for f in table.foreign_keys for c in f.columns}
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
                foreign_key_columns=tuple(c.name for c in table.columns if id(c) in referencing),
            )
        return found


class _Refusal(Exception):
    """Raised deep in the catalog; the reader turns it into an InputError at the statement."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# --- reading the AST ---------------------------------------------------------------------------


def _strings(nodes: Sequence[Any] | None) -> list[str]:
    return [str(n.sval) for n in nodes or () if isinstance(n, ast.String)]


def _split_name(names: Sequence[str]) -> tuple[str | None, str]:
    """``name``, ``schema.name`` or ``database.schema.name`` (the database is dropped)."""
    return (names[-2] if len(names) > 1 else None), names[-1]


def _walk(node: object) -> Iterator[ast.Node]:
    """Every node inside ``node``, itself included."""
    if isinstance(node, ast.Node):
        yield node
        for name in node:
            yield from _walk(getattr(node, name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item)


def _column_refs(node: object) -> frozenset[str]:
    return frozenset(
        fields[-1]
        for ref in _walk(node)
        if isinstance(ref, ast.ColumnRef) and (fields := _strings(ref.fields))
    )


def _figure_colname(node: object) -> tuple[str | None, int]:
    """FigureColnameInternal(): what an expression's column is called, and how surely."""
    if isinstance(node, ast.ColumnRef):
        fields = _strings(node.fields)
        return (fields[-1], 2) if fields else (None, 0)
    if isinstance(node, ast.A_Indirection):
        fields = _strings(node.indirection)
        return (fields[-1], 2) if fields else _figure_colname(node.arg)
    if isinstance(node, ast.FuncCall):
        return _strings(node.funcname)[-1], 2
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_NULLIF:
        return "nullif", 2
    if isinstance(node, ast.TypeCast):
        name, strength = _figure_colname(node.arg)
        if strength <= 1 and node.typeName is not None:
            return _strings(node.typeName.names)[-1], 1
        return name, strength
    if isinstance(node, ast.CollateClause):
        return _figure_colname(node.arg)
    if isinstance(node, ast.CaseExpr):
        name, strength = _figure_colname(node.defresult)
        return ("case", 1) if strength <= 1 else (name, strength)
    if isinstance(node, ast.SubLink):
        if node.subLinkType == SubLinkType.EXISTS_SUBLINK:
            return "exists", 2
        if node.subLinkType == SubLinkType.ARRAY_SUBLINK:
            return "array", 2
        return None, 0
    if isinstance(node, ast.SQLValueFunction):
        return re.sub(r"^svfop_|_n$", "", node.op.name.lower()), 2
    if isinstance(node, ast.MinMaxExpr):
        return ("greatest" if node.op == MinMaxOp.IS_GREATEST else "least"), 2
    simple = {
        ast.A_ArrayExpr: "array",
        ast.RowExpr: "row",
        ast.CoalesceExpr: "coalesce",
        ast.GroupingFunc: "grouping",
    }
    for kind, name in simple.items():
        if isinstance(node, kind):
            return name, 2
    return None, 0


def _element(e: ast.IndexElem) -> _Element:
    """One index key: ``column``, ``function(...)`` or ``(expression)``."""
    column, expression = e.name, e.expr
    if column is None and isinstance(expression, ast.ColumnRef):
        fields = _strings(expression.fields)
        if len(fields) == 1:  # "(column)" is a column key, as ComputeIndexAttrs treats it
            column, expression = fields[0], None
    label = e.indexcolname or column or _figure_colname(expression)[0] or "expr"
    options = (e.collation, e.opclass, e.opclassopts, e.ordering, e.nulls_ordering)
    return _Element(column, expression, label, options, _column_refs(expression))


def _identity_sequence(constraint: ast.Constraint) -> str | None:
    for option in constraint.options or ():
        if isinstance(option, ast.DefElem) and option.defname == "sequence_name":
            return _strings(option.arg)[-1]
    return None


# Statements that cannot change a table's columns, keys or owner; anything not handled below and
# not listed here is refused, so a statement kind no one thought about is never ignored.
_SKIPPED = tuple(
    getattr(ast, name)
    for name in """
    AlterCollationStmt AlterDatabaseRefreshCollStmt AlterDatabaseSetStmt AlterDatabaseStmt
    AlterDefaultPrivilegesStmt AlterDomainStmt AlterEnumStmt AlterEventTrigStmt
    AlterExtensionContentsStmt AlterExtensionStmt AlterFdwStmt AlterForeignServerStmt
    AlterFunctionStmt AlterObjectDependsStmt AlterOperatorStmt AlterOpFamilyStmt AlterOwnerStmt
    AlterPolicyStmt AlterPublicationStmt AlterRoleSetStmt AlterRoleStmt AlterStatsStmt
    AlterSubscriptionStmt AlterSystemStmt AlterTableMoveAllStmt AlterTableSpaceOptionsStmt
    AlterTSConfigurationStmt AlterTSDictionaryStmt AlterTypeStmt AlterUserMappingStmt
    CheckPointStmt ClosePortalStmt ClusterStmt ConstraintsSetStmt CreateAmStmt CreateCastStmt
    CreateConversionStmt CreatedbStmt CreateEventTrigStmt CreateExtensionStmt CreateFdwStmt
    CreateForeignServerStmt CreateFunctionStmt CreateOpClassStmt CreateOpFamilyStmt
    CreatePLangStmt CreatePolicyStmt CreatePublicationStmt CreateRoleStmt CreateStatsStmt
    CreateSubscriptionStmt CreateTableSpaceStmt CreateTransformStmt CreateTrigStmt
    CreateUserMappingStmt DeallocateStmt DeclareCursorStmt DeleteStmt DiscardStmt DropdbStmt
    DropRoleStmt DropSubscriptionStmt DropTableSpaceStmt DropUserMappingStmt FetchStmt
    GrantRoleStmt GrantStmt InsertStmt ListenStmt LoadStmt LockStmt MergeStmt NotifyStmt
    PrepareStmt RefreshMatViewStmt ReindexStmt SecLabelStmt UnlistenStmt UpdateStmt VacuumStmt
    VariableShowStmt
    """.split()
)
# Functions a schema file may call in a SELECT (pg_dump does) without creating tables.
_HARMLESS_FUNCTIONS = frozenset({"set_config", "setval", "nextval", "current_setting", "now"})
_RELATION_KINDS = {
    ObjectType.OBJECT_TABLE: "rp",
    ObjectType.OBJECT_VIEW: "v",
    ObjectType.OBJECT_MATVIEW: "m",
    ObjectType.OBJECT_FOREIGN_TABLE: "f",
}


@dataclass(frozen=True)
class _Statement:
    node: ast.Node
    start: int  # parsed-text offsets
    end: int


class _Reader:
    """Applies each statement to the catalog, as PostgreSQL would."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.catalog = _Catalog()
        self.statement = _Statement(ast.RawStmt(), 0, 0)  # type: ignore[no-untyped-call]

    def read(self) -> dict[QualifiedName, TableModel | Relation]:
        _prepare(self.source)
        text = self.source.text
        try:
            raws = parse_sql(text)
            starts = [t.start for t in scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
        except ParseError as e:
            raise _syntax_error(self.source, e) from e
        for raw in raws:
            first = bisect.bisect_left(starts, raw.stmt_location)
            start = starts[first] if first < len(starts) else raw.stmt_location
            end = raw.stmt_location + raw.stmt_len if raw.stmt_len else len(text)
            self.statement = _Statement(raw.stmt, start, end)
            try:
                self.dispatch(raw.stmt)
            except _Refusal as e:
                raise self.problem(e.message, e.hint) from None
        return self.catalog.models()

    # --- errors

    def unsupported(self, hint: str) -> InputError:
        s = self.statement
        return self.source.error(
            self.source.line(s.start),
            f"unsupported statement: {self.source.snippet(s.start, s.end)}",
            hint,
        )

    def problem(self, message: str, hint: str, location: int | None = None) -> InputError:
        """An error about what the statement refers to (a missing table, an unknown column)."""
        at = location if location is not None and location >= 0 else self.statement.start
        return self.source.error(self.source.line(at), message, hint)

    def fail(self, message: str, hint: str, location: int | None = None) -> NoReturn:
        raise self.problem(message, hint, location)

    # --- statements

    def dispatch(self, node: ast.Node) -> None:
        handler = getattr(self, "on_" + type(node).__name__, None)
        if handler is not None:
            handler(node)
        elif isinstance(node, _SKIPPED):
            return
        elif isinstance(node, ast.DoStmt | ast.CallStmt | ast.ExecuteStmt):
            raise self.unsupported(
                "write out the statements it runs (it may create tables), "
                "or read the schema from a live database with --dsn"
            )
        else:
            raise self.unsupported(_READ_WITH_DSN)

    def on_DefineStmt(self, node: ast.DefineStmt) -> None:
        if node.kind != ObjectType.OBJECT_TYPE:
            return  # aggregates, operators, collations, text search objects
        self.new_type(_strings(node.defnames), "b")

    def on_CreateEnumStmt(self, node: ast.CreateEnumStmt) -> None:
        self.new_type(_strings(node.typeName), "e")

    def on_CreateRangeStmt(self, node: ast.CreateRangeStmt) -> None:
        self.new_type(_strings(node.typeName), "r")

    def on_CompositeTypeStmt(self, node: ast.CompositeTypeStmt) -> None:
        qname = self.new_name(node.typevar)
        self.claim(qname)
        self.catalog.add_relation(_Table(qname, "c"))
        self.new_type([qname.schema, qname.name], "c")

    def on_CreateDomainStmt(self, node: ast.CreateDomainStmt) -> None:
        base, serial = self.column_type(node.typeName)
        if serial is not None:
            self.fail("a domain cannot be serial", "use integer", node.typeName.location)
        self.new_type(_strings(node.domainname), "d", base)

    def new_type(self, names: list[str], kind: str, base: _ColumnType | None = None) -> None:
        schema, name = _split_name(names)
        qname = QualifiedName(self.create_schema(schema), name)
        existing = self.catalog.types.get(qname)
        if existing is not None and kind != "d":
            existing.kind = kind  # a shell type getting its definition
        else:
            self.catalog.types[qname] = _UserType(qname, kind, base)
            self.catalog.schemas.add(qname.schema)

    def on_CreateSchemaStmt(self, node: ast.CreateSchemaStmt) -> None:
        if node.schemaElts:
            raise self.unsupported("create the schema's objects in statements of their own")
        name = node.schemaname
        if name is None and node.authrole is not None:
            name = node.authrole.rolename
        if name is not None:
            self.catalog.schemas.add(name)

    def on_CreateSeqStmt(self, node: ast.CreateSeqStmt) -> None:
        if node.sequence.relpersistence == "t":
            return
        qname = self.new_name(node.sequence)
        if node.if_not_exists and self.catalog.name_taken(qname.schema, qname.name):
            return
        self.claim(qname)
        self.catalog.sequences.add(qname)
        self.own_sequence(qname, node.options)

    def on_AlterSeqStmt(self, node: ast.AlterSeqStmt) -> None:
        rv = node.sequence
        found = self.catalog.find_sequence(rv.schemaname, rv.relname)
        if found is not None:
            self.own_sequence(found, node.options)

    def own_sequence(self, sequence: QualifiedName, options: Sequence[Any] | None) -> None:
        """``OWNED BY table.column``: the sequence goes when the column or table does."""
        for option in options or ():
            if not (isinstance(option, ast.DefElem) and option.defname == "owned_by"):
                continue
            for table in self.catalog.relations.values():
                for column in table.columns:
                    if sequence.name in column.sequences and table.name.schema == sequence.schema:
                        column.sequences.remove(sequence.name)
            names = _strings(option.arg)
            if len(names) < 2:
                continue  # OWNED BY NONE
            table_found = self.catalog.find(*_split_name(names[:-1]))
            owner = table_found.column(names[-1]) if table_found is not None else None
            if owner is not None:
                owner.sequences.append(sequence.name)

    def on_ViewStmt(self, node: ast.ViewStmt) -> None:
        self.new_relation(node.view, "v", replace=node.replace)

    def on_CreateTableAsStmt(self, node: ast.CreateTableAsStmt) -> None:
        rv = node.into.rel
        if node.objtype == ObjectType.OBJECT_MATVIEW:
            if not (node.if_not_exists and self.catalog.find(rv.schemaname, rv.relname)):
                self.new_relation(rv, "m")
            return
        written = f"{rv.schemaname}.{rv.relname}" if rv.schemaname else rv.relname
        raise self.unsupported(f"write the table with CREATE TABLE {written} (columns ...)")

    def new_relation(self, rv: ast.RangeVar, kind: str, *, replace: bool = False) -> None:
        if rv.relpersistence == "t":
            return  # a temporary view
        qname = self.new_name(rv)
        existing = self.catalog.relations.get(qname)
        if replace and existing is not None and existing.kind == kind:
            return
        self.claim(qname)
        self.catalog.add_relation(_Table(qname, kind))

    def on_CreateForeignTableStmt(self, node: ast.CreateForeignTableStmt) -> None:
        base = node.base
        qname = self.new_name(base.relation)
        if base.if_not_exists and qname in self.catalog.relations:
            return
        self.claim(qname)
        table = _Table(qname, "f")
        if base.partbound is not None:
            parent = self.table(base.inhRelations[0])
            self.require_partitioned(parent, base.inhRelations[0])
            table.parent = parent
            parent.partitions.append(table)
        self.catalog.add_relation(table)

    def on_CreateStmt(self, node: ast.CreateStmt) -> None:
        rv = node.relation
        if rv.relpersistence == "t":
            raise self.unsupported("remove it: temporary tables are not part of the schema")
        qname = self.new_name(rv)
        if node.ofTypename is not None:
            raise self.unsupported(
                f"write the table with CREATE TABLE {qname.name} (columns ...): typed tables "
                "are not read"
            )
        if node.inhRelations and node.partbound is None:
            raise self.unsupported(
                "write every column in the table itself: inheritance is not read"
            )
        if node.if_not_exists and self.catalog.name_taken(qname.schema, qname.name):
            return
        self.claim(qname, rv.location)
        table = _Table(qname, "p" if node.partspec is not None else "r", owner=self.catalog.role)
        parent: _Table | None = None
        if node.partbound is not None:
            parent = self.table(node.inhRelations[0])
            self.require_partitioned(parent, node.inhRelations[0])
            table.columns = [col.copy() for col in parent.columns]
        pending: list[_IndexSpec] = []
        keys: list[tuple[ast.Constraint, list[str]]] = []
        for element in node.tableElts or ():
            if isinstance(element, ast.TableLikeClause):
                raise self.unsupported("write the columns out: LIKE is not read")
            if isinstance(element, ast.Constraint):
                self.table_constraint(table, element, pending, keys, targets=[table])
            elif parent is not None:
                column = table.column(element.colname)
                if column is None:
                    self.fail(
                        f"column {element.colname} is not a column of the parent table",
                        "name the parent's columns in PARTITION OF (...)",
                        element.location,
                    )
                self.column_constraints(table, column, element, pending, keys)
            else:
                self.column_definition(table, element, pending, keys)
        self.catalog.add_relation(table)
        if parent is not None:
            table.parent = parent
            parent.partitions.append(table)
            for index in list(parent.indexes):
                self.catalog.ensure_child_index(table, index)
            for key in list(parent.foreign_keys):
                self.catalog.clone_foreign_key(table, key)
        for spec in _merge_index_specs(pending):
            self.catalog.add_index(table, spec, recurse=True)
        for constraint, columns in keys:
            self.add_foreign_key(table, constraint, columns)

    def require_partitioned(self, parent: _Table, rv: ast.RangeVar) -> None:
        if parent.kind != "p":
            self.fail(
                f"{parent.name} is not partitioned",
                "add PARTITION BY to its CREATE TABLE",
                rv.location,
            )

    def column_definition(
        self,
        table: _Table,
        node: ast.ColumnDef,
        pending: list[_IndexSpec],
        keys: list[tuple[ast.Constraint, list[str]]],
    ) -> _Col:
        column_type, serial = self.column_type(node.typeName)
        if table.column(node.colname) is not None:
            self.fail(
                f"column {node.colname} is defined twice", "remove one of them", node.location
            )
        column = _Col(node.colname, column_type)
        table.columns.append(column)
        if serial is not None:
            column.not_null = True
            self.owned_sequence(table, column)
        self.column_constraints(table, column, node, pending, keys)
        return column

    def owned_sequence(self, table: _Table, column: _Col, given: str | None = None) -> None:
        schema = table.name.schema
        name = given or self.catalog.choose_name(schema, table.name.name, column.name, "seq")
        column.sequences.append(name)
        self.catalog.sequences.add(QualifiedName(schema, name))

    def column_constraints(
        self,
        table: _Table,
        column: _Col,
        node: ast.ColumnDef,
        pending: list[_IndexSpec],
        keys: list[tuple[ast.Constraint, list[str]]],
    ) -> None:
        last: _IndexSpec | None = None  # DEFERRABLE and INITIALLY apply to the key just read
        for c in node.constraints or ():
            kind = c.contype
            if kind == ConstrType.CONSTR_NOTNULL:
                column.not_null = True
                column.not_null_name = c.conname
            elif kind == ConstrType.CONSTR_CHECK:
                if c.conname is not None:
                    table.constraint_names.add(c.conname)
            elif kind == ConstrType.CONSTR_IDENTITY:
                column.not_null = True
                sequence = _identity_sequence(c)
                self.owned_sequence(table, column, sequence)
                column.identity = column.sequences[-1]
            elif kind == ConstrType.CONSTR_GENERATED or (
                kind == ConstrType.CONSTR_DEFAULT and c.location in self.source.virtual
            ):
                # PostgreSQL 18's virtual columns (its default) were read as DEFAULT (expr)
                column.generated_from = _column_refs(c.raw_expr)
                column.generated = "s" if kind == ConstrType.CONSTR_GENERATED else "v"
            elif kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
                last = self.key_spec(c, [column.name])
                pending.append(last)
                continue
            elif kind == ConstrType.CONSTR_FOREIGN:
                keys.append((c, [column.name]))
            elif kind == ConstrType.CONSTR_ATTR_DEFERRABLE:
                if last is not None:
                    last.deferrable = (True, last.deferrable[1])
                continue
            elif kind == ConstrType.CONSTR_ATTR_DEFERRED:
                if last is not None:
                    last.deferrable = (last.deferrable[0], True)
                continue
            elif kind in (ConstrType.CONSTR_ATTR_NOT_DEFERRABLE, ConstrType.CONSTR_ATTR_IMMEDIATE):
                continue
            last = None

    @staticmethod
    def key_spec(c: ast.Constraint, columns: list[str]) -> _IndexSpec:
        primary = c.contype == ConstrType.CONSTR_PRIMARY
        return _IndexSpec(
            [_Element(n, None, n, (None, None, None, 0, 0), frozenset()) for n in columns],
            include=_strings(c.including),
            name=c.conname,
            unique=True,
            primary=primary,
            constraint=True,
            nulls_not_distinct=bool(c.nulls_not_distinct) and not primary,
            deferrable=(bool(c.deferrable), bool(c.initdeferred)),
            location=c.location,
        )

    def table_constraint(
        self,
        table: _Table,
        c: ast.Constraint,
        pending: list[_IndexSpec],
        keys: list[tuple[ast.Constraint, list[str]]],
        *,
        targets: list[_Table],
    ) -> None:
        """One table constraint: keys become index specs, foreign keys are queued, NOT NULL
        (PostgreSQL 18's, read as a CHECK) applies to ``targets`` at once."""
        kind = c.contype
        if kind == ConstrType.CONSTR_CHECK and c.location in self.source.not_null:
            assert isinstance(c.raw_expr, ast.ColumnRef)
            name = _strings(c.raw_expr.fields)[-1]
            if table.column(name) is None:
                raise self.no_column(table, name, c.location)
            for target in targets:
                col = target.column(name)
                if col is not None:
                    col.not_null = True
                    if target is table:
                        col.not_null_name = c.conname
        elif kind == ConstrType.CONSTR_CHECK:
            if c.conname is not None:
                table.constraint_names.add(c.conname)
        elif kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            pending.append(self.key_spec(c, _strings(c.keys)))
        elif kind == ConstrType.CONSTR_EXCLUSION:
            elements = [_element(pair[0]) for pair in c.exclusions or ()]
            pending.append(
                _IndexSpec(
                    elements,
                    include=_strings(c.including),
                    name=c.conname,
                    constraint=True,
                    exclusion=True,
                    method=c.access_method or "btree",
                    predicate=c.where_clause,
                    mentions=_column_refs(c.where_clause).union(*(e.mentions for e in elements)),
                    deferrable=(bool(c.deferrable), bool(c.initdeferred)),
                    location=c.location,
                )
            )
        elif kind == ConstrType.CONSTR_FOREIGN:
            keys.append((c, _strings(c.fk_attrs)))
        else:
            raise self.unsupported("this constraint is not read")

    def add_foreign_key(self, table: _Table, c: ast.Constraint, names: list[str]) -> None:
        columns = []
        for name in names:
            column = table.column(name)
            if column is None:
                raise self.no_column(table, name, c.location)
            columns.append(column)
        pk = c.pktable
        references = self.catalog.find(pk.schemaname, pk.relname)
        if references is None:
            self.fail(
                f"table {pk.relname} does not exist",
                "create the referenced table before the foreign key",
                pk.location,
            )
        self.catalog.add_foreign_key(table, c.conname, columns, references)

    # --- types

    def column_type(self, node: ast.TypeName) -> tuple[_ColumnType, str | None]:
        """A column's type, and the serial type it stands for (``serial`` -> ``int4``)."""
        if node.pct_type or node.setof:
            self.fail("a column type must be written out", "write the type", node.location)
        names = _strings(node.names)
        schema, name = _split_name(names)
        mods: list[int] | str | None = None
        if node.typmods:
            values = [m.val.ival if _is_integer(m) else None for m in node.typmods]
            if any(v is None for v in values):
                mods = "(...)"
            else:
                mods = [int(v) for v in values if v is not None]
        array = bool(node.arrayBounds)
        serial: str | None = None
        scalar: _Builtin | _UserType | _Unknown
        if len(names) == 1 and name in _SERIALS:
            if mods is not None or array:
                self.fail(
                    f"{name} takes no modifiers and is no array", "use integer", node.location
                )
            serial = _SERIALS[name]
            scalar = _Builtin(serial, _BUILTIN_SPELLING[serial])
        elif schema in (None, "pg_catalog") and name in _BUILTIN_NAMES:
            scalar = self.builtin(name, mods, node.location)
        else:
            user = self.catalog.find_type(schema, name) if schema != "pg_catalog" else None
            written = QualifiedName(schema, name) if schema else None
            if mods is not None:
                shown = str(written) if written else name
                args = mods if isinstance(mods, str) else f"({', '.join(map(str, mods))})"
                self.fail(
                    f"type {shown}{args} is not built into PostgreSQL: how it prints its "
                    "modifiers is not known without a server",
                    "read the schema from a live database with --dsn instead of a file",
                    node.location,
                )
            if user is not None:
                scalar = user
            elif written is not None and schema != "public":
                scalar = _Unknown(_type_display(written))
            else:
                scalar = _Unknown(_pg_quote(name))
        return _ColumnType(scalar, array), serial

    def builtin(self, typname: str, mods: list[int] | str | None, location: int) -> _Builtin:
        """A pg_catalog type with its modifiers, spelled as format_type() spells it."""
        kind = "m" if typname.endswith("multirange") else "r" if typname.endswith("range") else "b"
        if mods is None:
            return _Builtin(typname, _BUILTIN_SPELLING.get(typname, typname), kind)
        if isinstance(mods, str):
            self.fail(
                f"type {typname} takes whole numbers as modifiers",
                "write the type as PostgreSQL accepts it",
                location,
            )
        text = _builtin_text(typname, mods)
        if text is None:
            self.fail(
                f"type {typname} does not take the modifiers ({', '.join(map(str, mods))})",
                "write the type as PostgreSQL accepts it",
                location,
            )
        return _Builtin(typname, text, kind)

    # --- names

    def create_schema(self, schema: str | None) -> str:
        """The schema a new object goes to: the one named, else the first on the path."""
        if schema is not None:
            if schema.startswith("pg_temp"):
                raise self.unsupported("remove it: temporary objects are not part of the schema")
            return schema
        for candidate in self.catalog.path:
            if candidate in self.catalog.schemas:
                return candidate
        self.fail(
            f"no schema to create in: the search_path ({', '.join(self.catalog.path) or 'empty'})"
            " names no schema created so far",
            "qualify the name (public.orders) or create the schema before the SET",
        )

    def new_name(self, rv: ast.RangeVar) -> QualifiedName:
        return QualifiedName(self.create_schema(rv.schemaname), rv.relname)

    def claim(self, name: QualifiedName, location: int | None = None) -> None:
        """Refuse a new relation whose name is in use, as PostgreSQL does."""
        if self.catalog.name_taken(name.schema, name.name):
            self.fail(
                f"{name} already exists",
                "drop it first, or write CREATE ... IF NOT EXISTS",
                location,
            )

    def relation(self, rv: ast.RangeVar, *, missing_ok: bool = False) -> _Table | None:
        """The relation named; a missing one is an error unless ``missing_ok``."""
        found = self.catalog.find(rv.schemaname, rv.relname)
        if found is None and not missing_ok:
            shown = f"{rv.schemaname}.{rv.relname}" if rv.schemaname else rv.relname
            self.fail(
                f"table {shown} does not exist",
                "create it earlier in the file: the file is read as if run on an empty database",
                rv.location,
            )
        return found

    def table(self, rv: ast.RangeVar) -> _Table:
        found = self.relation(rv)
        assert found is not None
        if not found.is_table:
            self.fail(
                f"{found.name} is {_KIND_NAMES[found.kind]}, not a table",
                "name a table",
                rv.location,
            )
        return found

    def no_column(self, table: _Table, name: str, location: int | None = None) -> InputError:
        return self.problem(
            f"column {name} of {table.name} does not exist",
            "name one of the table's columns",
            location,
        )

    # --- indexes

    def on_IndexStmt(self, node: ast.IndexStmt) -> None:
        relation = self.relation(node.relation)
        assert relation is not None
        schema = relation.name.schema
        if node.if_not_exists and node.idxname and self.catalog.name_taken(schema, node.idxname):
            return
        elements = [_element(e) for e in node.indexParams]
        spec = _IndexSpec(
            elements,
            include=[e.name for e in node.indexIncludingParams or ()],
            name=node.idxname,
            unique=bool(node.unique),
            method=node.accessMethod or "btree",
            nulls_not_distinct=bool(node.nulls_not_distinct),
            predicate=node.whereClause,
            mentions=_column_refs(node.whereClause).union(*(e.mentions for e in elements)),
        )
        if relation.kind == "m":  # a materialized view's index takes a name, nothing else
            name = spec.name or self.catalog._index_name(relation, spec)
            index = _Index(name, relation, [None for _ in elements], [], spec)
            relation.indexes.append(index)
            self.catalog.indexes[QualifiedName(schema, name)] = index
            return
        if not relation.is_table:
            self.fail(
                f"{relation.name} is {_KIND_NAMES[relation.kind]}, not a table",
                "name a table",
                node.relation.location,
            )
        for name in [e.column for e in elements if e.column is not None] + spec.include:
            if relation.column(name) is None:
                raise self.no_column(relation, name, node.relation.location)
        self.catalog.add_index(relation, spec, recurse=node.relation.inh)

    # --- ALTER

    def on_AlterTableStmt(self, node: ast.AlterTableStmt) -> None:
        if node.objtype == ObjectType.OBJECT_INDEX:
            self.alter_index(node)
            return
        rv = node.relation
        if self.catalog.find_sequence(rv.schemaname, rv.relname) is not None:
            return  # pg_dump's ALTER TABLE <sequence> OWNER TO
        table = self.relation(rv, missing_ok=node.missing_ok)
        if table is None or not table.is_table:
            return  # views, materialized views, foreign tables, types: no audited shape
        targets = [table, *table.descendants()] if rv.inh else [table]
        for cmd in node.cmds:
            self.alter_table_cmd(table, cmd, targets, recurse=rv.inh)

    def alter_table_cmd(
        self, table: _Table, cmd: ast.AlterTableCmd, targets: list[_Table], *, recurse: bool
    ) -> None:
        t = AlterTableType
        kind = cmd.subtype
        if kind == t.AT_AddColumn:
            if cmd.missing_ok and table.column(cmd.def_.colname) is not None:
                return
            pending: list[_IndexSpec] = []
            keys: list[tuple[ast.Constraint, list[str]]] = []
            column = self.column_definition(table, cmd.def_, pending, keys)
            for child in table.descendants():
                child.columns.append(column.copy())
            for spec in pending:
                self.catalog.add_index(table, spec, recurse=True)
            for constraint, columns in keys:
                self.add_foreign_key(table, constraint, columns)
        elif kind == t.AT_AddConstraint:
            c = cmd.def_
            if c.indexname is not None:
                self.constraint_using_index(table, c)
                return
            pending, keys = [], []
            self.table_constraint(table, c, pending, keys, targets=targets)
            for spec in pending:
                self.catalog.add_index(table, spec, recurse=recurse)
            for constraint, columns in keys:
                self.add_foreign_key(table, constraint, columns)
        elif kind == t.AT_DropConstraint:
            self.drop_constraint(table, cmd)
        elif kind == t.AT_DropColumn:
            if table.column(cmd.name) is None:
                if cmd.missing_ok:
                    return
                raise self.no_column(table, cmd.name)
            for target in targets:
                self.drop_column(
                    target, cmd.name, cascade=cmd.behavior == DropBehavior.DROP_CASCADE
                )
        elif kind in (
            t.AT_AlterColumnType,
            t.AT_SetNotNull,
            t.AT_DropNotNull,
            t.AT_DropExpression,
            t.AT_AddIdentity,
            t.AT_DropIdentity,
        ):
            self.alter_column(table, cmd, targets)
        elif kind == t.AT_ChangeOwner:
            role = cmd.newowner
            table.owner = role.rolename if role.roletype == RoleSpecType.ROLESPEC_CSTRING else None
        elif kind == t.AT_ReplicaIdentity:
            for index in table.indexes:
                index.replica_identity = False
            if cmd.def_.identity_type == "i":
                found = next((i for i in table.indexes if i.name == cmd.def_.name), None)
                if found is None:
                    self.fail(
                        f"index {cmd.def_.name} of {table.name} does not exist",
                        "create the index first",
                    )
                found.replica_identity = True
        elif kind == t.AT_AttachPartition:
            self.attach(table, cmd.def_.name)
        elif kind in (t.AT_DetachPartition, t.AT_DetachPartitionFinalize):
            detached = self.table(cmd.def_.name)
            if detached.parent is table:
                table.partitions.remove(detached)
                detached.parent = None
                for index in detached.indexes:
                    index.parent = None
                for key in detached.foreign_keys:
                    key.parent = None
        elif kind in (t.AT_AddInherit, t.AT_DropInherit, t.AT_AddOf, t.AT_DropOf):
            raise self.unsupported("inheritance and typed tables are not read")
        elif kind.name not in _SKIPPED_ALTER:
            raise self.unsupported(
                "this ALTER TABLE action is not read; write the table as it ends up instead"
            )

    def constraint_using_index(self, table: _Table, c: ast.Constraint) -> None:
        """``ADD [CONSTRAINT name] {PRIMARY KEY | UNIQUE} USING INDEX index``."""
        index = next((i for i in table.indexes if i.name == c.indexname), None)
        if index is None:
            self.fail(
                f"index {c.indexname} of {table.name} does not exist",
                "create the index first",
                c.location,
            )
        index.spec.constraint = True
        index.spec.primary = c.contype == ConstrType.CONSTR_PRIMARY
        if index.spec.primary:
            for key in index.keys:
                if key is not None:
                    key.not_null = True
        if c.conname is not None and c.conname != index.name:
            self.catalog.rename_index(index, c.conname)

    def drop_constraint(self, table: _Table, cmd: ast.AlterTableCmd) -> None:
        name = cmd.name
        if cmd.behavior == DropBehavior.DROP_CASCADE and self.catalog.has_views():
            raise self.unsupported("drop without CASCADE: what views depend on is not read")
        for index in table.indexes:
            if index.name == name and index.spec.constraint:
                self.catalog.drop_index(index)
                return
        for key in table.foreign_keys:
            if key.name == name:
                self.catalog.drop_foreign_key(key)
                return
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

    def drop_column(self, table: _Table, name: str, *, cascade: bool) -> None:
        column = table.column(name)
        if column is None:
            return
        if cascade and (
            self.catalog.has_views() or any(name in col.generated_from for col in table.columns)
        ):
            raise self.unsupported("drop without CASCADE: what depends on the column is not read")
        for index in list(table.indexes):
            if index in table.indexes and index.mentions(column):
                self.catalog.drop_index(index)
        for key in list(table.foreign_keys):
            if column in key.columns:
                self.catalog.drop_foreign_key(key)
        for sequence in column.sequences:
            self.catalog.sequences.discard(QualifiedName(table.name.schema, sequence))
        table.columns.remove(column)

    def alter_column(self, table: _Table, cmd: ast.AlterTableCmd, targets: list[_Table]) -> None:
        if table.column(cmd.name) is None:
            raise self.no_column(table, cmd.name)
        columns = [c for c in (target.column(cmd.name) for target in targets) if c is not None]
        t = AlterTableType
        if cmd.subtype == t.AT_AlterColumnType:
            new_type, serial = self.column_type(cmd.def_.typeName)
            if serial is not None:
                self.fail("serial is not a type for ALTER COLUMN TYPE", "use integer")
            for col in columns:
                col.type = new_type
        elif cmd.subtype in (t.AT_SetNotNull, t.AT_DropNotNull):
            for col in columns:
                col.not_null = cmd.subtype == t.AT_SetNotNull
        elif cmd.subtype == t.AT_DropExpression:
            for col in columns:
                col.generated = ""
                col.generated_from = frozenset()
        elif cmd.subtype == t.AT_AddIdentity:
            column = columns[0]
            self.owned_sequence(table, column, _identity_sequence(cmd.def_))
            column.identity = column.sequences[-1]
            for col in columns:
                col.not_null = True
        else:  # DROP IDENTITY drops its sequence
            column = columns[0]
            if column.identity is not None:
                column.sequences.remove(column.identity)
                self.catalog.sequences.discard(QualifiedName(table.name.schema, column.identity))
                column.identity = None

    def attach(self, parent: _Table, rv: ast.RangeVar) -> None:
        child = self.relation(rv)
        assert child is not None
        self.require_partitioned(parent, rv)
        if child.parent is not None:
            self.fail(f"{child.name} is already a partition", "detach it first", rv.location)
        child.parent = parent
        parent.partitions.append(child)
        for index in list(parent.indexes):
            self.catalog.ensure_child_index(child, index)
        for key in list(parent.foreign_keys):
            self.catalog.clone_foreign_key(child, key)

    def alter_index(self, node: ast.AlterTableStmt) -> None:
        """ALTER INDEX: only ATTACH PARTITION links indexes (renames are RenameStmt)."""
        rv = node.relation
        index = self.catalog.find_index(rv.schemaname, rv.relname)
        if index is None:
            if node.missing_ok:
                return
            self.fail(f"index {rv.relname} does not exist", "create it earlier in the file")
        for cmd in node.cmds:
            if cmd.subtype == AlterTableType.AT_AttachPartition:
                child_rv = cmd.def_.name
                child = self.catalog.find_index(child_rv.schemaname, child_rv.relname)
                if child is not None:
                    child.parent = index

    def on_RenameStmt(self, node: ast.RenameStmt) -> None:
        o = ObjectType
        kind = node.renameType
        if kind in (o.OBJECT_TYPE, o.OBJECT_DOMAIN):
            found = self.catalog.find_type(*_split_name(_strings(node.object)))
            if found is not None:
                self.move_type(found, QualifiedName(found.name.schema, node.newname))
        elif kind == o.OBJECT_SCHEMA:
            self.rename_schema(node.subname, node.newname)
        elif node.relation is None:
            return  # functions, triggers, policies, roles...
        elif kind in (o.OBJECT_TABLE, o.OBJECT_VIEW, o.OBJECT_MATVIEW, o.OBJECT_FOREIGN_TABLE):
            self.move(node.relation, node.newname, None, missing_ok=node.missing_ok)
        elif kind in (o.OBJECT_INDEX, o.OBJECT_SEQUENCE):
            self.move(node.relation, node.newname, None, missing_ok=True)
        elif kind == o.OBJECT_COLUMN:
            table = self.relation(node.relation, missing_ok=node.missing_ok)
            if table is None or not table.is_table:
                return
            if table.column(node.subname) is None:
                raise self.no_column(table, node.subname, node.relation.location)
            for target in [table, *table.descendants()]:
                renamed = target.column(node.subname)
                if renamed is not None:
                    renamed.name = node.newname
        elif kind == o.OBJECT_TABCONSTRAINT:
            table = self.relation(node.relation, missing_ok=node.missing_ok)
            if table is not None and table.is_table:
                self.rename_constraint(table, node.subname, node.newname)

    def rename_constraint(self, table: _Table, old: str, new: str) -> None:
        for index in table.indexes:
            if index.name == old and index.spec.constraint:
                self.catalog.rename_index(index, new)
                return
        for key in table.foreign_keys:
            if key.name == old:
                key.name = new
                return
        if old in table.constraint_names:
            table.constraint_names.discard(old)
            table.constraint_names.add(new)
        for column in table.columns:
            if column.not_null_name == old:
                column.not_null_name = new

    def on_AlterObjectSchemaStmt(self, node: ast.AlterObjectSchemaStmt) -> None:
        o = ObjectType
        kind = node.objectType
        if kind in (o.OBJECT_TYPE, o.OBJECT_DOMAIN):
            found = self.catalog.find_type(*_split_name(_strings(node.object)))
            if found is not None:
                self.move_type(found, QualifiedName(node.newschema, found.name.name))
        elif node.relation is not None and kind in (
            o.OBJECT_TABLE,
            o.OBJECT_VIEW,
            o.OBJECT_MATVIEW,
            o.OBJECT_FOREIGN_TABLE,
            o.OBJECT_SEQUENCE,
        ):
            self.move(node.relation, None, node.newschema, missing_ok=node.missing_ok)

    def move(
        self, rv: ast.RangeVar, name: str | None, schema: str | None, *, missing_ok: bool
    ) -> None:
        """RENAME TO or SET SCHEMA of a relation, index or sequence (ALTER TABLE renames any)."""
        cat = self.catalog
        sequence = cat.find_sequence(rv.schemaname, rv.relname)
        if sequence is not None:
            cat.sequences.discard(sequence)
            cat.sequences.add(QualifiedName(schema or sequence.schema, name or sequence.name))
            return
        index = cat.find_index(rv.schemaname, rv.relname)
        if index is not None and name is not None:
            cat.rename_index(index, name)
            return
        relation = self.relation(rv, missing_ok=missing_ok)
        if relation is None:
            return
        new = QualifiedName(schema or relation.name.schema, name or relation.name.name)
        self.claim(new, rv.location)
        cat.move_relation(relation, new)

    def move_type(self, found: _UserType, new: QualifiedName) -> None:
        old = found.name
        del self.catalog.types[old]
        found.name = new
        self.catalog.types[new] = found
        composite = self.catalog.relations.get(old)
        if found.kind == "c" and composite is not None:
            self.catalog.move_relation(composite, new)

    def rename_schema(self, old: str, new: str) -> None:
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

    def on_DropStmt(self, node: ast.DropStmt) -> None:
        o = ObjectType
        kind = node.removeType
        cascade = node.behavior == DropBehavior.DROP_CASCADE
        if kind in _RELATION_KINDS:
            self.drop_relations(node, _RELATION_KINDS[kind], cascade=cascade)
        elif kind == o.OBJECT_INDEX:
            for names in node.objects:
                index = self.catalog.find_index(*_split_name(_strings(names)))
                if index is not None:
                    self.catalog.drop_index(index)
                elif not node.missing_ok:
                    self.fail(
                        f"index {_strings(names)[-1]} does not exist",
                        "create it earlier in the file",
                    )
        elif kind in (o.OBJECT_TYPE, o.OBJECT_DOMAIN):
            for type_name in node.objects:
                found = self.catalog.find_type(*_split_name(_strings(type_name.names)))
                if found is None:
                    continue
                if cascade and self.type_in_use(found):
                    raise self.unsupported(
                        "drop the columns of that type first: CASCADE would drop them"
                    )
                del self.catalog.types[found.name]
                composite = self.catalog.relations.get(found.name)
                if found.kind == "c" and composite is not None:
                    self.catalog.drop_relation(composite)
        elif kind == o.OBJECT_SCHEMA:
            for name in _strings(node.objects):
                self.drop_schema(name)
        elif kind == o.OBJECT_SEQUENCE:
            for names in node.objects:
                sequence = self.catalog.find_sequence(*_split_name(_strings(names)))
                if sequence is not None:
                    self.catalog.sequences.discard(sequence)

    def drop_relations(self, node: ast.DropStmt, kinds: str, *, cascade: bool) -> None:
        if cascade and self.catalog.has_views():
            raise self.unsupported("drop without CASCADE: what views depend on is not read")
        for names in node.objects:
            schema, name = _split_name(_strings(names))
            found = self.catalog.find(schema, name)
            if found is None or found.kind not in kinds:
                if node.missing_ok:
                    continue
                self.fail(
                    f"{name} does not exist",
                    "create it earlier in the file, or write DROP ... IF EXISTS",
                )
            self.catalog.drop_relation(found)

    def drop_schema(self, name: str) -> None:
        cat = self.catalog
        for table in [t for t in cat.relations.values() if t.name.schema == name]:
            if table.name in cat.relations:  # not dropped with its partitioned parent
                cat.drop_relation(table)
        for qname in [q for q in cat.types if q.schema == name]:
            del cat.types[qname]
        cat.sequences -= {q for q in cat.sequences if q.schema == name}
        cat.indexes = {q: i for q, i in cat.indexes.items() if q.schema != name}
        cat.schemas.discard(name)

    def type_in_use(self, user_type: _UserType) -> bool:
        def uses(column_type: _ColumnType) -> bool:
            s = column_type.scalar
            return s is user_type or (
                isinstance(s, _UserType) and s.base is not None and uses(s.base)
            )

        return any(uses(col.type) for t in self.catalog.relations.values() for col in t.columns)

    # --- COMMENT, SET, SELECT and the rest

    def on_CommentStmt(self, node: ast.CommentStmt) -> None:
        if node.objtype != ObjectType.OBJECT_COLUMN:
            return  # comments on tables and other objects carry no column policy
        names = _strings(node.object)
        relation = self.catalog.find(*_split_name(names[:-1]))
        if relation is None:
            self.fail(f"table {names[-2]} does not exist", "create it earlier in the file")
        if not relation.is_table:
            return
        column = relation.column(names[-1])
        if column is None:
            raise self.no_column(relation, names[-1])
        column.comment = node.comment or None

    def on_VariableSetStmt(self, node: ast.VariableSetStmt) -> None:
        k = VariableSetKind
        values = [str(a.val.sval) for a in node.args or () if isinstance(a.val, ast.String)]
        if node.kind == k.VAR_RESET_ALL:
            self.catalog.search_path = ["$user", "public"]
            self.catalog.role = None
        elif node.name == "search_path":
            if node.kind in (k.VAR_SET_DEFAULT, k.VAR_RESET):
                self.catalog.search_path = ["$user", "public"]
            elif node.kind == k.VAR_SET_VALUE:
                self.catalog.search_path = values
        elif node.name in ("role", "session_authorization"):
            if node.kind != k.VAR_SET_VALUE or values in (["none"], []):
                self.catalog.role = None
            else:
                self.catalog.role = values[0]

    def on_SelectStmt(self, node: ast.SelectStmt) -> None:
        """A SELECT runs functions: pg_dump's set_config('search_path', ...) is understood, and
        built-in functions are harmless. Anything else could create tables."""
        if node.intoClause is not None:
            raise self.unsupported("write the table with CREATE TABLE")
        for call in _walk(node):
            if not isinstance(call, ast.FuncCall):
                continue
            schema, name = _split_name(_strings(call.funcname))
            if schema not in (None, "pg_catalog") or (
                schema is None and name not in _HARMLESS_FUNCTIONS
            ):
                raise self.unsupported(
                    "remove it: a function called from the file may create tables; "
                    "or read the schema from a live database with --dsn"
                )
            if name == "set_config":
                self.set_config(call)

    def set_config(self, call: ast.FuncCall) -> None:
        args = call.args or ()
        if not args or not _is_string(args[0]) or args[0].val.sval != "search_path":
            return
        if len(args) < 2 or not _is_string(args[1]):
            raise self.unsupported("set the search_path with a constant")
        self.catalog.search_path = _split_identifiers(args[1].val.sval)

    def on_CopyStmt(self, node: ast.CopyStmt) -> None:
        if node.is_from and node.filename is None and not node.is_program:
            raise self.unsupported(
                "dump the schema only, with pg_dump --schema-only: data is not read"
            )

    def on_TransactionStmt(self, node: ast.TransactionStmt) -> None:
        k = TransactionStmtKind
        if node.kind in (k.TRANS_STMT_ROLLBACK, k.TRANS_STMT_ROLLBACK_TO):
            raise self.unsupported("remove it: the file is read as if every statement succeeded")

    def on_RuleStmt(self, node: ast.RuleStmt) -> None:
        if node.rulename == "_RETURN":  # PostgreSQL 15 and older turn the table into a view
            raise self.unsupported("write the view with CREATE VIEW")

    def on_DropOwnedStmt(self, node: ast.DropOwnedStmt) -> None:
        raise self.unsupported("drop the tables by name")

    def on_ReassignOwnedStmt(self, node: ast.ReassignOwnedStmt) -> None:
        raise self.unsupported("write each table's owner with ALTER TABLE ... OWNER TO")


# ALTER TABLE actions that change no column, key, partition or owner.
_SKIPPED_ALTER = frozenset(
    """
    AT_ColumnDefault AT_CookedColumnDefault AT_SetExpression AT_SetStatistics AT_SetOptions
    AT_ResetOptions AT_SetStorage AT_SetCompression AT_AlterColumnGenericOptions AT_SetIdentity
    AT_AlterConstraint AT_ValidateConstraint AT_ClusterOn AT_DropCluster AT_SetLogged
    AT_SetUnLogged AT_DropOids AT_SetAccessMethod AT_SetTableSpace AT_SetRelOptions
    AT_ResetRelOptions AT_ReplaceRelOptions AT_EnableTrig AT_EnableAlwaysTrig AT_EnableReplicaTrig
    AT_DisableTrig AT_EnableTrigAll AT_DisableTrigAll AT_EnableTrigUser AT_DisableTrigUser
    AT_EnableRule AT_EnableAlwaysRule AT_EnableReplicaRule AT_DisableRule AT_EnableRowSecurity
    AT_DisableRowSecurity AT_ForceRowSecurity AT_NoForceRowSecurity AT_GenericOptions
    """.split()
)


def _is_integer(node: object) -> bool:
    return isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer)


def _is_string(node: object) -> bool:
    return isinstance(node, ast.A_Const) and isinstance(node.val, ast.String)


def _split_identifiers(text: str) -> list[str]:
    """SplitIdentifierString(): a comma list of names, unquoted ones folded."""
    names: list[str] = []
    for part in re.findall(r'"(?:[^"]|"")*"|[^,\s][^,]*', text):
        part = part.strip()
        if part.startswith('"'):
            names.append(part[1:-1].replace('""', '"'))
        elif part:
            names.append(
                part.translate(
                    str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
                )
            )
    return names


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
        materialized view, foreign table and composite type; ``oid`` is None, ``owner`` is None
        unless ``ALTER TABLE ... OWNER TO`` or ``SET ROLE`` says, and ``inheritance`` is empty
        (inheritance is refused).
    :raises InputError: for a statement that could change a table but is not understood, or
        that refers to something the file has not created; the message names the line.
    """
    return _Reader(_Source(text, source)).read()
