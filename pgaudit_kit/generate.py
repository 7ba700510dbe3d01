"""Config + table models (+ what is installed) -> a :class:`Plan` of composed SQL. No I/O.

For each audited table the generator resolves one policy per column (config file, else a
``pgaudit:<policy>`` column comment, else ``default_policy``), picks the row key, and renders the
capture functions from ``sql/capture/*.sql`` with every column reference and policy baked in:

* ordinary tables: INSERT and DELETE are captured per statement from transition tables (one
  trigger call and one ``INSERT ... SELECT`` per statement), UPDATE per row (OLD and NEW paired);
* partitioned tables: one row trigger on the parent, cloned by PostgreSQL onto every partition;
* TRUNCATE: a statement trigger on the table, or on every leaf partition.

The plan only contains what differs from what is installed (by fingerprint and trigger health),
so ``apply`` twice changes nothing the second time. ``plan`` prints ``Plan.sql_text()``, which is
``Composed.as_string(None)`` of the very objects ``apply`` executes.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from psycopg import sql

from . import chain, privileges, settings, sqlfiles, toolkit_schema
from .catalog import Column, Installed, InstalledTable, Relation, TableModel
from .config import Config, TableConfig
from .errors import ConfigError, InputError
from .identifiers import QualifiedName, derived_name, parse_qualified_name, quote
from .policies import HASH, OMIT, PLAIN, Policy, policy_choices

#: json_build_object takes at most 100 arguments (50 key/value pairs); wider images are joined.
_PAIRS_PER_CALL = 50
#: How long apply (and the plan's script) waits for a table lock before giving up.
DEFAULT_LOCK_TIMEOUT = "10s"
#: Kinds of step that set up the transaction rather than change the database.
SETTING_KINDS = frozenset({"session", "maintenance"})


@dataclass(frozen=True)
class Step:
    """One unit of a plan: what it does and the statements that do it.

    ``kind`` is ``"sql"`` (install executes the statements), ``"toolkit"`` (install runs the
    toolkit schema's Alembic revisions, which do what the statements show), ``"partitions"`` (log
    partitions made ahead, which depend on the day the plan runs), or ``"session"`` and
    ``"maintenance"`` (settings of the transaction: how a plan runs, not a change it makes).
    A plan is computed against the database it runs on, an Alembic revision's too
    (alembic_ops), so a step never needs to ask whether its work is already done.
    """

    description: str
    statements: tuple[sql.Composed, ...]
    kind: str = "sql"
    table: QualifiedName | None = None

    def document(self, *, with_sql: bool = True) -> dict[str, Any]:
        """The step as JSON documents show it: what it does, and (for plan) its SQL."""
        document: dict[str, Any] = {"description": self.description, "kind": self.kind}
        if self.table is not None:
            document["table"] = str(self.table)
        if with_sql:
            document["sql"] = "\n".join(s.as_string(None) for s in self.statements)
        return document

    def sql_text(self) -> str:
        """The statements as one SQL text."""
        return "\n".join(s.as_string(None).strip() for s in self.statements)

    @property
    def sha256(self) -> str:
        """``sha256:<hex>`` of :meth:`sql_text`: how an Alembic revision holds a step to the SQL
        it was reviewed with."""
        return text_sha256(self.sql_text())


def text_sha256(text: str) -> str:
    """``sha256:<hex>`` of ``text`` (UTF-8)."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


#: Step kinds that carry out no design: how a plan runs (its settings), and what depends on the
#: day it runs (partitions made ahead). An Alembic revision does not hold them to its review.
ROUTINE_KINDS = frozenset({"partitions", "session", "maintenance"})


def descriptions(steps: Iterable[Step]) -> list[str]:
    """What each step does, in words (how results that list steps show them in JSON)."""
    return [s.description for s in steps]


@dataclass(frozen=True)
class Plan:
    """An ordered list of steps; empty when the database already matches the config."""

    steps: tuple[Step, ...] = ()
    #: What the reviewer should know that is not a step (a column comment that was ignored).
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def changes(self) -> tuple[Step, ...]:
        """The steps that change the database (without those that set up the transaction)."""
        return tuple(s for s in self.steps if s.kind not in SETTING_KINDS)

    def sql_text(self) -> str:
        """The whole plan as SQL text, one commented block per step."""
        blocks = [comment_lines(f"note: {note}") for note in self.notes]
        for step in self.steps:
            blocks.append(f"{comment_lines(step.description)}{step.sql_text()}\n")
        return "\n".join(blocks)


def comment_lines(text: str) -> str:
    """``text`` as SQL comment lines of at most 100 characters."""
    return "".join(f"-- {line}\n" for line in textwrap.wrap(text, 97, break_on_hyphens=False))


@dataclass(frozen=True)
class Capture:
    """The resolved audit design of one table."""

    config: TableConfig
    model: TableModel
    policies: Mapping[str, Policy]
    sources: Mapping[str, str]
    key: tuple[str, ...]
    names: Mapping[str, QualifiedName] = field(default_factory=dict)
    #: Column comment tags that would loosen a column (column -> tag), and so were ignored.
    ignored_tags: Mapping[str, str] = field(default_factory=dict)
    #: VIRTUAL generated columns (PostgreSQL 18): computed on read, so never captured.
    virtual_columns: tuple[str, ...] = ()

    @property
    def table(self) -> QualifiedName:
        return self.model.name


# --- resolving the config against the catalog ---------------------------------------------------


