"""A starting policy for each column, and why: what ``init`` writes and ``check`` expects.

A column is judged by the words of its name (``snake_case``, ``camelCase`` and spaces split), its
type, its constraints and its table, in this order:

0. a VIRTUAL generated column (PostgreSQL 18) is ``omit``: computed on read, capture cannot see
   it, and the columns it is computed from are judged on their own;
1. secrets (``password``, ``token``, ``api_key``...) and blobs (``bytea``) are ``omit``: even a
   keyed hash of a password is linkable;
2. identifiers of a person (``ssn``, ``national_id``, ``device_id``, ``iban``, card numbers...)
   are ``hash`` whatever their type or key;
3. integer and uuid primary keys, foreign keys and ``*_id`` columns are identifiers of rows, not
   personal data: ``plain``, and ``check`` never flags them;
4. names that say personal data anywhere (``email``, ``phone``, ``birth_date``, ``address``,
   ``first_name``, ``username``, ``login``, ``handle``, ``ip``, ``user_agent``...) are ``hash``;
   so are ``name``, ``title`` and a few others on a table about people (``customer``,
   ``employee``, ``user``, ``patient``...), and network addresses by type (``inet``...);
5. free text (``notes``, ``comment``, ``description``, ``bio``... as text, and any json, jsonb,
   xml or tsvector) is ``hash``: free text may hold personal data;
6. anything else is ``plain``, with no reason.

Nothing here reads a database: the table model (``catalog`` or ``ddl``) says which columns are
keys. ``tests/classification_truth.toml`` holds hand labels of real schemas, and a test reports
precision and recall against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import Column, TableModel
from .identifiers import QualifiedName
from .policies import HASH, OMIT, PLAIN, Policy

#: Tables that migration tools own: never audited by default (init leaves them out, check does
#: not require them). Names are exact, as the tools create them.
MIGRATION_TABLES = frozenset(
    {
        "alembic_version",
        "django_migrations",
        "flyway_schema_history",
        "schema_migrations",
        "knex_migrations",
        "knex_migrations_lock",
        "__EFMigrationsHistory",
        "_prisma_migrations",
        "goose_db_version",
        "databasechangelog",
        "databasechangeloglock",
        "SequelizeMeta",
    }
)

_SECRETS = frozenset(
    "password passwd pwd passphrase secret token apikey salt cvv cvc pin otp totp".split()
)
_SECRET_PAIRS = (("api", "key"), ("private", "key"), ("secret", "key"), ("access", "key"))
# Values that identify one person, whatever the column's type or keys.
_PERSON_IDS = frozenset("ssn nino passport iban imei msisdn".split())
_PERSON_ID_PAIRS = (
    ("national", "id"),
    ("tax", "id"),
    ("tax", "number"),
    ("social", "security"),
    ("device", "id"),
    ("driver", "license"),
    ("drivers", "license"),
    ("driving", "licence"),
    ("license", "number"),
    ("account", "number"),
    ("card", "number"),
    ("card", "no"),
    ("credit", "card"),
    ("cc", "number"),
    ("mac", "address"),
)
# Words that say personal data on any table.
_PERSONAL = frozenset(
    """
    email emails mail phone phones mobile cellphone telephone fax birth birthday birthdate dob
    address addresses street city zip zipcode postal postcode surname firstname lastname
    fullname username usernames login handle ip ipv4 ipv6 geo latitude longitude lat lng
    gender sex ethnicity race religion nationality salary income marital diagnosis
    """.split()
)
_PERSONAL_PAIRS = (("user", "agent"), ("remote", "addr"), ("date", "of", "birth"))
_BIRTH = frozenset("birth birthday birthdate dob".split())
_LOGIN_NAMES = frozenset("username usernames login handle".split())
# "<qualifier> name" is a person's name anywhere ("first_name", "customer_name").
_NAME_QUALIFIERS = frozenset(
    """
    first last full given family middle maiden sur nick user display legal real birth contact
    screen
    """.split()
)
# On a table about people, these words are personal too ("name" of a customer, "title" of an
# employee); on a lookup table ("genre", "language") they are not.
_PEOPLE_TABLE_WORDS = frozenset("name title location age photo avatar picture".split())
_PEOPLE = frozenset(
    """
    customer client user account member person people employee staff worker patient contact
    author actor student pupil teacher guest subscriber applicant candidate driver passenger
    visitor volunteer donor resident citizen voter tenant beneficiary recipient profile
    """.split()
)
# Place lookup tables: city.city is a list of cities, not where someone lives.
_PLACES = frozenset("city country state region district province".split())
_FREE_TEXT = frozenset(
    """
    note notes comment comments description descriptions remark remarks bio biography about
    message messages body content details feedback memo summary profile metadata
    """.split()
)
_FREE_TEXT_TYPES = ("json", "jsonb", "xml", "tsvector", "hstore")
_TEXT_TYPES = ("text", "character varying", "character", "varchar", "bpchar", "citext")
_KEY_TYPES = frozenset({"smallint", "integer", "bigint", "uuid"})
_NETWORK_TYPES = frozenset({"inet", "cidr", "macaddr", "macaddr8"})
_BLOB_TYPES = frozenset({"bytea"})


@dataclass(frozen=True)
class Guess:
    """A policy for a column and why: ``basis`` (name, type, free text, secret, blob,
    identifier) and ``detail`` (the word or type that decided). No basis: nothing suggests
    personal data."""

    policy: Policy
    basis: str | None = None
    detail: str = ""

    @property
    def reason(self) -> str | None:
        """The short form init writes as a TOML comment, e.g. ``name: email``."""
        if self.basis is None:
            return None
        return f"{self.basis}: {self.detail}" if self.detail else self.basis

    @property
    def concern(self) -> str | None:
        """What check says of the column when it is stored plain (None: nothing)."""
        if self.policy == PLAIN or self.basis is None:
            return None
        if self.basis == "free text":
            return f"free text may hold personal data ({self.detail})"
        if self.basis == "secret":
            return f"its name suggests a secret ({self.detail})"
        if self.basis == "blob":
            return f"its type is a blob ({self.detail})"
        return f"its {self.basis} suggests personal data ({self.detail})"


def words(name: str) -> list[str]:
    """The words of a name: ``billingPostalCode`` and ``billing_postal_code`` both give
    ``["billing", "postal", "code"]``; digits end a word (``address2`` -> ``address``, ``2``)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return re.findall(r"[a-z]+|[0-9]+", spaced.lower())


