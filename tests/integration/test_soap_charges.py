"""Taxes, discounts, shipping charges and channel fees of a canonical order reach the ERP (gateway →
hardened zeep → the simulator over HTTP), and an ERP profile whose mapping predates them still books.

What the ERP stored is read back from the simulator's SQLite file, not from the gateway's answer."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import yaml

from crossdock.bridges.soap import ErpClient, ErpConnection, ErpGateway, build_breaker, build_erp_client
from crossdock.canonical import Order
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import Owner
from crossdock.soap import ErpRefusedError, contract, load_mapping
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration

CHARGE_TARGETS = ("Discounts.Discount", "Taxes.Tax")
HEADER_CHARGES = ("SalesOrder.Discounts.Discount", "SalesOrder.ShippingCharge", "SalesOrder.Taxes.Tax",
                  "SalesOrder.ChannelFees.Fee")  # fmt: skip


@pytest.fixture(scope="module")
def erp_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ErpSimServer]:
    server = ErpSimServer(database=tmp_path_factory.mktemp("erp-charges") / "erp.db").start()
    try:
        yield server
    finally:
        server.stop()


def _gateway(server: ErpSimServer, edit: Any = None) -> ErpGateway:
    """A gateway whose mapping is the packaged one, edited by ``edit(raw_yaml_dict)`` when given."""
    raw = yaml.safe_load(contract.read(contract.MAPPING_NAME))
    if edit is not None:
        edit(raw["operations"]["create_sales_order"]["request"])
    settings = ErpConnection(endpoint=server.endpoint, read_timeout_s=5.0)
    _, service = build_erp_client(settings)
    mapping = load_mapping(yaml.safe_dump(raw).encode(), "test mapping")
    return ErpGateway(ErpClient(service, mapping, build_breaker(settings)))


def _order(**extra: Any) -> Order:
    return Order.model_validate({
        "channel": "shopify",
        "external_id": f"SHOP-{uuid.uuid4().hex[:10]}",
        "ordered_at": "2026-11-20T14:30:00+00:00",
        "references": {"erp_customer_no": "C10000"},
        "lines": [
            {"line_number": "1", "sku": "ITEM-1", "quantity": 2, "unit_price": "89.00",
             "discounts": [{"code": "TENOFF", "amount": "10.00"}],
             "taxes": [{"kind": "State Tax", "amount": "10.08", "rate": "0.06", "jurisdiction": "KY"}]},
            {"line_number": "2", "sku": "ITEM-2", "quantity": 1, "unit_price": "24.50",
             "taxes": [{"amount": "1.47", "rate": "0.06"}]},
        ],
        "discounts": [{"code": "WELCOME", "amount": "5.00"}],
        "taxes": [{"kind": "shipping", "amount": "0.30"}],
        "fees": [{"kind": "commission", "amount": "4.90"}],
        "totals": {"shipping": "5.00", "total": "204.35"},
        **extra,
    })  # fmt: skip


def _stored(server: ErpSimServer, document_no: str) -> tuple[Decimal, list[tuple[Any, ...]]]:
    assert server.database is not None
    with sqlite3.connect(server.database) as db:
        (amount,) = db.execute("SELECT amount FROM sales_order WHERE document_no = ?", (document_no,)).fetchone()
        charges = db.execute(
            "SELECT line_no, kind, code, amount FROM document_charge WHERE document_no = ? ORDER BY rowid",
            (document_no,),
        ).fetchall()
    return Decimal(amount), [tuple(row) for row in charges]


def test_line_and_order_charges_reach_the_erp_and_make_its_amount(erp_file: ErpSimServer) -> None:
    # 178 - 10 + 10.08 + 24.50 + 1.47 - 5 + 5 shipping + 0.30 shipping tax = 204.35; the fee is the seller's
    ref = erp_gateway(erp_file).create_sales_order(_order())
    amount, charges = _stored(erp_file, ref.document_no)
    assert amount == Decimal("204.35")
    assert charges == [
        (1, "discount", "TENOFF", "10.00"),
        (1, "tax", "State Tax", "10.08"),
        (2, "tax", "sales", "1.47"),
        (None, "discount", "WELCOME", "5.00"),
        (None, "shipping", None, "5.00"),
        (None, "tax", "shipping", "0.30"),
        (None, "fee", "commission", "4.90"),
    ]


def test_a_cancelled_line_takes_its_tax_and_discount_with_it(erp_file: ErpSimServer) -> None:
    gateway = erp_gateway(erp_file)
    order = _order()
    ref = gateway.create_sales_order(order)
    cancelled = order.lines[0].model_copy(update={"quantity": Decimal(0)})
    change = order.model_copy(update={"purpose": OrderPurpose.CHANGE, "line_changes_only": True, "lines": [cancelled]})
    # 204.35 less line 1 (178 - 10 + 10.08)
    assert gateway.change_sales_order(ref.document_no, change).amount == Decimal("26.27")
    assert _stored(erp_file, ref.document_no)[0] == Decimal("26.27")


def test_a_mapping_written_before_charges_existed_still_books(erp_file: ErpSimServer) -> None:
    def drop_charges(request: dict[str, Any]) -> None:
        for target in HEADER_CHARGES:
            del request[target]
        for target in CHARGE_TARGETS:
            del request["SalesOrder.SalesLines.SalesLine"]["fields"][target]

    ref = _gateway(erp_file, drop_charges).create_sales_order(_order())
    amount, charges = _stored(erp_file, ref.document_no)
    assert (amount, charges) == (Decimal("202.50"), [])  # lines only: 2 x 89.00 + 24.50


def test_a_stated_total_that_does_not_add_up_is_refused_for_finance(erp_file: ErpSimServer) -> None:
    def send_total(request: dict[str, Any]) -> None:
        request["SalesOrder.TotalAmount"] = {"source": "totals.total", "format": "decimal"}

    gateway = _gateway(erp_file, send_total)
    assert gateway.create_sales_order(_order()).created
    wrong = _order(totals={"shipping": "5.00", "total": "194.27"})  # the line tax left out
    with pytest.raises(ErpRefusedError, match=r"total 194\.27 does not match the document's amount 204\.35") as c:
        gateway.create_sales_order(wrong)
    assert c.value.owner is Owner.FINANCE
    assert gateway.find_sales_order(wrong) is None