def resolve(
    config: Config,
    models: Mapping[QualifiedName, TableModel | Relation],
    problems: list[ConfigError] | None = None,
) -> list[Capture]:
    """Check every configured table and column against the catalog and pick policies and keys.

    :param problems: collect config problems here and resolve what remains (a table without its
        section, a column's policy left to the default), instead of raising the first (check).
    :raises ConfigError: naming the line, when a table or column does not exist or cannot be
        audited.
    :raises InputError: when a column comment carries an unknown policy tag.
    """

    def fail(error: ConfigError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    captures = []
    for table_config in config.tables:
        model = models.get(table_config.name)
        if model is None:
            fail(
                config.error(
                    f"table {table_config.name} does not exist",
                    line=table_config.line,
                    hint="check the name (unquoted names fold to lower case) or remove the section",
                )
            )
            continue
        if isinstance(model, Relation):
            fail(
                config.error(
                    f"{table_config.name} is {model.kind}; only tables can be audited",
                    line=table_config.line,
                    hint="audit the tables it reads from instead",
                )
            )
            continue
        if model.partition_of is not None:
            # Statement triggers of a partition do not fire for writes through its parent.
            fail(
                config.error(
                    f"{table_config.name} is a partition of {model.partition_of}",
                    line=table_config.line,
                    hint=f"audit {model.partition_of} instead: its triggers cover every partition",
                )
            )
            continue
        if model.inheritance:
            # Rows of inheritance children are written without the parent's row triggers, and a
            # child's statement triggers do not fire for writes through its parent.
            fail(
                config.error(
                    f"{table_config.name} is in an inheritance tree with "
                    + ", ".join(str(n) for n in model.inheritance),
                    line=table_config.line,
                    hint="audit tables outside inheritance (declarative partitioning is supported)",
                )
            )
            continue
        if model.name.schema == config.schema:
            fail(
                config.error(
                    f"{table_config.name} is inside the audit schema {config.schema!r}",
                    line=table_config.line,
                    hint="the trail cannot audit itself; remove the section",
                )
            )
            continue
        missing = [c for c in table_config.columns if model.column(c) is None]
        for column in missing:
            fail(
                config.error(
                    f"column {column!r} does not exist in {model.name}",
                    line=table_config.column_lines.get(column) or table_config.line,
                    hint="columns: " + ", ".join(c.name for c in model.columns),
                )
            )
        key = table_config.key if table_config.key is not None else model.natural_key
        if any(model.column(column) is None for column in key):
            fail(
                config.error(
                    f"key column {next(c for c in key if model.column(c) is None)!r} does not "
                    f"exist in {model.name}",
                    line=table_config.key_line or table_config.line,
                    hint="name columns that identify a row",
                )
            )
            continue
        policies: dict[str, Policy] = {}
        sources: dict[str, str] = {}
        ignored: dict[str, str] = {}
        virtual: list[str] = []
        for column_model in model.columns:
            if column_model.generated == "v":
                # Virtual generated columns (PostgreSQL 18) store nothing and read as NULL in
                # AFTER triggers; naming one in a transition-table query is an error. They are
                # computed from other columns, which are captured.
                virtual.append(column_model.name)
                chosen = table_config.columns.get(column_model.name)
                if chosen is not None and chosen != OMIT:
                    fail(
                        config.error(
                            f"column {column_model.name!r} of {model.name} is a VIRTUAL "
                            f"generated column, which capture cannot see (computed on read, it "
                            f"is NULL in triggers), so it cannot be {chosen}",
                            line=table_config.column_lines.get(column_model.name)
                            or table_config.line,
                            hint='set it to "omit" (the columns it is computed from are '
                            "captured), or define it STORED to capture its value",
                        )
                    )
                continue
            policy, source = _column_policy(config, table_config, model, column_model)
            policies[column_model.name] = policy
            sources[column_model.name] = source
            if source == "default" and column_model.comment_policy is not None:
                ignored[column_model.name] = column_model.comment_policy
        captures.append(
            Capture(
                config=table_config,
                model=model,
                policies=policies,
                sources=sources,
                key=tuple(key),
                names=function_names(model.name, config.schema),
                ignored_tags=ignored,
                virtual_columns=tuple(virtual),
            )
        )
    return captures


def _column_policy(
    config: Config, table_config: TableConfig, model: TableModel, column: Column
) -> tuple[Policy, str]:
    """The column's policy and where it comes from: the config file, else a comment tag that is
    at least as strict as ``default_policy`` (whoever owns a table may comment on it, so a comment
    can tighten a column, never loosen it), else ``default_policy``."""
    if column.name in table_config.columns:
        return table_config.columns[column.name], "config"
    if column.comment_policy is not None:
        try:
            tagged = Policy(column.comment_policy)
        except ValueError:
            raise InputError(
                f"unknown policy tag 'pgaudit:{column.comment_policy}' in the comment on column "
                f"{column.name!r}",
                where=str(model.name),
                hint=f"use pgaudit:<policy> with one of {policy_choices()}",
            ) from None
        if tagged.strictness >= config.default_policy.strictness:
            return tagged, "comment"
    return config.default_policy, "default"


def function_names(table: QualifiedName, schema: str) -> dict[str, QualifiedName]:
    """The capture functions of ``table`` (statement, row, truncate), in the audit schema."""
    return {
        kind: QualifiedName(schema, derived_name("capture", table, kind))
        for kind in ("statement", "row", "truncate")
    }


# --- rendering one table ---------------------------------------------------------------------


class _Images:
    """Renders the policy-applied JSON images and keys of rows under one record alias."""

    def __init__(self, capture: Capture, schema: str, k_in: sql.Composable, k_out: sql.Composable):
        self.capture = capture
        self.schema = sql.Identifier(schema)
        self.k_in = k_in
        self.k_out = k_out

    def value(self, record: sql.Composable, column: str) -> sql.Composable:
        """The stored form of one column under its policy."""
        ref = sql.SQL("{}.{}").format(record, sql.Identifier(column))
        model = self.capture.model.column(column)
        assert model is not None
        policy = self.capture.policies[column]
        if policy == PLAIN:
            # A built-in type goes into the image as PostgreSQL's own json; a created type only
            # as its output text (json_build_object would call a cast to json its owner added).
            return ref if model.builtin_type else rendered_text(ref, model, self.schema)
        # apply_policy is the one definition of the other policies, generic capture's too; with
        # the policy a constant, PostgreSQL inlines it and folds its CASE away
        return sql.SQL("{}.apply_policy({}, {}, {}, {})").format(
            self.schema,
            sql.Literal(str(policy)),
            rendered_text(ref, model, self.schema),
            self.k_in,
            self.k_out,
        )

    def image(
        self, record: sql.Composable, columns: Iterable[str] | None = None, *, indent: int = 8
    ) -> sql.Composable:
        """A json object of the given (default: all) non-omitted columns under their policies,
        one column per line, ``indent`` spaces in (where the template puts the image)."""
        names = [
            c
            for c in (columns if columns is not None else self.capture.policies)
            if self.capture.policies[c] != OMIT
        ]
        if not names:
            return sql.SQL("'{{}}'::json").format()
        inner = sql.Composed([sql.SQL(",\n"), _pad(indent + 4)])
        calls = []
        wide = len(names) > _PAIRS_PER_CALL
        builder = sql.SQL("jsonb_build_object(\n") if wide else sql.SQL("json_build_object(\n")
        for start in range(0, len(names), _PAIRS_PER_CALL):
            pairs = [
                sql.SQL("{}, {}").format(sql.Literal(c), self.value(record, c))
                for c in names[start : start + _PAIRS_PER_CALL]
            ]
            calls.append(
                sql.SQL("{}{}{})").format(builder, _pad(indent + 4), _joined(inner, pairs))
            )
        if len(calls) == 1:
            return calls[0]
        # json has no ||: wide rows are joined as jsonb and stored as json
        joint = sql.Composed([sql.SQL("\n"), _pad(indent), sql.SQL("|| ")])
        return sql.SQL("({})::json").format(_joined(joint, calls))

    def key(self, record: sql.Composable, *, indent: int = 8) -> sql.Composable:
        if not self.capture.key:
            return sql.SQL("null::json").format()
        return self.image(
            record, [c for c in self.capture.key if self.capture.policies[c] != OMIT], indent=indent
        )


def _joined(separator: sql.Composable, items: Sequence[sql.Composable]) -> sql.Composed:
    """``items`` with ``separator`` between them (sql.SQL.join takes only a literal one)."""
    parts: list[sql.Composable] = []
    for i, item in enumerate(items):
        parts += [separator, item] if i else [item]
    return sql.Composed(parts)


def _json_literal(value: Mapping[str, object]) -> sql.Composable:
    """A JSON literal laid out one member per line (the database stores it as jsonb prints it)."""
    return sql.Literal(json.dumps(value, indent=4, ensure_ascii=False))


def _pad(spaces: int) -> sql.Composed:
    """Indentation of generated SQL."""
    return sql.Composed([sql.SQL(" ")] * spaces)


def rendered_text(ref: sql.Composable, column: Column, schema: sql.Identifier) -> sql.Composable:
    """``ref`` as text, by nothing its owner could redefine. A built-in type casts to text as
    PostgreSQL defines it (nobody can add a cast between built-in types). A created type (an
    enum, composite, range, a domain over one, an array of any) may carry a cast its owner wrote,
    which would run inside capture as the audit owner: it is rendered by its output function
    alone (``<schema>.text_of``, which looks up no cast)."""
    if column.builtin_type:
        return sql.SQL("{}::text").format(ref)
    return sql.SQL("{}.text_of({})").format(schema, ref)


def _changed_test(column: Column, schema: sql.Identifier) -> sql.Composable:
    ident = sql.Identifier(column.name)
    new, old = sql.SQL("new.{}").format(ident), sql.SQL("old.{}").format(ident)
    if column.exact_equality and column.builtin_type:
        return sql.SQL("{} is distinct from {}").format(new, old)
    # Created types are compared by their output text: their "=" might be resolved, through an
    # implicit cast their owner added, to an operator that is not theirs.
    return sql.SQL("{} is distinct from {}").format(
        rendered_text(new, column, schema), rendered_text(old, column, schema)
    )


@dataclass(frozen=True)
class UpdateCapture:
    """What the row function does on UPDATE: the change tests, and what its INSERT stores."""

    body: sql.Composable
    old_values: sql.Composable
    new_values: sql.Composable
    changed_columns: sql.Composable


def _update_body(
    capture: Capture,
    config: Config,
    images: _Images,
    read_key: Callable[[int], sql.Composed],
) -> UpdateCapture:
    """Per-column change tests; images of only the changed columns unless full images are asked
    for (or the table has no key, so a full old image is what identifies the row). ``read_key``
    (at an indentation) reads the key when no earlier statement has: it leads each hashed
    column's block."""
    new, old = sql.SQL("new"), sql.SQL("old")
    full = config.update_images == "full" or not capture.key
    lines: list[sql.Composable] = []
    if not full:
        lines.append(sql.SQL("        v_old := '{{}}';\n        v_new := '{{}}';").format())
    for column in capture.model.columns:
        if column.name not in capture.policies:
            continue
        record_change = sql.SQL("            v_changed := v_changed || {}::text;").format(
            sql.Literal(column.name)
        )
        body = [record_change]
        if not full and capture.policies[column.name] == HASH:
            body.append(read_key(12))
        if not full and capture.policies[column.name] != OMIT:
            body.append(
                sql.SQL(
                    "            v_old := v_old || jsonb_build_object(\n"
                    "                {name}, {old});\n"
                    "            v_new := v_new || jsonb_build_object(\n"
                    "                {name}, {new});"
                ).format(
                    name=sql.Literal(column.name),
                    old=images.value(old, column.name),
                    new=images.value(new, column.name),
                )
            )
        lines.append(
            sql.SQL("        if {} then\n{}\n        end if;").format(
                _changed_test(column, images.schema), sql.SQL("\n").join(body)
            )
        )
    if config.skip_unchanged_updates:
        lines.append(
            sql.SQL(
                "        if v_changed is null then\n            return null;\n        end if;"
            ).format()
        )
    if full:
        lines.append(read_key(8))
        old_values, new_values = images.image(old, indent=15), images.image(new, indent=15)
    else:
        old_values, new_values = (
            sql.SQL("pg_catalog.to_json(v_old)"),
            sql.SQL("pg_catalog.to_json(v_new)"),
        )
    # v_changed starts NULL (a test that calls no function); an UPDATE kept although it changed
    # nothing records no column as changed, as it always has
    changed = (
        sql.SQL("v_changed")
        if config.skip_unchanged_updates
        else sql.SQL("coalesce(v_changed, '{{}}')").format()
    )
    return UpdateCapture(sql.SQL("\n").join(lines), old_values, new_values, changed)


#: Settings that change how values of a type render as text or json, with the pinned value
#: (chain.RENDER_SETTINGS). Capture pins those its columns need, so equal values give equal
#: tokens whatever a session has set; each pinned setting costs time on every call, hence not all
#: of them everywhere.
_PINNED = chain.RENDER_SETTINGS
#: Built-in types whose output no setting changes (arrays of them too).
_RENDER_STABLE = frozenset(
    {
        "smallint", "integer", "bigint", "numeric", "text", "character varying", "character",
        '"char"', "name", "boolean", "uuid", "json", "jsonb", "inet", "cidr", "macaddr",
        "macaddr8", "bit", "bit varying", "time without time zone", "time with time zone",
        "int4range", "int8range", "numrange", "int4multirange", "int8multirange",
        "nummultirange", "tsvector", "tsquery", "oid", "xid8", "pg_lsn",
    }
)  # fmt: skip
#: Built-in types whose output depends on settings, and which.
_RENDER_SETTINGS = {
    "timestamp with time zone": ("timezone", "datestyle"),
    "timestamp without time zone": ("datestyle",),
    "date": ("datestyle",),
    "tstzrange": ("timezone", "datestyle"),
    "tsrange": ("datestyle",),
    "daterange": ("datestyle",),
    "tstzmultirange": ("timezone", "datestyle"),
    "tsmultirange": ("datestyle",),
    "datemultirange": ("datestyle",),
    "interval": ("intervalstyle",),
    "real": ("extra_float_digits",),
    "double precision": ("extra_float_digits",),
    "bytea": ("bytea_output",),
}
#: The settings a date or time type's json depends on: json and jsonb print dates and
#: timestamps (and arrays of them) in ISO 8601 whatever DateStyle says, timestamptz in the
#: session's time zone. A plain column of these types needs no more pinned than this.
_JSON_SETTINGS = {
    "timestamp with time zone": ("timezone",),
    "timestamp without time zone": (),
    "date": (),
}


def _render_settings(type_text: str, *, as_json: bool = False) -> tuple[str, ...]:
    """The settings a column type's text output (or, ``as_json``, its json) depends on; every
    one for a type this does not know (a domain, composite or extension type may hold
    anything)."""
    base = re.sub(r"\(\d+(,\d+)?\)", "", type_text).strip()
    while base.endswith("[]"):
        base = base.removesuffix("[]").strip()
    if base in _RENDER_STABLE:
        return ()
    if as_json and base in _JSON_SETTINGS:
        return _JSON_SETTINGS[base]
    return _RENDER_SETTINGS.get(base, tuple(_PINNED))


def pinned_settings(capture: Capture) -> sql.Composable:
    """The ``set`` clauses (after search_path) of ``capture``'s functions: what the images'
    values render by. A plain column of a built-in type goes into its image as json; every
    other value as text (hashed, masked, or a created type's output)."""
    needed: set[str] = set()
    for column in capture.model.columns:
        policy = capture.policies.get(column.name)
        if policy is not None:
            as_json = policy == PLAIN and column.builtin_type
            needed.update(_render_settings(column.type, as_json=as_json))
    return toolkit_schema.setting_clauses({n: v for n, v in _PINNED.items() if n in needed})


def capture_statements(capture: Capture, config: Config) -> list[sql.Composed]:
    """The functions and triggers that capture ``capture.table``'s changes."""
    schema = sql.Identifier(config.schema)
    table = sql.Identifier(capture.table.schema, capture.table.name)
    table_name = sql.Literal(str(capture.table))
    names = capture.names
    hashed = HASH in capture.policies.values()
    # A hashed key column is in every row's row_key: then the key is read up front.
    hashed_key = any(capture.policies.get(c) == HASH for c in capture.key)

    def read_key(indent: int) -> sql.Composed:
        return sqlfiles.render_indented(
            "capture/read_key.sql", indent, schema=schema, schema_name=sql.Literal(config.schema)
        )

    def read_key_lazily(indent: int) -> sql.Composed:
        if not hashed or hashed_key:
            return no_key
        return sqlfiles.render_indented(
            "capture/read_key_lazily.sql", indent, read_key=read_key(indent + 4)
        )

    no_key = sql.SQL("    -- no key read here").format()
    settings = pinned_settings(capture)
    images = _Images(capture, config.schema, sql.SQL("v_k_in"), sql.SQL("v_k_out"))
    new, old = sql.SQL("new"), sql.SQL("old")
    none, nothing = sql.SQL("null"), sql.SQL("")

    def log_insert(
        op: str,
        row_key: sql.Composable,
        old_values: sql.Composable,
        new_values: sql.Composable,
        changed_columns: sql.Composable = none,
        rows: sql.Composable = nothing,
    ) -> sql.Composed:
        """The INSERT of audit rows, at the indentation of a branch of the function body."""
        return sqlfiles.render_indented(
            "capture/log_insert.sql",
            8,
            schema=schema,
            op=sql.Literal(op),
            table_name=table_name,
            row_key=row_key,
            old_values=old_values,
            new_values=new_values,
            changed_columns=changed_columns,
            rows=rows,
        )

    common = {
        "owner": sql.Identifier(config.owner_role),
        "settings": settings,
        **_caller_context(schema),
    }
    statements: list[sql.Composed] = []
    if not capture.model.partitioned:
        n, o = sql.SQL("n"), sql.SQL("o")
        statements.append(
            sqlfiles.render(
                "capture/statement_function.sql",
                **common,
                function=_ident(names["statement"]),
                read_key=read_key(4) if hashed else no_key,
                insert_new=log_insert(
                    "INSERT",
                    images.key(n, indent=15),
                    none,
                    images.image(n, indent=15),
                    rows=sql.SQL("\n        from new_rows as n"),
                ),
                insert_old=log_insert(
                    "DELETE",
                    images.key(o, indent=15),
                    images.image(o, indent=15),
                    none,
                    rows=sql.SQL("\n        from old_rows as o"),
                ),
            )
        )
    update = _update_body(capture, config, images, read_key_lazily)
    statements.append(
        sqlfiles.render(
            "capture/row_function.sql",
            **common,
            function=_ident(names["row"]),
            read_key=read_key(4) if hashed_key else no_key,
            read_key_for_image=read_key_lazily(8),
            update_body=update.body,
            insert_update=log_insert(
                "UPDATE",
                images.key(old, indent=15),
                update.old_values,
                update.new_values,
                update.changed_columns,
            ),
            insert_new=log_insert(
                "INSERT", images.key(new, indent=15), none, images.image(new, indent=15)
            ),
            insert_old=log_insert(
                "DELETE", images.key(old, indent=15), images.image(old, indent=15), none
            ),
        )
    )
    statements.extend(truncate_statements(capture, config, images, read_key))
    if capture.model.partitioned:
        if capture.model.owner:
            statements.append(
                sqlfiles.render(
                    "capture/grant_clone_execute.sql",
                    function=_ident(names["row"]),
                    table_owner=sql.Identifier(capture.model.owner),
                )
            )
        statements.append(
            sqlfiles.render(
                "capture/triggers_partitioned.sql", table=table, row_function=_ident(names["row"])
            )
        )
        statements.extend(
            sqlfiles.render(
                "capture/trigger_leaf_truncate.sql",
                leaf=sql.Identifier(leaf.schema, leaf.name),
                truncate_function=_ident(names["truncate"]),
                truncate_timing=truncate_timing(capture),
            )
            for leaf in capture.model.leaf_partitions
        )
    else:
        statements.append(
            sqlfiles.render(
                "capture/triggers_table.sql",
                table=table,
                statement_function=_ident(names["statement"]),
                row_function=_ident(names["row"]),
                truncate_function=_ident(names["truncate"]),
                truncate_timing=truncate_timing(capture),
            )
        )
    return statements


def _caller_context(schema: sql.Identifier) -> dict[str, sql.Composed]:
    """Who and where, for every capture function: the variables it declares (``context``) and
    the bounding of the client's claims that starts its body (``bound_claims``)."""
    return {
        "context": sqlfiles.render_indented("capture/context.sql", 4),
        "bound_claims": sqlfiles.render_indented("capture/bound_claims.sql", 4, schema=schema),
    }


def truncate_timing(capture: Capture) -> sql.SQL:
    """When the TRUNCATE trigger fires: rows and refuse need the rows still there."""
    return sql.SQL("after") if capture.config.truncate == "statement" else sql.SQL("before")


def truncate_statements(
    capture: Capture,
    config: Config,
    images: _Images,
    read_key: Callable[[int], sql.Composed],
) -> list[sql.Composed]:
    """The TRUNCATE capture function for the table's truncate mode, and the owner's read of the
    table that rows mode needs (taken back in the other modes)."""
    schema = sql.Identifier(config.schema)
    table = sql.Identifier(capture.table.schema, capture.table.name)
    table_name = sql.Literal(str(capture.table))
    owner = sql.Identifier(config.owner_role)
    mode = capture.config.truncate
    clauses = sql.SQL("").format()
    if mode == "refuse":
        before = sqlfiles.render_indented(
            "capture/truncate_refuse.sql", 4, schema=schema, table_name=table_name
        )
    elif mode == "rows":
        o = sql.SQL("o")
        before = sqlfiles.render_indented(
            "capture/truncate_rows.sql",
            4,
            schema=schema,
            table=table,
            table_regclass=sql.Literal(_qualified_text(capture.table)),
            table_name=table_name,
            read_key=read_key(4) if HASH in capture.policies.values() else sql.SQL("").format(),
            key_old=images.key(o, indent=7),
            image_old=images.image(o, indent=7),
        )
        clauses = sql.Composed(
            [pinned_settings(capture), toolkit_schema.setting_clauses({"row_security": "off"})]
        )
    else:
        before = sql.SQL("    -- statement mode: the event alone").format()
    read = (
        sql.SQL('-- truncate = "rows" reads the rows it records\ngrant select on table {} to {};')
        if mode == "rows"
        else sql.SQL(
            '-- only truncate = "rows" reads the table\nrevoke select on table {} from {};'
        )
    )
    key_variables = (
        sql.SQL("    v_key_id integer;\n    v_k_in bytea;\n    v_k_out bytea;")
        if mode == "rows"
        else sql.SQL("    -- no key: nothing is hashed here")
    )
    return [
        sqlfiles.render(
            "capture/truncate_function.sql",
            **_caller_context(schema),
            owner=owner,
            function=_ident(capture.names["truncate"]),
            schema=schema,
            settings=clauses,
            key_variables=key_variables,
            before_event=before,
            table_name=table_name,
            schema_of_table=sql.Literal(capture.table.schema),
            name_of_table=sql.Literal(capture.table.name),
        ),
        read.format(table, owner),
    ]


def triggers_of(capture: Capture) -> list[str]:
    """The audit triggers on the audited table itself."""
    if capture.model.partitioned:
        return ["pgaudit_row"]
    return ["pgaudit_insert", "pgaudit_delete", "pgaudit_update", "pgaudit_truncate"]


def fingerprint(statements: Sequence[sql.Composed], retention_class: str) -> str:
    """A digest of the capture SQL and the table's retention class: equal fingerprints mean
    nothing to reinstall."""
    digest = hashlib.sha256(retention_class.encode() + b"\x00")
    for statement in statements:
        digest.update(statement.as_string(None).encode())
    return digest.hexdigest()


def register_statement(capture: Capture, config: Config, print_: str) -> sql.Composed:
    names = capture.names

    def signature(kind: str) -> sql.Composable:
        if kind == "statement" and capture.model.partitioned:
            return sql.NULL
        return sql.SQL("{}::regprocedure").format(sql.Literal(_qualified_text(names[kind]) + "()"))

    return sqlfiles.render(
        "capture/register.sql",
        schema=sql.Identifier(config.schema),
        table_regclass=sql.Literal(_qualified_text(capture.table)),
        table_name=sql.Literal(str(capture.table)),
        partitioned=sql.Literal(capture.model.partitioned),
        key_columns=sql.SQL("{}::text[]").format(sql.Literal(list(capture.key))),
        policies=_json_literal({c: str(p) for c, p in capture.policies.items()}),
        columns=_json_literal({c.name: c.type for c in capture.model.columns}),
        statement_function_sig=signature("statement"),
        row_function_sig=signature("row"),
        truncate_function_sig=signature("truncate"),
        triggers=sql.SQL("{}::text[]").format(sql.Literal(triggers_of(capture))),
        fingerprint=sql.Literal(print_),
        retention_class=sql.Literal(capture.config.retention or "default"),
        default_policy=sql.Literal(str(config.default_policy)),
        skip_unchanged=sql.Literal(config.skip_unchanged_updates),
        update_images=sql.Literal(config.update_images),
        truncate_mode=sql.Literal(capture.config.truncate),
    )


def config_event(
    config: Config, table_name: str | None, details: Mapping[str, object]
) -> sql.Composed:
    """A CONFIG event: of a table, or of the trail itself when ``table_name`` is None."""
    return sqlfiles.render(
        "capture/config_event.sql",
        schema=sql.Identifier(config.schema),
        table_name=sql.Literal(table_name),
        details=_json_literal(details),
    )


def baseline_statement(capture: Capture, config: Config, *, superuser: bool = True) -> sql.Composed:
    """One SNAPSHOT event per existing row, read as the owner role. Only a superuser can lend the
    owner BYPASSRLS for it; without, row-level security is off for the read, so a table whose
    policies would hide rows makes the baseline fail rather than record part of it."""
    images = _Images(capture, config.schema, sql.SQL("k.k_in"), sql.SQL("k.k_out"))
    n = sql.SQL("n")
    owner = sql.Identifier(config.owner_role)
    lend, take_back = (
        (
            sql.SQL("alter role {} bypassrls;").format(owner),
            sql.SQL("alter role {} nobypassrls;").format(owner),
        )
        if superuser
        else (sql.SQL("").format(), sql.SQL("").format())
    )
    table = sql.Identifier(capture.table.schema, capture.table.name)
    return sqlfiles.render(
        "capture/baseline.sql",
        schema=sql.Identifier(config.schema),
        owner=owner,
        lend_bypassrls=lend,
        take_back_bypassrls=take_back,
        # truncate = "rows" keeps the read the owner was granted with capture
        take_back_select=sql.SQL("revoke select on table {} from {};").format(table, owner)
        if capture.config.truncate != "rows"
        else sql.SQL('-- the owner keeps SELECT: truncate = "rows" reads removed rows').format(),
        settings=settings.settings_statements(chain.RENDER_SETTINGS, local=True),
        table=sql.Identifier(capture.table.schema, capture.table.name),
        table_name=sql.Literal(str(capture.table)),
        key_new=images.key(n, indent=7),
        image_new=images.image(n, indent=7),
    )


# --- the whole plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOptions:
    """Choices that change the plan without changing the config."""

    baseline: bool = False
    #: The longest wait for a table lock (``apply --lock-timeout``).
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT
    #: Whether a superuser runs the plan. A managed service's administrator (CREATEROLE, no
    #: superuser) gets a plan that lets it act as the owner role, tries the guard's event
    #: triggers, and takes baselines without lending the owner BYPASSRLS.
    superuser: bool = True
    #: Whether the installing role may act as the owner role already (a superuser always may).
    installer_is_owner: bool = True
    #: The log partitions premake_partitions would create (``<schema>.missing_partitions``, read
    #: by the caller); None when that cannot be read (nothing installed yet, an upgrade pending,
    #: offline): then the plan runs premake_partitions, which creates what is missing.
    missing_partitions: tuple[tuple[datetime, datetime], ...] | None = None

    def __post_init__(self) -> None:
        check_lock_timeout(self.lock_timeout)


#: lock_timeout's units and their length in milliseconds, as PostgreSQL reads them.
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s|min|h|d)?\s*", re.ASCII)