def _singular(word: str) -> str:
    if word == "people":
        return "person"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def is_migration_table(name: QualifiedName) -> bool:
    """Whether a migration tool owns the table (see :data:`MIGRATION_TABLES`)."""
    return name.name in MIGRATION_TABLES


def about_people(table: QualifiedName) -> str | None:
    """The word that makes a table one about people (``customers`` -> ``customer``), if any."""
    found = [_singular(w) for w in words(table.name)]
    return next((w for w in reversed(found) if w in _PEOPLE), None)


def _pair(found: list[str], pairs: tuple[tuple[str, ...], ...]) -> str | None:
    for pair in pairs:
        n = len(pair)
        if any(tuple(found[i : i + n]) == pair for i in range(len(found) - n + 1)):
            return "_".join(pair)
    return None


def _base_type(type_name: str) -> str:
    """``character varying(60)`` -> ``character varying``; arrays keep their ``[]``."""
    return re.sub(r"\([^)]*\)", "", type_name).strip()


def judge(table: TableModel, column: Column) -> Guess:
    """The starting policy for ``column`` of ``table``, and why (see the module docstring)."""
    if column.generated == "v":
        return Guess(OMIT, "virtual", "generated column, computed on read")
    found = words(column.name)
    base = _base_type(column.type)
    secret = next((w for w in found if w in _SECRETS), None) or _pair(found, _SECRET_PAIRS)
    if secret:
        return Guess(OMIT, "secret", secret)
    if base in _BLOB_TYPES:
        return Guess(OMIT, "blob", base)
    person_id = next((w for w in found if w in _PERSON_IDS), None) or _pair(found, _PERSON_ID_PAIRS)
    if person_id:
        return Guess(HASH, "name", person_id)
    if base in _KEY_TYPES:
        if column.name in table.primary_key:
            return Guess(PLAIN, "identifier", "primary key")
        if column.name in table.foreign_key_columns:
            return Guess(PLAIN, "identifier", "foreign key")
        if found and found[-1] in ("id", "uuid"):
            return Guess(PLAIN, "identifier", f"name {column.name}")
    personal = _personal_word(table, found, base)
    if personal:
        return Guess(HASH, "name", personal)
    people = about_people(table.name)
    if people and _about_the_person(found, people):
        return Guess(HASH, "name", f"{column.name} on the {people} table")
    if base in _NETWORK_TYPES:
        return Guess(HASH, "type", base)
    if base in _FREE_TEXT_TYPES or base.removesuffix("[]") in _FREE_TEXT_TYPES:
        return Guess(HASH, "free text", base)
    text_type = base.removesuffix("[]").startswith(_TEXT_TYPES)
    free = next((w for w in found if w in _FREE_TEXT), None)
    if text_type and free:
        return Guess(HASH, "free text", f"name {free}")
    return Guess(PLAIN)


def _personal_word(table: TableModel, found: list[str], base: str) -> str | None:
    """The word (or words) of a name that say personal data, given the column's type: a flag
    (``email_verified boolean``) or a time (``last_login_at``) is about the data, not it."""
    if base == "boolean":
        return None
    temporal = base.startswith(("timestamp", "date", "time", "interval"))
    text = base.removesuffix("[]").startswith(_TEXT_TYPES)
    place = about_place(table, found)
    for word in found:
        if word not in _PERSONAL or word == place:
            continue
        if temporal and word not in _BIRTH:
            continue
        if word in _LOGIN_NAMES and not text:
            continue
        return word
    pair = _pair(found, _PERSONAL_PAIRS)
    if pair and not (temporal and pair != "date_of_birth"):
        return pair
    named = len(found) >= 2 and found[-1] == "name" and not temporal
    if named and (found[-2] in _NAME_QUALIFIERS or _singular(found[-2]) in _PEOPLE):
        return "_".join(found[-2:])
    return None


def _about_the_person(found: list[str], people: str) -> bool:
    """``name``, ``title``... of a table about people (``customer.name``, ``staff.job_title``)."""
    if not found or found[-1] not in _PEOPLE_TABLE_WORDS or len(found) > 2:
        return False
    return len(found) == 1 or found[0] in (people, "full", "display", "job")


def about_place(table: TableModel, found: list[str]) -> str | None:
    """The place word a lookup table of places is named for, when the column repeats it
    (``city.city``, ``countries.country``)."""
    table_words = {_singular(w) for w in words(table.name.name)}
    return next((w for w in found if w in _PLACES and w in table_words), None)
