"""Every ERP error path against the real simulator: faults, 5xx, hangs, the circuit breaker."""

from __future__ import annotations

import time

import httpx
import pytest

from crossdock.bridges.soap import CircuitOpenError, CircuitState, ErpTimeoutError, ErpUnavailableError
from crossdock.errors import BusinessError, TransientError
from crossdock.soap import ErpBusyError
from tests.conftest import free_port
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration


def test_an_injected_business_fault_is_a_business_error(erp_sim: ErpSimServer) -> None:
    erp_sim.control("GetItem", fault_code="ITEM_BLOCKED", fault_message="Item ITEM-1 is blocked.")
    with pytest.raises(BusinessError, match="ITEM_BLOCKED: Item ITEM-1 is blocked"):
        erp_gateway(erp_sim).get_item("ITEM-1")


def test_a_record_locked_fault_is_transient(erp_sim: ErpSimServer) -> None:
    erp_sim.control("GetItem", fault_code="RECORD_LOCKED")
    with pytest.raises(ErpBusyError, match="locked by another user"):
        erp_gateway(erp_sim).get_item("ITEM-1")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_5xx_is_transient(erp_sim: ErpSimServer, status: int) -> None:
    erp_sim.control("GetItem", http_status=status)
    with pytest.raises(ErpUnavailableError, match="HTTP"):
        erp_gateway(erp_sim).get_item("ITEM-1")


def test_a_hanging_erp_times_out_as_transient(erp_sim: ErpSimServer) -> None:
    erp_sim.control("GetItem", hang=True, times=1)
    with pytest.raises(ErpTimeoutError):
        erp_gateway(erp_sim, read_timeout_s=0.5).get_item("ITEM-1")


def test_latency_under_the_timeout_still_answers(erp_sim: ErpSimServer) -> None:
    erp_sim.control("GetItem", latency_ms=200)
    assert erp_gateway(erp_sim, read_timeout_s=5.0).get_item("ITEM-1")["ItemNo"] == "ITEM-1"


def test_nothing_listening_is_transient() -> None:
    server = ErpSimServer()
    server.wsdl_url = f"http://127.0.0.1:{free_port()}/erp?wsdl"  # never started: the port is closed
    try:
        with pytest.raises(ErpUnavailableError, match="cannot connect"):
            erp_gateway(server, connect_timeout_s=1.0).get_item("ITEM-1")
    finally:
        server.stop()


def test_the_circuit_opens_after_consecutive_failures_and_probes_after_the_cooldown(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim, breaker_failures=2, breaker_cooldown_s=0.5)
    breaker = gateway.client.breaker
    # Given an ERP answering 503 to everything
    erp_sim.control("*", http_status=503)
    with pytest.raises(ErpUnavailableError):
        gateway.get_item("ITEM-1")
    # the failure that opens the circuit is raised as the open circuit, from the 503
    with pytest.raises(CircuitOpenError) as opened:
        gateway.get_item("ITEM-1")
    assert isinstance(opened.value.__cause__, ErpUnavailableError)
    # Then the circuit is open and the next call does not reach the ERP
    assert breaker.state is CircuitState.OPEN
    calls_before = erp_sim.calls().get("GetItem", 0)
    with pytest.raises(CircuitOpenError):
        gateway.get_item("ITEM-1")
    assert erp_sim.calls().get("GetItem", 0) == calls_before
    # When the cool-down passes while the ERP still fails, the one probe fails and the circuit reopens
    time.sleep(0.6)
    with pytest.raises(CircuitOpenError) as probe:
        gateway.get_item("ITEM-1")
    assert isinstance(probe.value.__cause__, ErpUnavailableError)
    assert breaker.state is CircuitState.OPEN
    # When the ERP recovers, the next probe goes through and closes the circuit
    erp_sim.reset()
    time.sleep(0.6)
    assert gateway.get_item("ITEM-1")["ItemNo"] == "ITEM-1"
    assert breaker.state is CircuitState.CLOSED


def test_business_faults_do_not_open_the_circuit(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim, breaker_failures=1)
    for _ in range(3):
        with pytest.raises(BusinessError):
            gateway.get_item("NOPE")
    assert gateway.client.breaker.state is CircuitState.CLOSED
    assert not isinstance(BusinessError("x"), TransientError)


def test_per_operation_injection_works_without_a_soapaction_header(erp_sim: ErpSimServer) -> None:
    erp_sim.control("GetItem", fault_code="RECORD_LOCKED")
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:crossdock:erp:v1">'
        "<soap:Body><e:GetItem><e:ItemNo>ITEM-1</e:ItemNo></e:GetItem></soap:Body></soap:Envelope>"
    )
    response = httpx.post(erp_sim.endpoint, content=body.encode(), headers={"Content-Type": "text/xml"}, timeout=5)
    assert response.status_code == 500 and b"RECORD_LOCKED" in response.content
    assert erp_sim.calls() == {"GetItem": 1}