def check_lock_timeout(value: str) -> str:
    """``value`` when PostgreSQL's lock_timeout would take it: a number of milliseconds, or of a
    unit, up to about 24 days (its integer limit); 0 waits forever, which apply allows.

    :raises InputError: for anything else, before a connection is made.
    """
    match = _DURATION.fullmatch(value)
    milliseconds = float(match[1]) * _TIME_UNITS[match[2] or "ms"] if match else -1
    # below a millisecond PostgreSQL rounds to 0, which waits forever: the opposite of a timeout
    if match is None or milliseconds > 2**31 - 1 or 0 < milliseconds < 1:
        raise InputError(
            f"--lock-timeout {value!r} is not a duration PostgreSQL takes",
            hint="give a number with a unit: 500ms, 10s, 2min (at most 24 days; 0 waits forever)",
        )
    return value


def plan(
    config: Config,
    captures: Sequence[Capture],
    installed: Installed,
    options: PlanOptions | None = None,
) -> Plan:
    """Everything ``apply`` must run to make the database match the config.

    :param installed: what the database holds now (``catalog.read_installed``).
    """
    options = options or PlanOptions()
    schema = sql.Identifier(config.schema)
    owner = sql.Identifier(config.owner_role)
    steps: list[Step] = []
    if not installed.owner_exists:
        steps.append(
            Step(
                f"create the NOLOGIN owner role {config.owner_role}",
                (sqlfiles.render("bootstrap/create_owner.sql", owner=owner),),
            )
        )
    if not options.installer_is_owner:
        steps.append(
            Step(
                f"let the installing role act as the owner role {config.owner_role} (no "
                "superuser here to create what the owner owns)",
                (sqlfiles.render("bootstrap/installer_as_owner.sql", owner=owner),),
            )
        )
    if not installed.schema_exists:
        steps.append(
            Step(
                f"create schema {config.schema} owned by {config.owner_role}",
                (sqlfiles.render("bootstrap/create_schema.sql", schema=schema, owner=owner),),
            )
        )
    values = toolkit_schema.params(config.schema, config.owner_role)
    for revision in toolkit_schema.pending(installed.revision):
        steps.append(
            Step(
                f"toolkit schema revision {revision.id}: {revision.message}",
                toolkit_schema.statements(revision, values, config.schema, config.owner_role),
                kind="toolkit",
            )
        )
    steps += _partition_steps(config, installed, options.missing_partitions)
    steps += _restore_toolkit_functions(config, installed)
    if not installed.guard_enabled:
        steps.append(
            Step(
                "create the guard's event triggers (they refuse DDL that would silence the trail)",
                tuple(guard_statements(config, create=True, superuser=options.superuser)),
            )
        )
    if not installed.has_key:
        steps.append(
            Step(
                "create the first HMAC key",
                (sql.SQL("select {}.rotate_key();").format(schema),),
            )
        )
    if (config.retention, config.archive_retention) != (
        installed.retention_classes,
        installed.archive_classes,
    ):
        names = sorted(config.retention)
        archived = config.archive_retention
        steps.append(
            Step(
                "set retention classes: "
                + (
                    ", ".join(
                        f"{n} {config.retention[n]}"
                        + (f" (archived {archived[n]})" if n in archived else "")
                        for n in names
                    )
                    or "none (keep for ever)"
                ),
                (
                    sqlfiles.render(
                        "retention/set_classes.sql",
                        schema=schema,
                        names=sql.Literal(names),
                        periods=sql.Literal([config.retention[n] for n in names]),
                        archive_periods=sql.Literal([archived.get(n) for n in names]),
                    ),
                    # the retention in force, for verify to judge each purge by (trail.py)
                    config_event(
                        config,
                        None,
                        {
                            "action": "retention",
                            "classes": dict(config.retention),
                            **({"archive": dict(archived)} if archived else {}),
                        },
                    ),
                ),
            )
        )
    privileges = _privilege_statements(config, captures, installed)
    if privileges:
        steps.append(Step("set privileges on the audit schema", tuple(privileges)))
    for capture, before in outdated_captures(config, captures, installed):
        verb = "audit" if before is None else "update auditing of"
        why = ""
        if before is not None and before.capture_mode != "fast":
            verb = "regenerate fast capture of"
            why = f"; its columns changed: {before.drift_detail}"
        steps.append(
            Step(
                f"{verb} {capture.table} ({_policy_summary(capture)}){why}",
                tuple(install_statements(capture, config, "start" if before is None else "change")),
                table=capture.table,
            )
        )
        if options.baseline and before is None:
            steps.append(
                Step(
                    f"baseline: one SNAPSHOT event per existing row of {capture.table}",
                    (baseline_statement(capture, config, superuser=options.superuser),),
                    table=capture.table,
                )
            )
    for gone in unconfigured_tables(captures, installed):
        steps.append(
            Step(
                f"stop auditing {gone.table_name} (no longer in {config.path.name}); its rows stay",
                tuple(stop_installed(config, gone)),
            )
        )
    if steps and installed.installed:
        steps.insert(0, maintenance_step(config))
    notes = tuple(
        f"{column}: {message}"
        for column, message in (*ignored_tags(config, captures), *virtual_columns(captures))
    )
    return replace(_with_settings(steps, options), notes=notes)


