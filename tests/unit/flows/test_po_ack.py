"""Buyer PO changes (860 in) and acknowledgments (855 out), handlers called directly: SQLite store, an
in-memory ERP, real folder outbound."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND, ORDERS_AMEND, ORDERS_TO_BUYER, ORDERS_TO_ERP
from crossdock.actors.handlers import po_ack
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Order, OrderPurpose
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.validate import validate
from crossdock.store import DocRef, DocType, ItemStatus, Store
from crossdock.store.sla import DEFAULT, Overdue, overdue_documents
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled
from tests.unit.flows.test_handlers import ORDER_850, envelope, outbox, stored


@pytest.fixture
def erp() -> MemoryErp:
    return MemoryErp()


@pytest.fixture
def ports(sqlite_store: Store, erp: MemoryErp, tmp_path: Path) -> FlowPorts:
    plain = flow_ports(sqlite_store, erp, tmp_path / "out")
    asking = tuple(dataclasses.replace(p, ack_855=p.name == "acme-retail") for p in plain.partners)
    return dataclasses.replace(plain, partners=asking)


def change_860(control: str, body: list[str]) -> bytes:
    segments = [
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261122*1000*U*00401*"
        f"{control:>09}*0*P*>",
        f"GS*PC*ACMERETAIL*CROSSDOCK*20261122*1000*{int(control)}*X*004010",
        "ST*860*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        f"GE*1*{int(control)}",
        f"IEA*1*{control:>09}",
    ]
    return ("~\n".join(segments) + "~\n").encode()


QUANTITY_DOWN = ["BCH*04*SA*PO-778812**1*20261120", "DTM*097*20261122*1000", "POC*1*QD*12*12*EA***SK*CD-TEE-BLK-M"]
LINE_DROPPED = ["BCH*04*SA*PO-778812**2*20261120", "DTM*097*20261123*0800", "POC*2*DI**0*EA***SK*CD-HOOD-GRY-L"]


def book(ports: FlowPorts) -> list[Outgoing]:
    [order] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), stored(ports.store, ORDER_850)))
    assert isinstance(order.document, Order)
    return call(ports, ORDERS_TO_ERP, envelope("order", order.idempotency_key), order.document)


def waiting(ports: FlowPorts) -> list[Overdue]:
    """The 855s without the buyer's 997 two days from now."""
    later = datetime.now(UTC) + timedelta(days=2)
    return overdue_documents(ports.store, DEFAULT, now=later, kinds=["855-997"])


def acknowledgments(tmp_path: Path) -> list[Path]:
    return [p for p in outbox(tmp_path, "acme-retail") if "_855_" in p.name]


def test_a_booked_po_gets_its_buyer_one_855_that_validates(ports: FlowPorts, tmp_path: Path) -> None:
    # Given the buyer's 850 booked in the ERP, for a buyer whose profile asks for 855s
    sent = book(ports)
    [ack_step] = [out for out in sent if out.step == po_ack.STEP]
    assert isinstance(ack_step.document, Order)

    # When the acknowledgment step runs (and runs again: a redelivery, a reprocessed file with another key)
    run = envelope("order", ack_step.idempotency_key)
    assert settled(ports, call(ports, ORDERS_TO_BUYER, run, ack_step.document)) == []
    assert call(ports, ORDERS_TO_BUYER, envelope("order", "another-key"), ack_step.document) == []

    # Then the buyer has one 855, valid by our map, accepting every line with the ERP's order number
    [ack_file] = acknowledgments(tmp_path)
    data = ack_file.read_bytes()
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    (ts,) = read_transaction_sets(data)
    bak = ts.segments[0].elements
    assert bak[:4] == ["BAK", "00", "AD", "PO-778812"] and bak[8] == "SO00001"
    assert [seg.elements[1] for seg in ts.segments if seg.id == "ACK"] == ["IA", "IA", "IA"]
    # its group is linked to the PO, and waits for the buyer's 997 like a 940 or an 856
    linked = ports.store.links.neighbours(DocRef(DocType.PURCHASE_ORDER, "PO-778812"))
    assert DocRef(po_ack.PO_ACKNOWLEDGMENT, "acme-retail:PO-778812") in linked
    [group] = [ref for ref in linked if ref.doc_type == DocType.GROUP]
    [overdue] = waiting(ports)
    assert (overdue.party, overdue.waiting.subject, overdue.waiting.key) == ("acme-retail", group, "PO-778812")


