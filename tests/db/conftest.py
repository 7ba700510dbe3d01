"""Fixtures the database tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgaudit_kit import api


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A digest signing key pair: (private key, public key)."""
    result = api.keygen(tmp_path / "keys")
    return result.private_key, result.public_key