def virtual_columns(
    captures: Sequence[Capture], *, unlisted_only: bool = False
) -> Iterator[tuple[str, str]]:
    """(column, what becomes of it) for each VIRTUAL generated column of an audited table (only
    those the config does not list as omit, with ``unlisted_only``)."""
    for capture in captures:
        for column in capture.virtual_columns:
            listed = capture.config.columns.get(column) == OMIT
            if listed and unlisted_only:
                continue
            yield (
                f"{capture.table}.{quote(column)}",
                "a VIRTUAL generated column, not captured: its value is computed on read from "
                "columns that are"
                + (
                    ""
                    if listed
                    else ' (set it to "omit" in columns to say so, or define it STORED)'
                ),
            )


def ignored_tags(config: Config, captures: Sequence[Capture]) -> Iterator[tuple[str, str]]:
    """(column, why) for each column comment tag ignored because it would loosen the column."""
    for capture in captures:
        for column, tag in capture.ignored_tags.items():
            yield (
                f"{capture.table}.{quote(column)}",
                f"the comment tag pgaudit:{tag} is ignored: it is looser than default_policy "
                f"{config.default_policy} (a comment may only tighten a column; classify it in "
                f"{config.path.name} to loosen it)",
            )


def downgrade(
    config: Config,
    captures: Sequence[Capture],
    installed: Installed,
    models: Mapping[QualifiedName, TableModel | Relation],
) -> Plan:
    """The steps that undo what :func:`plan` does to tables (the downgrade of an Alembic revision):
    tables it starts auditing stop, tables it changes or stops get the capture the registry
    records back. The audit schema, its revision, keys, grants and the guard stay: they are
    shared, and removing them would remove the trail (that is ``uninstall``).

    :param models: the catalog's tables, including those the registry audits but the config
        no longer names (a dropped table cannot be restored and is left out).
    """
    steps: list[Step] = []
    for capture, before in outdated_captures(config, captures, installed):
        if before is None:
            steps.append(
                Step(
                    f"stop auditing {capture.table} (the upgrade started it)",
                    tuple(stop_statements(config, str(capture.table), _capture_functions(capture))),
                    table=capture.table,
                )
            )
        else:
            steps += _restore_steps(config, before, models)
    for gone in unconfigured_tables(captures, installed):
        steps += _restore_steps(config, gone, models)
    if steps:
        steps.insert(0, maintenance_step(config))
    return _with_settings(steps, PlanOptions())


