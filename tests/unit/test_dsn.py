from __future__ import annotations

import pytest

from pgaudit_kit import db
from pgaudit_kit.errors import DsnError


def test_dsn_option_wins_over_the_environment() -> None:
    env = {"PGAUDIT_DSN": "dbname=a", "DATABASE_URL": "postgresql:///b"}
    assert db.resolve_dsn("dbname=c", env) == "dbname=c"
    assert db.resolve_dsn(None, env) == "dbname=a"
    assert db.resolve_dsn(None, {"DATABASE_URL": "postgresql:///b"}) == "postgresql:///b"
    assert db.resolve_dsn(None, {}) == ""


def test_sqlalchemy_style_urls_are_accepted() -> None:
    assert db.resolve_dsn("postgresql+psycopg://u@h/d", {}) == "postgresql://u@h/d"
    assert db.resolve_dsn(None, {"DATABASE_URL": "postgres+psycopg2://u@h/d"}) == "postgres://u@h/d"


def test_an_unparseable_dsn_is_an_input_error_naming_its_source() -> None:
    with pytest.raises(DsnError) as caught:
        db.resolve_dsn(None, {"PGAUDIT_DSN": "host=x port"})
    assert str(caught.value).startswith("PGAUDIT_DSN: invalid connection string:")
    assert "(use postgresql://user@host:5432/dbname" in str(caught.value)


def test_describe_never_shows_the_password() -> None:
    shown = db.describe("postgresql://alice:hunter2@db.example:6543/shop")
    assert shown == "alice@db.example:6543/shop"
    assert "hunter2" not in shown