def test_the_buyers_997_for_the_855_reconciles(ports: FlowPorts, tmp_path: Path) -> None:
    sent = book(ports)
    [ack_step] = [out for out in sent if out.step == po_ack.STEP]
    settled(ports, call(ports, ORDERS_TO_BUYER, envelope("order", ack_step.idempotency_key), ack_step.document))
    (ts,) = read_transaction_sets(acknowledgments(tmp_path)[0].read_bytes())
    group = ts.gs[6]
    body = [f"AK1*PR*{group}", "AK2*855*0001", "AK5*A", "AK9*A*1*1*1"]
    reply = [
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261121*0900*U*00401*000000601*0*P*>",
        "GS*FA*ACMERETAIL*CROSSDOCK*20261121*0900*601*X*004010", "ST*997*0001", *body, f"SE*{len(body) + 2}*0001",
        "GE*1*601", "IEA*1*000000601"]  # fmt: skip
    data = ("~\n".join(reply) + "~\n").encode()
    settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-997"), stored(ports.store, data, "997.x12")))
    assert ports.store.exceptions.items(status=ItemStatus.OPEN) == []
    [answer] = ports.store.links.neighbours(DocRef(DocType.GROUP, f"acme-retail:{group}"), DocType.ACKNOWLEDGMENT)
    assert answer.doc_id.endswith(f":{group}:accepted")
    assert waiting(ports) == []


def test_no_855_unless_the_buyer_asks_and_none_for_amendments(ports: FlowPorts, tmp_path: Path) -> None:
    quiet = dataclasses.replace(ports, partners=tuple(dataclasses.replace(p, ack_855=False) for p in ports.partners))
    assert [out.step for out in book(quiet) if out.step == po_ack.STEP] == []
    [order] = [out.document for out in book(ports) if out.step == po_ack.STEP]
    assert isinstance(order, Order)
    change = order.model_copy(update={"purpose": OrderPurpose.CHANGE})
    assert call(ports, ORDERS_TO_BUYER, envelope("order"), change) == []
    assert call(quiet, ORDERS_TO_BUYER, envelope("order"), order) == []
    marketplace = order.model_copy(update={"channel": "shopify", "external_id": "5100000001"})
    assert call(ports, ORDERS_TO_BUYER, envelope("order"), marketplace) == []
    assert acknowledgments(tmp_path) == []


def test_an_860_is_acknowledged_by_997_and_goes_on_as_a_change_of_its_lines(ports: FlowPorts, tmp_path: Path) -> None:
    # Given the buyer's PO, then two changes of it over 860
    book(ports)
    first = stored(ports.store, change_860("601", QUANTITY_DOWN), "860-a.x12")
    second = stored(ports.store, change_860("602", LINE_DROPPED), "860-b.x12")

    # When edi.inbound reads them
    [a] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-a"), first))
    [b] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-b"), second))

    # Then each is an Order amendment of the PO's changed lines, sent on with a key of its own
    for out, (number, quantity) in ((a, ("1", Decimal(12))), (b, ("2", Decimal(0)))):
        assert out.step == ORDERS_AMEND  # the lifecycle's amend route
        assert isinstance(out.document, Order)
        assert out.document.purpose is OrderPurpose.CHANGE and out.document.line_changes_only
        assert [(line.line_number, line.quantity) for line in out.document.lines] == [(number, quantity)]
        assert out.document.references["erp_customer_no"] == "C30000"
    assert a.idempotency_key != b.idempotency_key
    # and each 860 got its 997
    acks = [p.read_bytes() for p in outbox(tmp_path, "acme-retail") if "_997_" in p.name]
    assert sum(b"AK2*860*0001" in data and b"AK5*A" in data for data in acks) == 2
    assert DocRef(DocType.INTERCHANGE, "ACMERETAIL:000000601") in ports.store.links.neighbours(
        DocRef(DocType.PURCHASE_ORDER, "PO-778812"))  # fmt: skip


def test_an_860_that_cannot_be_applied_is_rejected_and_parked_with_its_file(ports: FlowPorts) -> None:
    bad = stored(ports.store, change_860("604", ["BCH*04*SA*PO-778812**3*20261120", "POC*1*RS*9*9*EA***SK*A"]))
    outgoing = call(ports, EDI_INBOUND, envelope("inbound_payload", "k-bad"), bad)
    assert [out.step.name for out in outgoing] == ["outbox.deliver"]  # its 997 only
    [item] = ports.store.exceptions.items(status=ItemStatus.OPEN)
    assert item.raw_payload_id == bad.payload_id and "POC[1]/POC02" in item.error_message
