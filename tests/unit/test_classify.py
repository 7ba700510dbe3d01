"""classify.judge: a column's starting policy from its name's words, type, keys and table."""

from __future__ import annotations

import pytest

from pgaudit_kit.catalog import Column, TableModel
from pgaudit_kit.classify import about_people, is_migration_table, judge, words
from pgaudit_kit.identifiers import QualifiedName, parse_qualified_name


def guess(
    name: str,
    type_name: str = "text",
    *,
    table: str = "public.things",
    primary_key: tuple[str, ...] = (),
    foreign_keys: tuple[str, ...] = (),
) -> tuple[str, str | None]:
    column = Column(name, type_name)
    model = TableModel(
        parse_qualified_name(table),
        (column,),
        primary_key=primary_key,
        foreign_key_columns=foreign_keys,
    )
    found = judge(model, column)
    return str(found.policy), found.reason


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("billing_postal_code", ["billing", "postal", "code"]),
        ("billingPostalCode", ["billing", "postal", "code"]),
        ("SupportRepId", ["support", "rep", "id"]),
        ("HTTPStatus", ["http", "status"]),
        ("address2", ["address", "2"]),
        ("Gift Note", ["gift", "note"]),
    ],
)
def test_names_split_into_words(name: str, split: list[str]) -> None:
    assert words(name) == split


@pytest.mark.parametrize(
    ("name", "type_name", "expected"),
    [
        ("email", "text", ("hash", "name: email")),
        ("customerEmail", "character varying(60)", ("hash", "name: email")),
        ("phone_number", "text", ("hash", "name: phone")),
        ("date_of_birth", "date", ("hash", "name: birth")),
        ("birth_date", "timestamp without time zone", ("hash", "name: birth")),
        ("first_name", "text", ("hash", "name: first_name")),
        ("contact_name", "text", ("hash", "name: contact_name")),
        ("username", "text", ("hash", "name: username")),
        ("login", "citext", ("hash", "name: login")),
        ("handle", "text", ("hash", "name: handle")),
        ("client_ip", "text", ("hash", "name: ip")),
        ("device_id", "uuid", ("hash", "name: device_id")),
        ("national_id", "bigint", ("hash", "name: national_id")),
        ("iban", "text", ("hash", "name: iban")),
        ("card_number", "character(19)", ("hash", "name: card_number")),
        ("user_agent", "text", ("hash", "name: user_agent")),
        ("client", "inet", ("hash", "type: inet")),
        ("password_hash", "text", ("omit", "secret: password")),
        ("api_key", "text", ("omit", "secret: api_key")),
        ("resetToken", "uuid", ("omit", "secret: token")),
        ("avatar", "bytea", ("omit", "blob: bytea")),
        ("notes", "text", ("hash", "free text: name notes")),
        ("description", "character varying(200)", ("hash", "free text: name description")),
        ("profile", "jsonb", ("hash", "free text: jsonb")),
        ("metadata", "json", ("hash", "free text: json")),
        ("search", "tsvector", ("hash", "free text: tsvector")),
        ("status", "text", ("plain", None)),
        ("name", "text", ("plain", None)),
        ("title", "text", ("plain", None)),
        ("amount", "numeric(10,2)", ("plain", None)),
        ("filename", "text", ("plain", None)),
        ("created_at", "timestamp with time zone", ("plain", None)),
        ("pinned", "boolean", ("plain", None)),
        ("email_verified", "boolean", ("plain", None)),
        ("email_confirmed_at", "timestamp with time zone", ("plain", None)),
        ("last_login_at", "timestamp with time zone", ("plain", None)),
        ("state", "text", ("plain", None)),
        ("country", "text", ("plain", None)),
        ("company_name", "text", ("plain", None)),
        ("tags", "text[]", ("plain", None)),
    ],
)
def test_columns_are_judged_by_name_and_type(
    name: str, type_name: str, expected: tuple[str, str | None]
) -> None:
    assert guess(name, type_name) == expected


def test_integer_and_uuid_keys_are_identifiers_not_personal_data() -> None:
    assert guess("address_id", "integer", primary_key=("address_id",)) == (
        "plain",
        "identifier: primary key",
    )
    assert guess("city_id", "integer", foreign_keys=("city_id",)) == (
        "plain",
        "identifier: foreign key",
    )
    assert guess("phone_id", "bigint", foreign_keys=("phone_id",)) == (
        "plain",
        "identifier: foreign key",
    )
    assert guess("email_id", "uuid") == ("plain", "identifier: name email_id")
    assert guess("email", "text", primary_key=("email",)) == ("hash", "name: email")


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("public.customer", "name", ("hash", "name: name on the customer table")),
        ("shop.Employees", "title", ("hash", "name: title on the employee table")),
        ("public.staff", "job_title", ("hash", "name: job_title on the staff table")),
        ("public.users", "location", ("hash", "name: location on the user table")),
        ("public.people", "name", ("hash", "name: name on the person table")),
        ("public.genre", "name", ("plain", None)),
        ("public.album", "title", ("plain", None)),
        ("public.artist", "name", ("plain", None)),
        ("public.customer", "company", ("plain", None)),
    ],
)
def test_name_and_title_are_personal_only_on_tables_about_people(
    table: str, column: str, expected: tuple[str, str | None]
) -> None:
    assert guess(column, table=table) == expected


def test_a_place_lookup_table_holds_places_not_addresses() -> None:
    assert guess("city", table="public.city") == ("plain", None)
    assert guess("city", table="public.address") == ("hash", "name: city")
    assert guess("address", table="public.address") == ("hash", "name: address")


def test_tables_about_people_are_told_by_their_name() -> None:
    assert about_people(QualifiedName("crm", "customer_contacts")) == "contact"
    assert about_people(QualifiedName("public", "invoice_line")) is None


@pytest.mark.parametrize(
    "name",
    [
        "alembic_version",
        "django_migrations",
        "flyway_schema_history",
        "schema_migrations",
        "knex_migrations",
        "knex_migrations_lock",
        "__EFMigrationsHistory",
    ],
)
def test_migration_tools_tables_are_known(name: str) -> None:
    assert is_migration_table(QualifiedName("public", name))
    assert not is_migration_table(QualifiedName("public", name.upper() + "_x"))
