"""``invoices.to_erp``: a posted shipment billed in the ERP once per shipped order, priced from the order
as booked. Handlers called directly on SQLite with the in-memory ERP; the pure rules in
``crossdock.canonical.invoicing`` are tested on their own below."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND, INVOICES_TO_BUYER, INVOICES_TO_ERP, ORDERS_TO_ERP, SHIPMENTS_TO_ERP
from crossdock.actors.handlers import edi_inbound
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Channel, Envelope, Invoice, Order, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.invoicing import bill, invoice_reference
from crossdock.edi.validate import validate
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType, Store
from tests.conftest import ROOT
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled

AT = datetime(2026, 11, 24, 16, 40, tzinfo=UTC)


@pytest.fixture
def erp() -> MemoryErp:
    return MemoryErp()


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path, erp: MemoryErp) -> FlowPorts:
    return flow_ports(sqlite_store, erp, tmp_path / "out")


def envelope(kind: str, key: str = "k-1") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type=kind, created_at=AT)


def order(external_id: str = "PO-1") -> Order:
    return Order.model_validate({
        "channel": "edi",
        "external_id": external_id,
        "ordered_at": AT.isoformat(),
        "references": {"erp_customer_no": "C30000"},
        "lines": [
            {"line_number": "1", "sku": "CD-TEE-BLK-M", "quantity": 4, "unit_price": "10.00",
             "discounts": [{"amount": "4.00"}], "taxes": [{"amount": "2.40", "rate": "0.06"}]},
            {"line_number": "2", "sku": "CD-SOCK-6PK", "quantity": 2, "unit_price": "6.00"},
        ],
        "discounts": [{"code": "WELCOME", "amount": "1.00"}],
        "taxes": [{"kind": "shipping", "amount": "0.30"}],
        "fees": [{"kind": "edi_vas", "amount": "0.50"}],
        "totals": {"shipping": "5.00"},
    })  # fmt: skip


def shipment(lines: dict[str, int], shipment_id: str = "SHP-1", po: str = "PO-1") -> Shipment:
    shipped = ShipmentOrder(po_number=po, lines=[
        ShipmentLine(line_number=n, sku={"1": "CD-TEE-BLK-M", "2": "CD-SOCK-6PK"}[n], quantity_shipped=q)
        for n, q in lines.items()])  # fmt: skip
    return Shipment(shipment_id=shipment_id, shipped_at=AT, orders=[shipped])


def booked_and_shipped(ports: FlowPorts, lines: dict[str, int], shipment_id: str = "SHP-1") -> Shipment:
    call(ports, ORDERS_TO_ERP, envelope("order", "order-PO-1"), order())
    posted = shipment(lines, shipment_id)
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment", shipment_id), posted)
    return posted


def test_a_posted_shipment_is_billed_once_at_the_booked_prices_in_erp_items(ports: FlowPorts, erp: MemoryErp) -> None:
    # Given 2 of the 4 tees shipped
    posted = booked_and_shipped(ports, {"1": 2})
    # When the invoice step runs, and again (a redelivery)
    call(ports, INVOICES_TO_ERP, envelope("shipment"), posted)
    call(ports, INVOICES_TO_ERP, envelope("shipment"), posted)
    # Then one invoice in the ERP: half the line's discount and tax, the order's charges (first invoice)
    (number, invoice), = erp.invoices.items()
    (line,) = invoice.lines
    assert (line.sku, line.quantity, line.unit_price) == ("ITEM-1", Decimal(2), Decimal("10.00"))
    assert [d.amount for d in line.discounts] == [Decimal("2.00")]
    assert [t.amount for t in line.taxes] == [Decimal("1.20")]
    assert (invoice.shipping_charge, invoice.total) == (Decimal("5.00"), Decimal("23.50"))
    assert invoice.references == {"erp_order_no": "SO00001", "erp_customer_no": "C30000"}
    assert invoice.external_ref == "SHP-1" and invoice.invoiced_at == date(2026, 11, 24)
    # and it is linked to the shipment, the ERP order and the PO
    ref = DocRef(DocType.INVOICE, number)
    for other in (DocRef(DocType.SHIPMENT, "SHP-1"), DocRef(DocType.ERP_ORDER, "SO00001"),
                  DocRef(DocType.PURCHASE_ORDER, "PO-1")):  # fmt: skip
        assert ref in ports.store.links.neighbours(other, DocType.INVOICE)


def test_the_second_shipment_of_an_order_bills_no_order_charges_again(ports: FlowPorts, erp: MemoryErp) -> None:
    first = booked_and_shipped(ports, {"1": 2})
    call(ports, INVOICES_TO_ERP, envelope("shipment"), first)
    second = shipment({"1": 2, "2": 2}, "SHP-2")
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "SHP-2"), second)
    call(ports, INVOICES_TO_ERP, envelope("shipment", "SHP-2"), second)
    # a replay of the first still carries them (its own invoice is not "another")
    call(ports, INVOICES_TO_ERP, envelope("shipment"), first)
    billed = {i.external_ref: i for i in erp.invoices.values()}
    assert set(billed) == {"SHP-1", "SHP-2"}
    assert (billed["SHP-2"].shipping_charge, billed["SHP-2"].discounts, billed["SHP-2"].fees) == (None, [], [])
    # 2 x 10 - 2 + 1.20 + 2 x 6
    assert billed["SHP-2"].total == Decimal("31.20")
    # both invoices together bill the whole order
    assert billed["SHP-1"].total + billed["SHP-2"].total == Decimal("54.70")


def test_no_810_step_unless_the_buyer_asks_for_invoices(ports: FlowPorts) -> None:
    posted = booked_and_shipped(ports, {"1": 2})
    assert call(ports, INVOICES_TO_ERP, envelope("shipment"), posted) == []  # the PO came from no partner here


def test_a_shipment_of_an_order_never_booked_is_a_business_error(ports: FlowPorts) -> None:
    with pytest.raises(BusinessError, match="never booked"):
        call(ports, INVOICES_TO_ERP, envelope("shipment"), shipment({"1": 1}, po="PO-404"))


def test_an_order_without_a_kept_copy_and_from_no_partner_is_a_business_error_for_finance(ports: FlowPorts) -> None:
    call(ports, ORDERS_TO_ERP, envelope("order", "order-PO-1"), order())
    with ports.store.db.write() as s:  # booked before crossdock kept orders for invoicing
        s.execute(text("DELETE FROM booked_orders"))
    posted = shipment({"1": 1})
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), posted)
    with pytest.raises(BusinessError, match="no ERP customer known") as caught:
        call(ports, INVOICES_TO_ERP, envelope("shipment"), posted)
    assert caught.value.owner is Owner.FINANCE


def test_invoice_references_are_unique_and_at_most_35_characters() -> None:
    assert invoice_reference("SHP-1", "PO-1", 1) == "SHP-1"
    assert invoice_reference("SHP-1", "PO-1", 2) == "SHP-1-PO-1"
    long_a = invoice_reference("S" * 30, "PO-A", 2)
    long_b = invoice_reference("S" * 30, "PO-B", 2)
    assert len(long_a) == len(long_b) == 35 and long_a != long_b


def test_split_lines_bill_once_and_unknown_lines_are_left_for_the_erp_to_price() -> None:
    shipped = ShipmentOrder(po_number="PO-1", lines=[
        ShipmentLine(line_number="1", sku="CD-TEE-BLK-M", quantity_shipped=1),
        ShipmentLine(sku="CD-TEE-BLK-M", quantity_shipped=1),  # the same order line, found by SKU
        ShipmentLine(line_number="9", sku="CD-HOOD-GRY-L", quantity_shipped=1),
    ])  # fmt: skip
    sent = Shipment(shipment_id="SHP-9", shipped_at=AT, orders=[shipped])
    invoice = bill(sent, shipped, order(), invoiced_at=date(2026, 11, 24), first=False, references={})
    assert [(ln.line_number, ln.quantity, ln.unit_price) for ln in invoice.lines] == [
        ("1", Decimal(2), Decimal("10.00")),
        ("9", Decimal(1), None),
    ]
    assert invoice.channel is Channel.EDI and invoice.order_ref == "PO-1"


# --- the buyer's 810 ---------------------------------------------------------------------------------

ORDER_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
ADVICE_945 = (ROOT / "examples" / "945_from_3pl.x12").read_bytes()


def inbound(ports: FlowPorts, data: bytes, source: str, key: str) -> list[Outgoing]:
    """``data`` received from ``source`` and handled by ``edi.inbound`` (its deliveries done)."""
    ref = ports.store.raw.put_once(data, source=source, name=f"{key}.x12")
    payload = InboundPayload(payload_id=ref.id, source=source, name=f"{key}.x12", sha256=ref.sha256, size=ref.size)
    return settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", key), payload))


def buyer_997(group: int, status: str = "A") -> bytes:
    body = [f"AK1*IN*{group}", "AK2*810*0001", f"AK5*{status}", f"AK9*{status}*1*1*{1 if status == 'A' else 0}"]
    segments = [
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *261125*0900*U*00401*000000501*0*P*>",
        "GS*FA*ACMERETAIL*CROSSDOCK*20261125*0900*501*X*004010",
        "ST*997*0001", *body, f"SE*{len(body) + 2}*0001", "GE*1*501", "IEA*1*000000501",
    ]  # fmt: skip
    return ("~\n".join(segments) + "~\n").encode()


def invoicing_buyer(ports: FlowPorts) -> FlowPorts:
    partners = tuple(dataclasses.replace(p, invoice=True) if p.name == "acme-retail" else p for p in ports.partners)
    return dataclasses.replace(ports, partners=partners)


def test_a_buyer_asking_for_invoices_gets_an_810_that_validates_and_its_997_reconciles(
    ports: FlowPorts, tmp_path: Path
) -> None:
    ports = invoicing_buyer(ports)
    # Given the buyer's 850 booked, and the 3PL's 945 of it posted
    [to_erp] = inbound(ports, ORDER_850, "sftp:acme-retail", "k-850")
    call(ports, ORDERS_TO_ERP, envelope("order"), to_erp.document)
    [posted] = inbound(ports, ADVICE_945, "sftp:northstar-3pl", "k-945")
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "k-945"), posted.document)
    # When the shipment is invoiced
    [to_buyer] = call(ports, INVOICES_TO_ERP, envelope("shipment", "k-945"), posted.document)
    assert to_buyer.step is INVOICES_TO_BUYER and isinstance(to_buyer.document, Invoice)
    assert settled(ports, call(ports, INVOICES_TO_BUYER, envelope("invoice", "k-810"), to_buyer.document)) == []
    # Then the buyer has one 810, valid by the 810 map, billing what shipped at the PO's prices
    [invoice_file] = [p for p in (tmp_path / "out" / "acme-retail").iterdir() if "_810_" in p.name]
    data = invoice_file.read_bytes()
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert b"BIG*20261124*INV00001*" in data and b"*PO-778812~" in data
    assert b"IT1*1*24*EA*12.5**UP*012345678905*SK*CD-TEE-BLK-M*BP*AR-100023~" in data
    # And the buyer's 997 for it is linked to the invoice through the group that carried it
    group = ports.store.control_numbers.last("acme-retail", "gs")
    inbound(ports, buyer_997(group), "sftp:acme-retail", "k-997")
    linked = ports.store.links.connected(DocRef(DocType.INVOICE, "INV00001"))
    assert linked.ids(edi_inbound.ACKNOWLEDGMENT) == [f"ACMERETAIL:000000501:{group}:accepted"]
    assert ports.store.exceptions.items() == []
    # And the order book holds the invoiced quantities per line, counted once however often the step runs
    call(ports, INVOICES_TO_ERP, envelope("shipment", "k-945-again"), posted.document)
    held = ports.store.orders.get("edi", "PO-778812")
    assert held is not None
    assert {line.line_number: line.invoiced for line in held.status.lines} == {"1": 24, "2": 10, "3": 6}
    assert [t.event for t in ports.store.orders.timeline("edi", "PO-778812")].count("invoiced") == 1
