"""Shared test set-up: real PostgreSQL servers, a fresh database and fresh roles per test."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.fixtures.server", "tests.fixtures.db"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/*/expected.sql from what pgaudit-kit generates now.",
    )