def outdated_captures(
    config: Config, captures: Sequence[Capture], installed: Installed
) -> Iterator[tuple[Capture, InstalledTable | None]]:
    """The configured tables whose capture apply must (re)install, with what is installed now."""
    for capture in captures:
        before = installed.tables.get(capture.model.oid or -1)
        healthy = all(
            state == "ok" for name, _, _, state in installed.health if name == str(capture.table)
        ) and not (before is not None and set(before.function_names) & installed.changed_functions)
        if not (
            healthy
            and capture_is_current(capture, config, before, capture_fingerprint(capture, config))
        ):
            yield capture, before


def unconfigured_tables(captures: Sequence[Capture], installed: Installed) -> list[InstalledTable]:
    """Tables the registry audits that the config no longer names."""
    configured = {c.model.oid for c in captures}
    return [t for relid, t in installed.tables.items() if relid not in configured]


def install_statements(capture: Capture, config: Config, action: str) -> list[sql.Composed]:
    """Capture functions and triggers for one table, its registry row, and a CONFIG event."""
    statements = capture_statements(capture, config)
    print_ = fingerprint(statements, capture.config.retention or "default")
    details = {
        "action": action,
        "policies": {c: str(p) for c, p in capture.policies.items()},
        "key": list(capture.key),
        "retention": capture.config.retention or "default",
        "fingerprint": print_,
    }
    return [
        *statements,
        register_statement(capture, config, print_),
        config_event(config, str(capture.table), details),
    ]


