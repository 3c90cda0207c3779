"""``crossdock edi validate`` and ``crossdock edi ack``: exit codes, JSON shape, the 997 on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from tests.unit.edi_validate.samples import one

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_validate_exit_0_when_all_valid(tmp_path: Path) -> None:
    files = [str(_write(tmp_path, f"{s}.edi", one(s))) for s in ("850", "856")]
    result = runner.invoke(app, ["edi", "validate", *files])
    assert result.exit_code == 0, result.output
    assert "850.edi: valid" in result.output


def test_validate_exit_1_with_json_positions(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.edi", one("940"))
    bad = _write(tmp_path, "bad.edi", one("940", se_count=42))
    result = runner.invoke(app, ["edi", "validate", "--json", str(good), str(bad)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [f["status"] for f in data["files"]] == ["valid", "invalid"]
    set_dict = data["files"][1]["report"]["interchanges"][0]["groups"][0]["sets"][0]
    [error] = set_dict["errors"]
    assert (error["segment_id"], error["code"], error["level"]) == ("SE", "4", "set")
    assert error["segment_position"] == 15 and error["segment_index"] == 16


def test_validate_exit_2_when_unreadable(tmp_path: Path) -> None:
    junk = _write(tmp_path, "junk.edi", b"hello")
    good = _write(tmp_path, "good.edi", one("850"))
    result = runner.invoke(app, ["edi", "validate", "--json", str(good), str(junk), str(tmp_path / "missing.edi")])
    assert result.exit_code == 2
    assert [f["status"] for f in json.loads(result.stdout)["files"]] == ["valid", "unreadable", "unreadable"]


def test_ack_prints_a_997(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edi", "ack", str(_write(tmp_path, "in.edi", one("940")))])
    assert result.exit_code == 0
    assert "AK1*OW*77~" in result.stdout and "AK2*940*0001~" in result.stdout and "AK5*A~" in result.stdout


def test_ack_of_an_ack_prints_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edi", "ack", str(_write(tmp_path, "in.edi", one("997")))])
    assert result.exit_code == 0 and result.stdout == ""
    assert "nothing to acknowledge" in result.stderr


def test_ack_of_an_unreadable_file_exits_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edi", "ack", str(_write(tmp_path, "in.edi", b"not x12"))])
    assert result.exit_code == 2 and result.stdout == "" and "unreadable" in result.stderr


@pytest.mark.parametrize("command", ["validate", "ack"])
def test_help(command: str) -> None:
    assert runner.invoke(app, ["edi", command, "--help"]).exit_code == 0
