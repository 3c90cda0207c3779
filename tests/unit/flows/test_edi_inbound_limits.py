"""Hostile X12 in the worker's edi.inbound step: a set too deep or too large becomes an exception work
item pointing at the stored file (a person looks at it), never an exception that is retried and
dead-lettered. Handlers are called directly on a real SQLite store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.store import ItemStatus, Store
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled
from tests.unit.flows.test_handlers import ORDER_850, envelope, outbox, stored

ISA = "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261120*0930*U*00401*000000777*0*P*>"


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path) -> FlowPorts:
    return flow_ports(sqlite_store, MemoryErp(), tmp_path / "out")


def deep_856(levels: int) -> bytes:
    body = ["BSN*00*ASN-9*20261124*1200*0001", "HL*1**S", "N1*ST*ACME DC 7*92*0007"]
    for n in range(2, levels + 2):
        body += [f"HL*{n}*{n - 1}*I", f"LIN**SK*TEE-{n}", "SN1**1*EA"]
    body.append(f"CTT*{levels + 1}")
    rows = [ISA, "GS*SH*ACMERETAIL*CROSSDOCK*20261120*0930*777*X*004010", "ST*856*0001", *body,
            f"SE*{len(body) + 2}*0001", "GE*1*777", "IEA*1*000000777"]  # fmt: skip
    return ("~\n".join(rows) + "~\n").encode()


def test_a_thousand_nested_hl_levels_park_the_file_with_the_position(ports: FlowPorts, tmp_path: Path) -> None:
    # Given the adversarial 856 (1,000 levels, each under the one before) from a known partner
    payload = stored(ports.store, deep_856(1000), "deep.x12")
    # When the step runs, Then it returns normally: nothing goes on, one work item says where
    assert settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), payload)) == []
    [work] = ports.store.exceptions.items(status=ItemStatus.OPEN)
    assert "856 0001 from ACMERETAIL: mapping failed: HL02, segment" in work.error_message
    assert "deeper than 64 levels" in work.error_message
    assert work.raw_payload_id == payload.payload_id
    assert len(outbox(tmp_path, "acme-retail")) == 1  # the 997 still went back


def test_a_set_over_the_size_limit_parks_the_file_naming_the_set(ports: FlowPorts) -> None:
    small = dataclasses.replace(ports, edi_limits=(10, 64 * 1024 * 1024))
    payload = stored(small.store, ORDER_850, "big.x12")
    assert settled(small, call(small, EDI_INBOUND, envelope("inbound_payload"), payload)) == []
    [work] = small.store.exceptions.items(status=ItemStatus.OPEN)
    assert "reading stopped: transaction set 850 0001 (segment 3) is too large: more than 10 segments" in (
        work.error_message
    )
    assert work.raw_payload_id == payload.payload_id