def restored_capture(
    config: Config, table: InstalledTable, model: TableModel
) -> tuple[Config, Capture]:
    """The capture the registry records for ``table`` (policies, key, retention class and
    options), resolved against its current columns; with the config it was generated under."""
    table_config = TableConfig(
        name=model.name,
        columns={c: Policy(p) for c, p in table.policies.items() if model.column(c) is not None},
        key=tuple(c for c in table.key_columns if model.column(c) is not None),
        line=None,
        retention=None if table.retention_class == "default" else table.retention_class,
        truncate=table.truncate_mode,
    )
    previous = replace(
        config,
        default_policy=Policy(table.default_policy),
        skip_unchanged_updates=table.skip_unchanged,
        update_images=table.update_images,
        tables=(table_config,),
    )
    (capture,) = resolve(previous, {model.name: model})
    return previous, capture


def _restore_steps(
    config: Config, table: InstalledTable, models: Mapping[QualifiedName, TableModel | Relation]
) -> list[Step]:
    model = models.get(parse_qualified_name(table.table_name))
    if not isinstance(model, TableModel):
        return []
    previous, capture = restored_capture(config, table, model)
    return [
        Step(
            f"audit {capture.table} again as before ({_policy_summary(capture)})",
            tuple(install_statements(capture, previous, "revert")),
            table=capture.table,
        )
    ]


