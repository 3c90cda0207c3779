"""``crossdock db upgrade`` and ``crossdock db current`` against a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.store import Store, head

runner = CliRunner()


def _env(tmp_path: Path) -> dict[str, str]:
    return {"CROSSDOCK_DATA_DIR": str(tmp_path / "var"), "CROSSDOCK_DATABASE_URL": ""}


def test_upgrade_then_current(tmp_path: Path) -> None:
    env = _env(tmp_path)
    # Given an empty data folder, `current --check` says the schema is missing (exit 1)
    before = runner.invoke(app, ["db", "current", "--check"], env=env)
    assert before.exit_code == 1, before.output
    assert "empty (no schema)" in before.output
    assert not (tmp_path / "var").exists(), "looking must not create the database"
    # When the database is upgraded
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"upgraded empty -> {head()}" in upgraded.output
    # Then it is at the newest revision, and upgrading again is a no-op
    again = runner.invoke(app, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and f"already at {head()}" in again.output
    current = runner.invoke(app, ["db", "current", "--json", "--check"], env=env)
    assert current.exit_code == 0, current.output
    report = json.loads(current.output)
    assert report["current"] == report["head"] == head() and report["up_to_date"] is True
    assert report["database"].endswith("var/crossdock.db")


def test_unsupported_database_is_a_config_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={**_env(tmp_path), "CROSSDOCK_DATABASE_URL": "mysql://h/db"})
    assert result.exit_code == 2
    assert "unsupported database" in result.output


def test_unreachable_database_exits_2_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    url = f"sqlite:///{tmp_path / 'dir.db'}"
    result = runner.invoke(app, ["db", "current"], env={**_env(tmp_path), "CROSSDOCK_DATABASE_URL": url})
    assert result.exit_code == 2  # could not run
    assert "database unavailable" in result.output
    assert "Traceback" not in result.output


def test_every_db_command_has_help() -> None:
    for command in (["db"], ["db", "upgrade"], ["db", "current"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_prune_reports_counts_and_is_audited(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(app, ["db", "prune", "--older-than-days", "30", "--json", "--user", "ops"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["journal"] == 0 and report["idempotency_keys"] == 0 and "before" in report
    store = Store.from_url(f"sqlite:///{tmp_path / 'var' / 'crossdock.db'}")
    try:
        (entry,) = store.audit.entries(action="purge")
        assert entry.who == "ops"
    finally:
        store.close()


def test_prune_needs_an_age(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "prune"], env=_env(tmp_path))
    assert result.exit_code == 2
