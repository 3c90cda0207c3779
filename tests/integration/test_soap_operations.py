"""Every ERP operation end to end: crossdock's gateway → hardened zeep → the ERP simulator over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import Order, Shipment
from crossdock.errors import BusinessError, MappingError, Owner
from crossdock.soap import ErpRefusedError
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration


def make_order(external_id: str | None = None, sku: str = "ITEM-1", customer: str = "C10000") -> Order:
    return Order.model_validate(
        {
            "channel": "shopify",
            "external_id": external_id or f"SHOP-{uuid.uuid4().hex[:12]}",
            "ordered_at": "2026-11-20T14:30:00+00:00",
            "references": {"erp_customer_no": customer},
            "shipping_method": {"carrier": "ups", "service_level": "ground"},
            "parties": [
                {
                    "role": "ship_to",
                    "name": "Ann Example",
                    "address": {
                        "lines": ["12 Main St", "Apt 4"],
                        "city": "Austin",
                        "region": "TX",
                        "postal_code": "78701",
                        "country": "US",
                    },
                }
            ],
            "lines": [
                {"line_number": "1", "sku": sku, "quantity": 2, "unit_price": "89.00"},
                {"line_number": "2", "sku": "ITEM-2", "quantity": 1},
            ],
        }
    )


def test_create_sales_order_returns_a_new_document_number(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    ref = gateway.create_sales_order(make_order())
    assert ref.created is True
    assert ref.document_no.startswith("SO-") and len(ref.document_no) == 9
    assert ref.status == "Open"


def test_a_retried_create_finds_the_first_order_and_creates_nothing(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    order = make_order()
    # Given an order already created once
    first = gateway.create_sales_order(order)
    # When the same order is sent again (a redelivered message), through a brand-new client
    second = erp_gateway(erp_sim).create_sales_order(order)
    # Then it is the same ERP document, and only one CreateSalesOrder reached the ERP
    assert (second.document_no, second.created) == (first.document_no, False)
    assert erp_sim.calls().get("CreateSalesOrder") == 1


def test_the_erp_itself_refuses_a_second_order_with_the_same_external_document_no(erp_sim: ErpSimServer) -> None:
    # The gateway relies on this rule when two creates race past the lookup (unit-tested in test_gateway).
    gateway = erp_gateway(erp_sim)
    order = make_order()
    first = gateway.create_sales_order(order)
    with pytest.raises(ErpRefusedError) as caught:
        gateway.client.call("create_sales_order", order)
    assert caught.value.fault.error_code == "DUPLICATE_EXTERNAL_DOCUMENT_NO"
    assert first.document_no in caught.value.fault.message


def test_unknown_item_is_a_business_error_with_the_erps_message(erp_sim: ErpSimServer) -> None:
    with pytest.raises(BusinessError) as caught:
        erp_gateway(erp_sim).create_sales_order(make_order(sku="ITEM-9"))
    assert "Item ITEM-9 does not exist" in str(caught.value)
    assert "SalesOrder.SalesLines.SalesLine[1].ItemNo" in str(caught.value)
    assert caught.value.owner is Owner.WAREHOUSE


def test_blocked_customer_is_a_business_error(erp_sim: ErpSimServer) -> None:
    with pytest.raises(BusinessError, match="Customer C90000 is blocked"):
        erp_gateway(erp_sim).create_sales_order(make_order(customer="C90000"))


def test_an_order_missing_what_the_mapping_requires_never_reaches_the_erp(erp_sim: ErpSimServer) -> None:
    order = make_order().model_copy(update={"references": {}})
    with pytest.raises(MappingError, match=r"SalesOrder\.CustomerNo"):
        erp_gateway(erp_sim).create_sales_order(order)
    assert "CreateSalesOrder" not in erp_sim.calls()


def test_cancel_then_cancelled_order_cannot_ship(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    ref = gateway.create_sales_order(make_order())
    assert gateway.cancel_sales_order(ref.document_no, "CUSTREQ") == "Cancelled"
    assert gateway.find_sales_order(make_order(ref.document_no)) is None  # looked up by external ref, not doc no
    with pytest.raises(BusinessError, match="does not exist"):
        gateway.cancel_sales_order("SO-999999")


def _shipment(document_no: str, quantity: int = 2) -> Shipment:
    return Shipment.model_validate(
        {
            "shipment_id": f"SHP-{uuid.uuid4().hex[:8]}",
            "shipped_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC).isoformat(),
            "carrier_scac": "upsn",
            "tracking_numbers": ["1Z999AA10123456784"],
            "references": {"erp_order_no": document_no},
            "orders": [{"lines": [{"line_number": "1", "sku": "ITEM-1", "quantity_shipped": quantity}]}],
        }
    )


def test_post_shipment_takes_stock_out_of_inventory(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    before = {(lv["ItemNo"], lv["LocationCode"]): lv for lv in gateway.get_inventory_levels(["ITEM-1"], "MAIN")}
    ref = gateway.create_sales_order(make_order())
    shipment_no = gateway.post_shipment(_shipment(ref.document_no))
    assert shipment_no.startswith("SHIP-")
    after = {(lv["ItemNo"], lv["LocationCode"]): lv for lv in gateway.get_inventory_levels(["ITEM-1"], "MAIN")}
    assert after["ITEM-1", "MAIN"]["Inventory"] == before["ITEM-1", "MAIN"]["Inventory"] - 2


def test_shipping_more_than_ordered_is_refused(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    ref = gateway.create_sales_order(make_order())
    with pytest.raises(BusinessError, match="exceeds the outstanding quantity") as caught:
        gateway.post_shipment(_shipment(ref.document_no, quantity=5))
    assert caught.value.owner is Owner.WAREHOUSE


def test_invoice_and_credit_memo(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    invoice = gateway.create_invoice(
        {
            "customer_no": "C10000",
            "posting_date": "2026-11-21",
            "external_document_no": "INV-EXT-1",
            "lines": [{"item_no": "ITEM-2", "quantity": 2, "unit_price": "24.50"}],
        }
    )
    assert invoice["document_no"].startswith("INV-") and invoice["amount"] == Decimal("49.00")
    memo = gateway.create_credit_memo(
        {
            "customer_no": "C10000",
            "posting_date": "2026-11-22",
            "applies_to_doc_no": invoice["document_no"],
            "reason_code": "RETURN",
            "lines": [{"item_no": "ITEM-2", "quantity": 1}],
        }
    )
    assert memo["document_no"].startswith("CM-") and memo["amount"] == Decimal("24.50")
    with pytest.raises(BusinessError, match="Posted Invoice INV-999999 does not exist") as caught:
        gateway.create_credit_memo(
            {
                "customer_no": "C10000",
                "posting_date": "2026-11-22",
                "applies_to_doc_no": "INV-999999",
                "lines": [{"item_no": "ITEM-2", "quantity": 1}],
            }
        )
    assert caught.value.owner is Owner.FINANCE



def test_return_authorization_is_made_once_per_external_reference(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    request = {
        "external_document_no": f"RMA-shopify-{uuid.uuid4().hex[:8]}",
        "customer_no": "C10000",
        "return_date": "2026-11-22",
        "order_external_document_no": "5100000002",
        "reason_code": "RETURN",
        "lines": [{"item_no": "ITEM-2", "quantity": 2}],
    }
    first = gateway.create_return_authorization(request)
    assert first["document_no"].startswith("RMA-") and first["amount"] == Decimal("49.00")
    # a retried request (a crash after the call, a redelivery) answers with the same document
    assert gateway.create_return_authorization(request)["document_no"] == first["document_no"]
    other = gateway.create_return_authorization({**request, "external_document_no": "RMA-shopify-other"})
    assert other["document_no"] != first["document_no"]
    with pytest.raises(BusinessError, match=r"Item ITEM-404 does not exist.*Lines\.Line\[1\]\.ItemNo"):
        gateway.create_return_authorization(
            {**request, "external_document_no": "RMA-x", "lines": [{"item_no": "ITEM-404", "quantity": 1}]}
        )

def test_journal_entry_must_balance(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    lines = [
        {"account_no": "6100", "debit": "12.30", "description": "Marketplace fee"},
        {"account_no": "1100", "credit": "12.30"},
    ]
    posted = gateway.post_journal_entry({"posting_date": "2026-11-21", "lines": lines})
    assert posted["document_no"].startswith("JE-") and posted["transaction_no"] > 0
    lines[1] = {"account_no": "1100", "credit": "12.00"}
    with pytest.raises(BusinessError, match=r"out of balance by 0\.30") as caught:
        gateway.post_journal_entry({"posting_date": "2026-11-21", "lines": lines})
    assert caught.value.owner is Owner.FINANCE


def test_get_item_and_inventory_levels(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    item = gateway.get_item("ITEM-1")
    assert (item["ItemNo"], item["Description"], item["Blocked"]) == ("ITEM-1", "Oak Side Table", False)
    levels = gateway.get_inventory_levels(["ITEM-1", "ITEM-5"])
    found = {(lv["ItemNo"], lv["LocationCode"]) for lv in levels}
    assert found == {("ITEM-1", "MAIN"), ("ITEM-1", "EAST"), ("ITEM-5", "WEST")}
    with pytest.raises(BusinessError, match="Item NOPE does not exist"):
        gateway.get_item("NOPE")


def test_inventory_levels_come_back_canonical(erp_sim: ErpSimServer) -> None:
    levels = erp_gateway(erp_sim).inventory_levels(["ITEM-5"])
    (level,) = levels
    assert (level.sku, level.location, level.on_hand) == ("ITEM-5", "WEST", Decimal(60))
    assert level.available <= level.on_hand and level.as_of.tzinfo is not None


def test_a_retried_shipment_or_invoice_posts_once(erp_sim: ErpSimServer) -> None:
    gateway = erp_gateway(erp_sim)
    ref = gateway.create_sales_order(make_order())
    on_hand = {lv["LocationCode"]: lv["Inventory"] for lv in gateway.get_inventory_levels(["ITEM-1"])}["MAIN"]
    shipment = _shipment(ref.document_no)
    first = gateway.post_shipment(shipment)
    assert gateway.post_shipment(shipment) == first  # same ExternalDocumentNo: the same posted shipment
    after = {lv["LocationCode"]: lv["Inventory"] for lv in gateway.get_inventory_levels(["ITEM-1"])}["MAIN"]
    assert after == on_hand - 2
    invoice = {
        "customer_no": "C10000",
        "posting_date": "2026-11-21",
        "external_document_no": f"INV-{ref.document_no}",
        "lines": [{"item_no": "ITEM-1", "quantity": 2}],
    }
    assert gateway.create_invoice(invoice) == gateway.create_invoice(invoice)