def _with_settings(steps: list[Step], options: PlanOptions) -> Plan:
    """The plan, led by a step that sets up the transaction (when it has any step)."""
    if not steps:
        return Plan()
    settings = Step(
        "pin the search_path and the lock timeout for this transaction",
        (
            sqlfiles.render(
                "bootstrap/settings.sql", lock_timeout=sql.Literal(options.lock_timeout)
            ),
        ),
        kind="session",
    )
    return Plan((settings, *steps))


def maintenance_step(config: Config) -> Step:
    """Opens the guard's maintenance window for the transaction: pgaudit-kit's own DDL on the
    audit schema and audited tables passes; the window closes when the transaction ends."""
    return Step(
        "open pgaudit-kit's maintenance window for this transaction",
        (
            sql.SQL("select {}.begin_maintenance('pgaudit-kit apply');").format(
                sql.Identifier(config.schema)
            ),
        ),
        kind="maintenance",
    )


def capture_is_current(
    capture: Capture, config: Config, before: InstalledTable | None, print_: str
) -> bool:
    """Whether the capture installed on a table (``before``) is what the config now generates
    (its ``fingerprint`` is ``print_``), in fast mode, with the same options."""
    return (
        before is not None
        and before.fingerprint == print_
        and before.capture_mode == "fast"
        and (before.default_policy, before.skip_unchanged, before.update_images)
        == (str(config.default_policy), config.skip_unchanged_updates, config.update_images)
    )


def capture_fingerprint(capture: Capture, config: Config) -> str:
    """The fingerprint apply records for ``capture``: what check compares with the registry."""
    return fingerprint(capture_statements(capture, config), capture.config.retention or "default")


def role_grants(config: Config) -> list[tuple[str, tuple[privileges.Grant, ...]]]:
    """Each configured role with the grants its kind holds (privileges.AUDITOR...)."""
    return [
        (role, grants)
        for roles, grants in (
            (config.auditor_roles, privileges.AUDITOR),
            (config.admin_roles, privileges.ADMIN),
            (config.investigator_roles, privileges.INVESTIGATOR),
        )
        for role in roles
    ]


def expected_grants(config: Config, captures: Sequence[Capture]) -> set[tuple[str, str, str, str]]:
    """Every (role, kind, object, privilege) the model grants in the audit schema: the role
    kinds' grants, and EXECUTE on row functions for owners of audited partitioned tables."""
    return {
        (role, g.kind, g.object or config.schema, g.privilege)
        for role, grants in role_grants(config)
        for g in grants
    } | {
        (c.model.owner, "function", c.names["row"].name + "()", "EXECUTE")
        for c in captures
        if c.model.partitioned and c.model.owner
    }


