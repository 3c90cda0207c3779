"""``crossdock db upgrade`` / ``crossdock db current`` as a user runs them: ``python -m crossdock`` in a
subprocess against a fresh PostgreSQL database (the SQLite path is covered in tests/unit/store)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crossdock.store import head

pytestmark = pytest.mark.integration


def _crossdock(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url}
    env.pop("CROSSDOCK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "crossdock", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_db_upgrade_and_current(db_url: str, tmp_path: Path) -> None:
    upgraded = _crossdock("db", "upgrade", url=db_url, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded empty -> {head()}" in upgraded.stdout
    after = _crossdock("db", "current", "--json", "--check", url=db_url, cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    report = json.loads(after.stdout)
    assert report["current"] == head() and report["up_to_date"]
    assert report["database"].startswith("postgresql+psycopg://")
