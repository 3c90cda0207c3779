"""``crossdock console`` as a command: a bad config file is one line and exit 2, never a traceback;
``--hash-password`` prints an argon2id hash that the config accepts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.console.config import load_console_config


def test_a_missing_or_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_CONSOLE_SECRET": "k" * 40}
    result = CliRunner().invoke(app, ["console", "--config", str(tmp_path / "missing.yaml")], env=env)
    assert result.exit_code == 2 and "console config" in result.output and "Traceback" not in result.output
    bad = tmp_path / "console.yaml"
    bad.write_text("users: [{name: ana, role: root, password_hash: '$argon2id$x'}]\n")
    result = CliRunner().invoke(app, ["console", "--config", str(bad)], env=env)
    assert result.exit_code == 2 and "users.0.role" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_hash_password_prints_a_hash_the_config_accepts(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["console", "--hash-password"], input="pass phrase\npass phrase\n")
    assert result.exit_code == 0, result.output
    digest = result.output.strip().splitlines()[-1]
    assert digest.startswith("$argon2id$") and "pass phrase" not in digest
    path = tmp_path / "console.yaml"
    path.write_text(f"users: [{{name: ana, role: viewer, password_hash: '{digest}'}}]\n")
    config = load_console_config(path, {"CROSSDOCK_CONSOLE_SECRET": "k" * 40})
    assert config.authenticate("ana", "pass phrase") is not None
