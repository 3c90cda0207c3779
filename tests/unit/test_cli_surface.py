"""The command's surface that needs no server: ``--help`` imports nothing heavy, ``--version``, tables
that are never cut or read as markup, the bundled examples, the exit-code boundary."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from crossdock.cli.boundary import CANNOT_RUN, explain
from crossdock.cli.item_filters import StatusChoice
from crossdock.cli.output import Format, print_table
from crossdock.errors import ConfigError, TransientError
from crossdock.examples import EXAMPLES
from crossdock.store import ItemStatus

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    *("zeep", "sqlalchemy", "alembic", "paramiko", "pika", "dramatiq", "pydantic_settings", "pyx12"),
    *("crossdock.store", "crossdock.actors", "crossdock.broker", "crossdock.bridges", "crossdock.settings"),
)


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\nsys.argv = ['crossdock', '--help']\nfrom crossdock.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m.rpartition('.')[0] in {HEAVY!r}])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "Usage: crossdock" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("crossdock ")


def test_the_status_choices_are_the_stores() -> None:
    assert [s.value for s in StatusChoice] == [s.value for s in ItemStatus]


def test_the_bundled_examples_are_the_repositorys() -> None:
    for name in ("850_from_buyer.x12", "945_from_3pl.x12", "partners/acme-retail.yaml", "partners/northstar-3pl.yaml"):
        assert filecmp.cmp(EXAMPLES / name, ROOT / "examples" / name, shallow=False), name


def test_a_table_off_a_terminal_is_never_cut_nor_read_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    long = "SE01 says 12 segments, counted 13 [se01-segment-count] " + "x" * 200
    print_table(["id", "error"], [["1", long]], title="items")
    out = capsys.readouterr().out
    assert long in out  # one row, whole, markup kept as text
    print_table(["id", "error"], [["1", "a\tb [bold]c[/bold]"]], fmt=Format.TSV)
    assert capsys.readouterr().out == "id\terror\n1\ta b [bold]c[/bold]\n"


def test_the_boundary_maps_errors_to_exit_2_and_keeps_bugs() -> None:
    assert explain(ConfigError("bad")) == (CANNOT_RUN, "configuration: bad")
    assert explain(TransientError("down"))[0] == CANNOT_RUN  # type: ignore[index]
    assert explain(RecursionError())[0] == CANNOT_RUN  # type: ignore[index]
    assert explain(KeyError("bug")) is None


def test_config_check_without_config_dir_is_a_finding(tmp_path: Path) -> None:
    env = {"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_CONFIG_DIR": "", "CROSSDOCK_PARTNERS_PATH": ""}
    result = CliRunner().invoke(app, ["config", "check", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["file"] == "CROSSDOCK_CONFIG_DIR"


def test_the_example_flows_match_the_defaults_and_the_sftp_example_loads() -> None:
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.bridges.sftp import load_profile

    config = load_flow_config(ROOT / "examples" / "flows" / "flows.yaml")
    assert config.erp.endpoint == "http://127.0.0.1:8089/erp"  # where `crossdock erp-sim` listens by default
    profile = load_profile(ROOT / "examples" / "flows" / "northstar-3pl.sftp.yaml")
    assert profile.partner == "northstar-3pl" and len(profile.pinned_keys()) == 1
