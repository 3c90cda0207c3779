"""Store unit tests run on SQLite only (sockets are disabled in tests/unit)."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_backend() -> str:
    return "sqlite"
