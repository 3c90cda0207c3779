"""Fixtures for the validation tests: one map directory and validator per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.edi.maps.cache import map_directory
from crossdock.edi.validate import X12Validator


@pytest.fixture(scope="session")
def map_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return map_directory(tmp_path_factory.mktemp("maps"))


@pytest.fixture(scope="session")
def validator(map_dir: Path) -> X12Validator:
    return X12Validator(map_dir=map_dir)
