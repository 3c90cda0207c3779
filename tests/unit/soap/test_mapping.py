"""Pure mapping: canonical documents → nested request dicts, by dotted paths from configuration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crossdock.canonical import Order
from crossdock.errors import MappingError, Owner
from crossdock.soap import build_request, default_mapping, load_mapping, read_items, read_response

ORDER = Order.model_validate(
    {
        "channel": "amazon",
        "external_id": "114-3941689-8772232",
        "ordered_at": "2026-11-20T23:30:00-05:00",
        "requested_delivery_date": "2026-11-25",
        "references": {"erp_customer_no": "C20000"},
        "shipping_method": {"carrier": "ups", "service_level": "2day"},
        "parties": [
            {"role": "bill_to", "name": "Billing Person", "address": {"lines": ["1 Bill St"], "city": "Reno"}},
            {
                "role": "ship_to",
                "name": "Ann Example",
                "address": {"lines": ["12 Main St", "Apt 4"], "city": "Austin", "region": "TX", "country": "US"},
            },
        ],
        "lines": [
            {"line_number": "A1", "sku": "ITEM-1", "quantity": 2, "unit_price": "89.00"},
            {"line_number": "A2", "sku": "ITEM-2", "quantity": "1.5", "unit_of_measure": "PCS"},
        ],
    }
)


def test_the_default_mapping_builds_a_nested_create_sales_order_request() -> None:
    request = build_request(default_mapping().operation("create_sales_order"), ORDER)
    order = request["SalesOrder"]
    assert order["ExternalDocumentNo"] == "114-3941689-8772232"
    assert order["CustomerNo"] == "C20000"
    assert order["OrderDate"] == "2026-11-20"  # the date as the channel stated it, not shifted to UTC
    assert order["RequestedDeliveryDate"] == "2026-11-25"
    assert (order["ShippingAgentCode"], order["ShippingAgentServiceCode"]) == ("UPS", "2DAY")
    assert order["ShipToAddress"] == {
        "Name": "Ann Example",
        "Address": "12 Main St",
        "Address2": "Apt 4",
        "City": "Austin",
        "County": "TX",
        "CountryRegionCode": "US",
    }
    lines = order["SalesLines"]["SalesLine"]
    assert [line["LineNo"] for line in lines] == [1, 2]
    assert lines[1] == {"LineNo": 2, "ItemNo": "ITEM-2", "Quantity": Decimal("1.5"), "UnitOfMeasureCode": "PCS"}
    assert lines[0]["UnitPrice"] == Decimal("89.00")


def test_every_missing_required_field_is_named_at_once() -> None:
    order = ORDER.model_copy(update={"references": {}, "ordered_at": None})
    with pytest.raises(MappingError) as caught:
        build_request(default_mapping().operation("create_sales_order"), order, key=order.external_id)
    where = [location for location, _ in caught.value.errors]
    assert where == ["SalesOrder.CustomerNo", "SalesOrder.OrderDate"]
    assert caught.value.key == order.external_id and caught.value.owner is Owner.INTEGRATION


MAPPING = b"""
name: other-erp
operations:
  create_sales_order:
    operation: SalesOrderCreate
    document: order
    request:
      Order.Header.Channel: {const: WEB}
      Order.Header.Priority: {source: order_type, default: NORMAL}
      Order.Header.Ref: {source: external_id, format: upper}
      Order.Items.Item:
        source: lines
        fields:
          Pos: {source: $index, format: str}
          Sku: sku
          OrderRef: $root.external_id
      Order.Notes.Note: notes
    response:
      number: Result.OrderNumber
