from __future__ import annotations

import pytest

from pgaudit_kit.errors import IdentifierError
from pgaudit_kit.identifiers import (
    QualifiedName,
    derived_name,
    parse_identifier,
    parse_qualified_name,
    quote,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("public.customers", QualifiedName("public", "customers")),
        ("Public.Customers", QualifiedName("public", "customers")),
        ('"Sales Co"."Order Lines"', QualifiedName("Sales Co", "Order Lines")),
        ('public."a""b"', QualifiedName("public", 'a"b')),
        ("public.order", QualifiedName("public", "order")),
        ("app.ÉTÉ", QualifiedName("app", "ÉtÉ")),
        ("x.y$z", QualifiedName("x", "y$z")),
    ],
)
def test_parses_qualified_names_like_postgresql(text: str, expected: QualifiedName) -> None:
    assert parse_qualified_name(text) == expected


def test_unquoted_names_fold_only_ascii_letters() -> None:
    assert parse_qualified_name("S.ÉTÉ").name == "ÉtÉ"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("customers", "must be schema-qualified"),
        ("public.", "ends with a dot"),
        ("a.b.c", "is not a table name"),
        ("public.t; drop table x", "not a valid identifier"),
        ('"unterminated', "unbalanced quotes"),
        ("public.cust omers", "not a valid identifier"),
        ("1abc.x", "not a valid identifier"),
        ('public.""', "is empty"),
        ("", "is empty"),
        ("public." + "x" * 64, "longer than 63 bytes"),
        ('public."a$pgaudit$b"', "contains '$pgaudit$'"),
    ],
)
def test_rejects_malformed_table_names_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message.replace("$", r"\$")):
        parse_qualified_name(text)


def test_role_names_are_single_identifiers() -> None:
    assert parse_identifier("App") == "app"
    assert parse_identifier('"App"') == "App"
    with pytest.raises(IdentifierError, match="single identifier"):
        parse_identifier("a.b", what="role name")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("customers", "customers"),
        ("Order Lines", '"Order Lines"'),
        ("select", '"select"'),
        ('a"b', '"a""b"'),
        ("x1_$", "x1_$"),
        ("1x", '"1x"'),
    ],
)
def test_quote_shows_names_as_sql_would_need_them(name: str, shown: str) -> None:
    assert quote(name) == shown


def test_derived_names_fit_63_bytes_and_never_collide() -> None:
    long = QualifiedName("s" * 63, "t" * 63)
    assert len(derived_name("capture", long, "truncate").encode()) <= 63
    folded_alike = {
        derived_name("capture", QualifiedName("a_b", "c")),
        derived_name("capture", QualifiedName("a", "b_c")),
        derived_name("capture", QualifiedName("A B", "c")),
    }
    assert len(folded_alike) == 3


def test_derived_names_are_deterministic_plain_ascii() -> None:
    name = derived_name("capture", QualifiedName("Sales Co", "Order Lines"), "row")
    assert name == derived_name("capture", QualifiedName("Sales Co", "Order Lines"), "row")
    assert name.startswith("capture_sales_co_order_lines_") and name.endswith("_row")
    assert quote(name) == name
