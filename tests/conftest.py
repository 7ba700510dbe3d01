"""Shared test set-up: real PostgreSQL servers, a fresh database and fresh roles per test."""

from __future__ import annotations

pytest_plugins = ["tests.fixtures.server", "tests.fixtures.db"]