def stop_statements(
    config: Config, table_name: str, functions: Sequence[sql.Composable]
) -> list[sql.Composed]:
    """Stop capturing a table: drop its capture functions (and with them the triggers) and its
    registry row, and record a CONFIG event. Rows already captured stay."""
    return [
        sqlfiles.render(
            "capture/unregister.sql",
            schema=sql.Identifier(config.schema),
            functions=sql.SQL(", ").join(functions),
            table_name=sql.Literal(table_name),
        ),
        config_event(config, table_name, {"action": "stop"}),
    ]


def guard_statements(config: Config, *, create: bool, superuser: bool = True) -> list[sql.Composed]:
    """(Re)create, or drop, the guard's event triggers; without a superuser, try to create them
    and go on without them if the server refuses."""
    values = toolkit_schema.params(config.schema, config.owner_role)
    statements = [sqlfiles.render("guard/drop_event_triggers.sql", **values)]
    if create:
        created = sqlfiles.render("guard/create_event_triggers.sql", **values)
        if not superuser:
            created = sqlfiles.render("guard/try_create_event_triggers.sql", create=created)
        statements.append(created)
    return statements


def stop_installed(config: Config, table: InstalledTable) -> list[sql.Composed]:
    """:func:`stop_statements` for a table the registry records."""
    return stop_statements(config, table.table_name, _function_idents(table.functions))


def _capture_functions(capture: Capture) -> list[sql.Composable]:
    """The capture functions apply creates for ``capture``."""
    kinds = ("row", "truncate") if capture.model.partitioned else ("statement", "row", "truncate")
    return [
        sql.SQL("{}()").format(sql.Identifier(capture.names[k].schema, capture.names[k].name))
        for k in kinds
    ]


def _function_idents(functions: Iterable[str]) -> list[sql.Composable]:
    """``schema.name()`` texts from the registry, back to composed identifiers."""
    idents: list[sql.Composable] = []
    for text in functions:
        name = parse_qualified_name(text.removesuffix("()"))
        idents.append(sql.SQL("{}()").format(sql.Identifier(name.schema, name.name)))
    return idents


def _privilege_statements(
    config: Config, captures: Sequence[Capture], installed: Installed
) -> list[sql.Composed]:
    schema = sql.Identifier(config.schema)
    expected = expected_grants(config, captures)
    actual = set(installed.grants)
    statements: list[sql.Composed] = []
    wrong_roles = sorted({g[0] for g in actual - expected})
    for role in wrong_roles:
        grantee = sql.SQL("public") if role == "PUBLIC" else sql.Identifier(role)
        statements.append(sqlfiles.render("privileges/revoke_all.sql", schema=schema, role=grantee))
    for role, grants in role_grants(config):
        missing = {g for g in expected if g[0] == role} - (
            actual if role not in wrong_roles else set()
        )
        if missing:
            statements += privileges.grant_statements(config.schema, role, grants)
    owners = sorted(
        {
            (c.model.owner, c.model.name.schema)
            for c in captures
            if c.model.partitioned and c.model.owner
        }
        - set(installed.default_trigger_grants)
    )
    for table_owner, table_schema in owners:
        statements.append(
            sqlfiles.render(
                "privileges/default_trigger.sql",
                table_owner=sql.Identifier(table_owner),
                table_schema=sql.Identifier(table_schema),
                owner=sql.Identifier(config.owner_role),
            )
        )
    return statements


_ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly"}


def _partition_steps(
    config: Config,
    installed: Installed,
    missing: tuple[tuple[datetime, datetime], ...] | None,
) -> list[Step]:
    """Partitions for the current period and ``premake`` ahead, of the configured width: the
    database computes which (missing_partitions); the plan only says what it will create."""
    schema = sql.Identifier(config.schema)
    steps: list[Step] = []
    current_interval = installed.partition_interval if installed.installed else "month"
    if current_interval != config.partition_interval:
        if installed.log_has_rows:
            raise config.error(
                f"partition_interval is {installed.partition_interval!r} in the database and "
                f"{config.partition_interval!r} here; it cannot change once the trail has rows",
                line=config.line("partition_interval"),
                hint=f'keep partition_interval = "{installed.partition_interval}"',
            )
        steps.append(
            Step(
                f"set the partition interval to {config.partition_interval} (the log is empty)",
                (
                    sqlfiles.render(
                        "retention/set_interval.sql",
                        schema=schema,
                        interval=sql.Literal(config.partition_interval),
                    ),
                ),
            )
        )
        missing = None
    if missing == ():
        return steps
    what = (
        f"create {len(missing)} log partition(s) from {missing[0][0]:%Y-%m-%d}"
        if missing
        else f"create the {_ADJECTIVES[config.partition_interval]} log partitions missing for "
        f"this {config.partition_interval} and {config.premake} ahead"
    )
    steps.append(
        Step(
            what,
            (
                sql.SQL("select {}.premake_partitions({});").format(
                    schema, sql.Literal(config.premake)
                ),
            ),
            kind="partitions",
        )
    )
    return steps


def _restore_toolkit_functions(config: Config, installed: Installed) -> list[Step]:
    """Toolkit functions whose live definition differs from the one pgaudit-kit installed (or
    that are gone) are put back from their templates, which define them as the installed head
    revision does (tests/db/test_integrity.py holds the two together). Capture functions are
    reinstalled with their table instead (outdated_captures); a revision still pending replaces
    what it replaces first, and the next apply judges the rest."""
    if installed.revision != toolkit_schema.head():
        return []
    capture = {n for t in installed.tables.values() for n in t.function_names}
    names = sorted(installed.changed_functions - capture)
    values = toolkit_schema.params(config.schema, config.owner_role)
    steps = []
    for name in names:
        template = f"toolkit/functions/{name}.sql"
        if not sqlfiles.exists(template):
            continue
        steps.append(
            Step(
                f"restore toolkit function {config.schema}.{name} (it differs from the one "
                "pgaudit-kit installed)",
                (
                    sql.SQL("set local role {};").format(sql.Identifier(config.owner_role)),
                    sqlfiles.render(template, **values),
                    sqlfiles.render(
                        "bootstrap/record_function.sql",
                        schema=sql.Identifier(config.schema),
                        schema_name=sql.Literal(config.schema),
                        function_name=sql.Literal(name),
                    ),
                    sql.SQL("set local role none;").format(),  # RESET would outlive the step
                ),
            )
        )
    return steps


def _policy_summary(capture: Capture) -> str:
    counts: dict[str, int] = {}
    for policy in capture.policies.values():
        counts[str(policy)] = counts.get(str(policy), 0) + 1
    mode = capture.config.truncate
    truncate = [] if mode == "statement" else [f"truncate {mode}"]
    return ", ".join([*(f"{n} {p}" for p, n in sorted(counts.items())), *truncate])


def _ident(name: QualifiedName) -> sql.Identifier:
    return sql.Identifier(name.schema, name.name)


def _qualified_text(name: QualifiedName) -> str:
    return '"' + name.schema.replace('"', '""') + '"."' + name.name.replace('"', '""') + '"'
