"""Fixtures for the validation tests: one map directory per test session, built under pytest's tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.edi.maps.cache import map_directory


@pytest.fixture(scope="session")
def map_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return map_directory(tmp_path_factory.mktemp("maps"))
