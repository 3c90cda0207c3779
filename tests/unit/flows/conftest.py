"""Flow unit tests: SQLite store, the in-memory StubBroker, fakes implementing the real ports."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_backend() -> str:
    return "sqlite"
