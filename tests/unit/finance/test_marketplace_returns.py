"""Marketplace refunds and returns to return events, from fixtures written by hand from the published
formats (tests/data/returns): what comes back, the money, the RMA each channel's events share; a
refund with nothing coming back is no return; what cannot be mapped names its field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crossdock.canonical import Channel
from crossdock.canonical.finance.return_events import channel_of_rma, rma_number
from crossdock.canonical.marketplaces.returns import return_events
from crossdock.canonical.marketplaces.walmart_returns import refund_request
from crossdock.errors import MappingError

DATA = Path(__file__).parents[2] / "data" / "returns"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def test_a_shopify_refund_with_items_coming_back_authorizes_and_refunds_its_return() -> None:
    authorized, refunded = return_events("shopify", load("shopify_refund_return.json")) or []
    assert authorized.kind == "authorized" and authorized.rma_number == "SH-8119"
    ra = authorized.authorization
    assert ra is not None and ra.order_external_id == "5100000002"
    assert ra.created_at == datetime(2026, 11, 22, 15, 5, 41, tzinfo=UTC)
    # the gift wrap (no_restock) is refunded but does not come back
    assert [(line.sku, line.quantity, line.refund_amount) for line in ra.lines] == [
        ("CD-TEE-BLK-M", Decimal(2), Decimal("48.0"))
    ]
    # only the successful refund transaction is money
    assert (refunded.kind, refunded.refund_id, refunded.amount) == ("refunded", "890088186047892319", Decimal("-51.84"))


def test_the_approved_return_and_its_refund_share_the_rma() -> None:
    [approved] = return_events("shopify", load("shopify_return_approved.json")) or []
    assert approved.kind == "authorized" and approved.rma_number == "SH-8119"
    assert approved.authorization is not None
    [line] = approved.authorization.lines
    assert (line.sku, line.quantity, line.reason_code, line.reason) == (
        "CD-TEE-BLK-M", Decimal(2), "size_too_small", "runs small")  # fmt: skip


def test_a_refund_with_nothing_coming_back_is_no_return() -> None:
    assert return_events("shopify", load("shopify_refund_cancel.json")) == []


def test_a_refund_without_a_shopify_return_is_its_own_rma() -> None:
    refund = load("shopify_refund_return.json")
    refund["return"] = None
    events = return_events("shopify", refund) or []
    assert {event.rma_number for event in events} == {"SH-R890088186047892319"}


def test_a_declined_shopify_return_is_rejected() -> None:
    declined = {**load("shopify_return_approved.json"), "status": "declined",
                "decline": {"reason": "final_sale", "note": None}}  # fmt: skip
    [event] = return_events("shopify", declined) or []
    assert (event.kind, event.reason) == ("rejected", "declined in Shopify (final_sale)")


def test_walmart_return_orders_authorize_and_a_completed_refund_is_recorded() -> None:
    first, second = load("walmart_returns.json")["returnOrders"]
    [authorized] = return_events("walmart", first) or []
    assert authorized.rma_number == "WM-77310" and authorized.authorization is not None
    assert authorized.authorization.order_external_id == "1800000000000"
    [line] = authorized.authorization.lines
    assert (line.line_number, line.sku, line.quantity, line.refund_amount, line.reason_code) == (
        "1", "CD-TEE-BLK-M", Decimal(2), Decimal("48.0"), "SIZE_TOO_SMALL")  # fmt: skip
    authorized, refunded = return_events("walmart", second) or []
    assert (refunded.refund_id, refunded.amount) == ("walmart:77311", Decimal("-39.9"))


def test_a_cancelled_walmart_return_is_rejected() -> None:
    order = load("walmart_returns.json")["returnOrders"][0]
    order["returnOrderLines"][0]["status"] = "CANCELLED"
    [event] = return_events("walmart", order) or []
    assert event.kind == "rejected"


def test_the_walmart_refund_covers_what_came_back() -> None:
    order = load("walmart_returns.json")["returnOrders"][0]
    full = refund_request(order, [("CD-TEE-BLK-M", Decimal(2))])
    assert full == {"customerOrderId": "5200000000000",
                    "refundLines": [{"returnOrderLineNumber": 1, "isFullRefund": True}]}  # fmt: skip
    partial = refund_request(order, [("CD-TEE-BLK-M", Decimal(1)), ("OTHER", Decimal(1))])["refundLines"]
    assert partial == [{"returnOrderLineNumber": 1, "isFullRefund": False,
                        "refundAmount": {"currencyAmount": -24.0, "currencyUnit": "USD"}}]  # fmt: skip


def test_orders_are_no_return_documents() -> None:
    assert return_events("shopify", {"id": 1, "line_items": []}) is None
    assert return_events("amazon", {"AmazonOrderId": "1"}) is None


@pytest.mark.parametrize(
    ("channel", "document", "path"),
    [
        ("shopify", {"id": 1, "order_id": 2, "created_at": "2026-11-22T10:00:00Z",
                     "refund_line_items": [{"restock_type": "return", "quantity": 1, "line_item": {}}]},
         "refund_line_items[0].line_item.sku"),
        ("shopify", {"id": 1, "order": {"id": 2}, "created_at": "2026-11-22T10:00:00Z",
                     "return_line_items": [{"quantity": 0, "fulfillment_line_item": {"line_item": {"sku": "A"}}}]},
         "return_line_items[0].quantity"),
        ("walmart", {"returnOrderId": "9", "returnOrderDate": "yesterday", "returnOrderLines": []}, "returnOrderDate"),
    ],
)  # fmt: skip
def test_what_cannot_be_mapped_names_its_field(channel: str, document: dict[str, Any], path: str) -> None:
    with pytest.raises(MappingError) as caught:
        return_events(channel, document)
    assert path in [where for where, _ in caught.value.errors], caught.value.errors


def test_rma_numbers_name_their_channel() -> None:
    assert channel_of_rma(rma_number(Channel.WALMART, "77310")) is Channel.WALMART
    assert channel_of_rma("RMA-1") is None and channel_of_rma("SH-") is None


def test_the_amazon_returns_report_authorizes_each_rma_and_records_its_refund() -> None:
    from crossdock.canonical.marketplaces.amazon_returns import report_to_events

    with (DATA / "amazon_returns_report.tsv").open("rb") as stream:
        events = report_to_events(stream, "amazon_returns_report.tsv")
    assert [(e.rma_number, e.kind) for e in events] == [
        ("AZ-DwRKPJtxRRMA", "authorized"), ("AZ-DwRKPJtxRRMA", "refunded"),
        ("AZ-DvRKQKtxRRMA", "authorized"), ("AZ-DxRKRLtxRRMA", "rejected"),
    ]  # fmt: skip
    first = events[0].authorization
    assert first is not None and first.order_external_id == "113-4961532-0000001"
    assert [(line.sku, line.quantity, line.reason_code) for line in first.lines] == [
        ("CD-TEE-BLK-M", Decimal(2), "APPAREL_TOO_SMALL"), ("CD-MUG-4", Decimal(1), "DEFECTIVE")]  # fmt: skip
    assert first.return_tracking_number == "1Z999AA10123456784"
    assert (events[1].refund_id, events[1].amount) == ("amazon:DwRKPJtxRRMA", Decimal("-48.00"))
    second = events[2].authorization
    assert second is not None and second.created_at == datetime(2026, 11, 20, tzinfo=UTC)


def test_an_amazon_returns_report_that_cannot_be_read_names_file_line_and_column() -> None:
    import io

    from crossdock.canonical.marketplaces.amazon_returns import report_to_events

    with pytest.raises(MappingError, match="is no Amazon returns report"):
        report_to_events(io.BytesIO(b"order-id\tsku\n1\tA\n"), "x.tsv")
    bad = (DATA / "amazon_returns_report.tsv").read_bytes().replace(b"\t2\tAPPAREL", b"\ttwo\tAPPAREL")
    with pytest.raises(MappingError) as caught:
        report_to_events(io.BytesIO(bad), "r.tsv")
    assert [where for where, _ in caught.value.errors] == ["r.tsv:2: Return quantity / Refunded Amount"]
    # "NaN" parses as a Decimal: it is no quantity either (a mapping error, not a crash on the comparison)
    nan = (DATA / "amazon_returns_report.tsv").read_bytes().replace(b"\t2\tAPPAREL", b"\tNaN\tAPPAREL")
    with pytest.raises(MappingError) as caught:
        report_to_events(io.BytesIO(nan), "r.tsv")
    assert [where for where, _ in caught.value.errors] == ["r.tsv:2: Return quantity / Refunded Amount"]
