"""Invoicing a shipped order through the gateway (hardened zeep → the ERP simulator over HTTP): priced
from the booked order by crossdock's invoicing rules, posted once however often it is sent, refused when
it bills more than shipped. What the ERP stored is read back from the simulator's SQLite file."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import yaml

from crossdock.bridges.soap import ErpClient, ErpConnection, ErpGateway, build_breaker, build_erp_client
from crossdock.canonical import Order, Shipment
from crossdock.canonical.invoicing import bill
from crossdock.errors import BusinessError, Owner
from crossdock.soap import contract, load_mapping
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def erp_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ErpSimServer]:
    server = ErpSimServer(database=tmp_path_factory.mktemp("erp-invoices") / "erp.db").start()
    try:
        yield server
    finally:
        server.stop()


def _order() -> Order:
    return Order.model_validate({
        "channel": "edi",
        "external_id": f"PO-{uuid.uuid4().hex[:10]}",
        "ordered_at": "2026-11-20T14:30:00+00:00",
        "references": {"erp_customer_no": "C30000"},
        "lines": [
            {"line_number": "1", "sku": "ITEM-1", "quantity": 4, "unit_price": "89.00",
             "discounts": [{"code": "VOL", "amount": "20.00"}],
             "taxes": [{"kind": "sales", "amount": "20.00", "rate": "0.0625"}]},
            {"line_number": "2", "sku": "ITEM-2", "quantity": 2, "unit_price": "24.50"},
        ],
        "discounts": [{"code": "WELCOME", "amount": "5.00"}],
        "totals": {"shipping": "12.00"},
    })  # fmt: skip


def _shipment(document_no: str, lines: list[tuple[str, str, int]]) -> Shipment:
    return Shipment.model_validate({
        "shipment_id": f"SHP-{uuid.uuid4().hex[:8]}",
        "shipped_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC).isoformat(),
        "references": {"erp_order_no": document_no},
        "orders": [{"lines": [{"line_number": n, "sku": sku, "quantity_shipped": q} for n, sku, q in lines]}],
    })  # fmt: skip


def _booked_and_shipped(gateway: ErpGateway, lines: list[tuple[str, str, int]]) -> tuple[Order, Shipment, str]:
    order = _order()
    document_no = gateway.create_sales_order(order).document_no
    shipment = _shipment(document_no, lines)
    gateway.post_shipment(shipment)
    return order, shipment, document_no


def _invoice(order: Order, shipment: Shipment, document_no: str, *, first: bool = True) -> Any:
    references = {"erp_order_no": document_no, "erp_customer_no": "C30000"}
    shipped = shipment.orders[0].model_copy(update={"po_number": order.external_id})
    return bill(shipment, shipped, order, invoiced_at=date(2026, 11, 21), first=first, references=references)


def _status(server: ErpSimServer, document_no: str) -> str:
    assert server.database is not None
    with sqlite3.connect(server.database) as db:
        (status,) = db.execute("SELECT status FROM sales_order WHERE document_no = ?", (document_no,)).fetchone()
    return str(status)


def test_a_shipped_order_is_invoiced_once_at_the_amount_crossdock_computes(erp_file: ErpSimServer) -> None:
    gateway = erp_gateway(erp_file)
    # Given 2 of 4 ITEM-1 shipped
    order, shipment, document_no = _booked_and_shipped(gateway, [("1", "ITEM-1", 2)])
    invoice = _invoice(order, shipment, document_no)
    # 2 x 89 - 10 (half the line discount) + 10 (half the tax) - 5 + 12 (order discount and shipping, first invoice)
    assert invoice.total == Decimal("185.00")
    before = erp_file.calls().get("CreateInvoice", 0)
    # When it is invoiced, then again through a brand-new client (a redelivered message)
    first = gateway.invoice_shipment(invoice)
    again = erp_gateway(erp_file).invoice_shipment(invoice)
    # Then one invoice, at that amount, and the ERP was asked to post once
    assert first.created and (again.document_no, again.created) == (first.document_no, False)
    assert first.amount == again.amount == Decimal("185.00")
    assert erp_file.calls().get("CreateInvoice", 0) - before == 1
    assert _status(erp_file, document_no) == "Shipped"


def test_billing_more_than_shipped_is_refused_for_finance(erp_file: ErpSimServer) -> None:
    gateway = erp_gateway(erp_file)
    order, shipment, document_no = _booked_and_shipped(gateway, [("1", "ITEM-1", 2)])
    gateway.invoice_shipment(_invoice(order, shipment, document_no))
    # the same shipment billed again under another reference: nothing shipped is left to invoice
    other = _invoice(order, shipment, document_no).model_copy(update={"external_ref": f"X-{shipment.shipment_id}"})
    with pytest.raises(BusinessError, match="no quantity shipped and not yet invoiced") as caught:
        gateway.invoice_shipment(other)
    assert caught.value.owner is Owner.FINANCE


def test_an_order_invoiced_as_far_as_ordered_is_invoiced(erp_file: ErpSimServer) -> None:
    gateway = erp_gateway(erp_file)
    order, shipment, document_no = _booked_and_shipped(gateway, [("1", "ITEM-1", 4), ("2", "ITEM-2", 2)])
    posted = gateway.invoice_shipment(_invoice(order, shipment, document_no))
    # 4 x 89 - 20 + 20 + 2 x 24.50 - 5 + 12
    assert posted.amount == Decimal("412.00")
    assert _status(erp_file, document_no) == "Invoiced"


def test_without_the_lookup_in_the_mapping_the_erp_still_posts_once(erp_file: ErpSimServer) -> None:
    raw = yaml.safe_load(contract.read(contract.MAPPING_NAME))
    del raw["operations"]["get_invoice_by_external_ref"]  # an ERP profile written before the lookup
    settings = ErpConnection(endpoint=erp_file.endpoint, read_timeout_s=5.0)
    _, service = build_erp_client(settings)
    gateway = ErpGateway(ErpClient(service, load_mapping(yaml.safe_dump(raw).encode()), build_breaker(settings)))
    order, shipment, document_no = _booked_and_shipped(gateway, [("1", "ITEM-1", 1)])
    invoice = _invoice(order, shipment, document_no)
    first, second = gateway.invoice_shipment(invoice), gateway.invoice_shipment(invoice)
    assert first.document_no == second.document_no and first.amount == second.amount
