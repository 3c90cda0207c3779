"""``crossdock inventory``: configuration problems are one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from tests.conftest import ROOT


@pytest.mark.parametrize("command", [["show", "CD-TEE-BLK-M"], ["drift"], ["pull"]])
def test_without_an_inventory_section_each_command_says_so_and_exits_2(command: list[str], tmp_path: Path) -> None:
    env = {"CROSSDOCK_CONFIG_DIR": str(ROOT / "examples" / "flows"), "CROSSDOCK_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["inventory", *command], env=env)
    assert result.exit_code == 2
    assert "no inventory: section" in result.output
    assert "Traceback" not in result.output
