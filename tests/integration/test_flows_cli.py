"""``crossdock demo``: exit codes and the JSON summary (the ERP simulator listens on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.cli import app

pytestmark = pytest.mark.integration


def test_flows_demo_json_exits_0_with_the_trace(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--walkthrough", "--json", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] is True and summary["order"] == "PO-778812"
    actors = [h["actor"] for h in summary["trace"] if h["actor"] != "outbox.deliver"]
    assert actors[:3] == ["edi.inbound", "orders.to_erp", "orders.to_warehouse"]


def test_flows_demo_runs_again_on_the_same_workdir(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    for _ in range(2):
        result = CliRunner().invoke(app, ["demo", "--walkthrough", "--json", "--workdir", str(work)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["erp_calls"]["CreateSalesOrder"] == 1


def test_flows_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a demo workdir" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_flows_demo_without_examples_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--walkthrough", "--examples", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "cannot run the flow demo" in result.output