"""


def test_a_user_mapping_fills_constants_defaults_root_paths_and_scalar_lists() -> None:
    op = load_mapping(MAPPING).operation("create_sales_order")
    order = ORDER.model_copy(update={"notes": ["gift", "leave at door"]})
    request = build_request(op, order)
    header = request["Order"]["Header"]
    assert header == {"Channel": "WEB", "Priority": "NORMAL", "Ref": "114-3941689-8772232"}
    assert request["Order"]["Items"]["Item"][1] == {"Pos": "2", "Sku": "ITEM-2", "OrderRef": "114-3941689-8772232"}
    assert request["Order"]["Notes"]["Note"] == ["gift", "leave at door"]


def test_plain_mappings_work_as_sources_too() -> None:
    op = default_mapping().operation("post_journal_entry")
    request = build_request(op, {"posting_date": "2026-11-21T10:00:00", "lines": [{"account_no": "1100", "debit": 5}]})
    assert request == {
        "JournalEntry": {"PostingDate": "2026-11-21", "Lines": {"Line": [{"AccountNo": "1100", "DebitAmount": 5}]}}
    }


def test_a_value_that_cannot_be_formatted_is_a_mapping_error_naming_the_field() -> None:
    op = default_mapping().operation("create_invoice")
    source = {"customer_no": "C1", "posting_date": "not a date", "lines": [{"item_no": "I", "quantity": "x"}]}
    with pytest.raises(MappingError) as caught:
        build_request(op, source)
    assert [where for where, _ in caught.value.errors] == ["Invoice.PostingDate", "Invoice.Lines.Line[1].Quantity"]
    assert caught.value.owner is Owner.FINANCE


def test_read_response_picks_nested_values_and_tolerates_absence() -> None:
    op = default_mapping().operation("get_sales_order_by_external_ref")
    found = read_response(op, {"Found": True, "SalesOrder": {"DocumentNo": "SO-001001", "Status": "Open"}})
    assert found == {"found": True, "document_no": "SO-001001", "status": "Open"}
    assert read_response(op, {"Found": False}) == {"found": False, "document_no": None, "status": None}


def test_response_items_read_a_repeated_element_into_logical_fields() -> None:
    op = default_mapping().operation("get_inventory_levels")
    response = {
        "InventoryLevel": [
            {
                "ItemNo": "ITEM-1",
                "LocationCode": "MAIN",
                "Inventory": Decimal(5),
                "QtyOnSalesOrder": Decimal(1),
                "Available": Decimal(4),
            },
        ]
    }
    assert read_items(op, response) == [
        {"sku": "ITEM-1", "location": "MAIN", "on_hand": Decimal(5), "allocated": Decimal(1), "available": Decimal(4)}
    ]
    assert read_items(op, {"InventoryLevel": None}) == []
    assert read_items(default_mapping().operation("get_item"), {"Item": {}}) == []


def test_an_orders_taxes_discounts_shipping_and_fees_reach_the_request_and_empty_ones_leave_no_element() -> None:
    order = Order.model_validate({
        "channel": "shopify", "external_id": "1001", "ordered_at": "2026-11-20T10:00:00Z",
        "references": {"erp_customer_no": "C10000"},
        "lines": [
            {"line_number": "1", "sku": "ITEM-1", "quantity": 2, "unit_price": "10",
             "discounts": [{"code": "TEN", "amount": "2"}],
             "taxes": [{"kind": "State Tax", "amount": "1.08", "rate": "0.06"}]},
            {"line_number": "2", "sku": "ITEM-2", "quantity": 1},
        ],
        "discounts": [{"amount": "1"}], "taxes": [{"kind": "shipping", "amount": "0.3"}],
        "fees": [{"kind": "commission", "amount": "1.5"}], "totals": {"shipping": "5"},
    })  # fmt: skip
    request = build_request(default_mapping().operation("create_sales_order"), order)["SalesOrder"]
    first, second = request["SalesLines"]["SalesLine"]
    assert first["Discounts"] == {"Discount": [{"Code": "TEN", "Amount": Decimal(2)}]}
    assert first["Taxes"] == {"Tax": [{"TaxType": "State Tax", "Rate": Decimal("0.06"), "Amount": Decimal("1.08")}]}
    assert "Discounts" not in second and "Taxes" not in second
    assert (request["Discounts"], request["ShippingCharge"]) == ({"Discount": [{"Amount": Decimal(1)}]}, Decimal(5))
    assert request["Taxes"] == {"Tax": [{"TaxType": "shipping", "Amount": Decimal("0.3")}]}
    assert request["ChannelFees"] == {"Fee": [{"FeeType": "commission", "Amount": Decimal("1.5")}]}
    assert "TotalAmount" not in request  # the packaged mapping does not state the channel's total
