"""Result objects and their JSON: the one place a result becomes a document.

Every command returns a dataclass deriving from :class:`Result`. Its JSON is made here from its
fields, never written by hand: dataclasses nest, tuples become lists, dates ISO 8601 text, paths
and qualified names text. A field's JSON name may differ (``metadata=json_name("from")``), it may
show a converted value (``json_with``) or stay out (``NOT_JSON``); a class may add properties
(``_json_properties``) or be shown as its text (``_json_as_text``, as qualified names are).
Documents carry ``schema_version``, bumped when a field changes meaning or goes away.

Plain dataclasses and one serializer rather than pydantic or msgspec: results are built by the
library itself from trusted values, so nothing needs validating, and the standard library keeps
``import pgaudit_kit`` light.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

#: Version of every JSON document the CLI prints.
SCHEMA_VERSION = 1
#: Field metadata: leave the field out of the JSON.
NOT_JSON: Mapping[str, Any] = {"json": False}

T = TypeVar("T")


def json_name(name: str) -> Mapping[str, Any]:
    """Field metadata: the field's name in the JSON."""
    return {"json_name": name}


def json_with(convert: Callable[[Any], Any]) -> Mapping[str, Any]:
    """Field metadata: the JSON shows ``convert(value)`` instead of the value."""
    return {"json_with": convert}


class Result:
    """Base of every command's result: ``to_json()`` is the document the CLI prints."""

    #: Properties that belong in the JSON beside the fields.
    _json_properties: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON document, with ``schema_version`` first."""
        body = as_json(self)
        assert isinstance(body, dict)
        return {"schema_version": SCHEMA_VERSION, **body}


def as_json(value: Any) -> Any:
    """``value`` as JSON-ready data (see the module docstring)."""
    if getattr(type(value), "_json_as_text", False):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        document = {
            f.metadata.get("json_name", f.name): as_json(
                f.metadata.get("json_with", _same)(getattr(value, f.name))
            )
            for f in dataclasses.fields(value)
            if f.metadata.get("json", True)
        }
        for name in getattr(type(value), "_json_properties", ()):
            document[name] = as_json(getattr(value, name))
        return document
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _same(value: Any) -> Any:
    return value


def to_json_text(document: dict[str, Any]) -> str:
    """A document as indented JSON text."""
    return json.dumps(document, indent=2)


def rows_as(cls: type[T], cursor: Any) -> tuple[T, ...]:
    """A cursor's rows as ``cls`` instances, built from its columns by name: the only place SQL
    column names meet result fields, so output is formatted from fields."""
    names = [c.name for c in cursor.description or ()]
    return tuple(cls(**dict(zip(names, row, strict=True))) for row in cursor.fetchall())
