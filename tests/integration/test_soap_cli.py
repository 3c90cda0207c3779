"""The SOAP commands against a running simulator: inspect a WSDL by URL, fault flags of erp-sim,
the control endpoint's validation, and secrets staying out of logs."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from crossdock.bridges.soap import ErpUnavailableError
from crossdock.cli import app
from crossdock.errors import ConfigError
from crossdock.soap import contract
from tests.fixtures.erp_sim import SECURED_USER, ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration

WSDL = Path(contract.__file__).parent / "erp.wsdl"
SHIPPED_OPERATIONS = set(re.findall(r'operation name="(\w+)"', WSDL.read_text()))
"""The operations of the WSDL crossdock ships (what the simulator serves)."""


def test_inspect_a_wsdl_url_follows_its_relative_schema_import(erp_sim: ErpSimServer) -> None:
    result = CliRunner().invoke(app, ["soap", "inspect", erp_sim.wsdl_url, "--json"])
    assert result.exit_code == 0, result.output
    (port,) = json.loads(result.output)["ports"]
    assert port["address"] == erp_sim.endpoint
    assert len(port["operations"]) == len(SHIPPED_OPERATIONS)


def test_erp_sim_fail_flags_inject_from_the_start() -> None:
    server = ErpSimServer("--fail", "GetItem=503", "--fail", "CancelSalesOrder=RECORD_LOCKED").start()
    try:
        assert server.wsdl_url.startswith("http://127.0.0.1:") and server.wsdl_url.endswith("/erp?wsdl")
        gateway = erp_gateway(server)
        with pytest.raises(ErpUnavailableError):
            gateway.get_item("ITEM-1")
        assert gateway.get_inventory_levels(["ITEM-3"])[0]["ItemNo"] == "ITEM-3"
    finally:
        server.stop()


def test_the_control_endpoint_rejects_unknown_behaviours(erp_sim: ErpSimServer) -> None:
    response = httpx.post(f"{erp_sim.base_url}/control", json={"operation": "GetItem", "explode": True}, timeout=5)
    assert response.status_code == 400 and "explode" in response.json()["error"]
    response = httpx.post(f"{erp_sim.base_url}/control", json={"http_status": 200}, timeout=5)
    assert response.status_code == 400


def test_passwords_never_reach_the_logs(erp_sim_secured: ErpSimServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = erp_gateway(
        erp_sim_secured,
        username=SECURED_USER,
        password="hunter2-wrong",
        basic_username="gateway",
        basic_password="basic-hunter2",
    )
    with pytest.raises(ConfigError):
        gateway.get_item("ITEM-1")
    assert caplog.records, "debug logging produced nothing: the test would prove nothing"
    assert "hunter2" not in caplog.text
