"""Returns on PostgreSQL against the ERP simulator: events out of order and delivered twice give one
credit memo and one inventory adjustment; a receipt before its authorization is a finance item until
the authorization arrives; an authorized return makes its refund expected in the settlement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.handlers.returns import ReturnContext, credit_memo_reference, handle_return_event
from crossdock.actors.handlers.settlements import import_settlement
from crossdock.canonical import Channel, ReturnAuthorization, ReturnLine
from crossdock.canonical.finance import FinanceConfig, OrderRecord
from crossdock.canonical.finance.returns_flow import Authorized, Disposition, Received, ReceivedLine, Refunded
from crossdock.store import DocRef, DocType, ItemFilter, ItemStatus, Store
from crossdock.store.returns_book import ReturnsBook
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration

DATA = Path(__file__).parents[1] / "data" / "settlements"
CONTEXT = ReturnContext(customer_no="C10000", item_map={"CD-TEE-BLK-M": "ITEM-1"}, posting_date=date(2026, 11, 21))
RA = ReturnAuthorization(
    rma_number="RMA-7", channel=Channel.SHOPIFY, order_external_id="5100000002",
    created_at=datetime(2026, 11, 16, tzinfo=UTC),
    lines=[ReturnLine(line_number="1", sku="CD-TEE-BLK-M", quantity=Decimal(2), refund_amount=Decimal("10.00"))],
)  # fmt: skip
RECEIPT = Received("RMA-7", (ReceivedLine("CD-TEE-BLK-M", Decimal(1), Disposition.RESTOCK),
                             ReceivedLine("CD-TEE-BLK-M", Decimal(1), Disposition.DAMAGED)))  # fmt: skip


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def erp_db(tmp_path: Path) -> Iterator[tuple[ErpSimServer, Path]]:
    path = tmp_path / "erp.db"
    server = ErpSimServer(database=path).start()
    try:
        yield server, path
    finally:
        server.stop()


def credit_memos(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        query = "SELECT document_no, external_document_no FROM posted_document WHERE kind = 'credit_memo'"
        return list(db.execute(query))


def test_out_of_order_and_repeated_events_credit_once(store: Store, erp_db: tuple[ErpSimServer, Path]) -> None:
    server, erp_path = erp_db
    erp = erp_gateway(server)
    # Given the warehouse's receipt arrives before the authorization, the refund in between
    state = handle_return_event(store, erp, RECEIPT, channel="shopify", context=CONTEXT)
    assert state.status == "received_awaiting_authorization"
    [item] = store.exceptions.find(ItemFilter(business_key="return:shopify:RMA-7"))
    assert item.code == "RETURN_RECEIPT_WITHOUT_AUTHORIZATION" and item.owner.value == "finance"
    handle_return_event(store, erp, Refunded("RMA-7", "R-1", Decimal("-10.00")), channel="shopify", context=CONTEXT)
    # When the authorization arrives, and every event is delivered again
    state = handle_return_event(store, erp, Authorized(RA), channel="shopify", context=CONTEXT)
    for event in (RECEIPT, Authorized(RA), Refunded("RMA-7", "R-1", Decimal("-10.00"))):
        state = handle_return_event(store, erp, event, channel="shopify", context=CONTEXT)
    # Then one credit memo, one set of inventory adjustments, the item resolved by the compensation
    assert state.status == "credited" and state.refunded == Decimal("-10.00")
    assert credit_memos(erp_path) == [(state.credit_memo_no, credit_memo_reference("shopify", "RMA-7"))]
    with store.db.read() as s:
        assert ReturnsBook.adjustments(s, "return:shopify:RMA-7") == [
            ("CD-TEE-BLK-M", "available", Decimal("1.00")), ("CD-TEE-BLK-M", "damaged", Decimal("1.00")),
        ]  # fmt: skip
    assert store.exceptions.get(item.id).status is ItemStatus.RESOLVED
    assert (
        DocRef(DocType.RETURN, "RMA-7")
        in store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, "5100000002")).documents
    )


def test_a_refund_with_a_return_is_expected_in_the_settlement(store: Store, erp_db: tuple[ErpSimServer, Path]) -> None:
    server, _ = erp_db
    for order_id in ("5100000001", "5100000002"):
        store.links.link(
            DocRef(DocType.MARKETPLACE_ORDER, order_id), DocRef(DocType.CHANNEL_ORDER, f"shopify:{order_id}")
        )
        store.settlements.record_order(OrderRecord("shopify", order_id, "USD", Decimal("50.00"), tax=Decimal("5.00")))
    handle_return_event(store, erp_gateway(server), Authorized(RA), channel="shopify", context=CONTEXT)
    with (DATA / "shopify_payout.json").open("rb") as stream:
        result = import_settlement(
            store, stream, source="shopify_payout.json", channel="shopify", config=FinanceConfig()
        )
    assert result.unmatched_orders == 0 and result.differences == 2
    messages = {i.error_message for i in store.exceptions.find(ItemFilter(code="SETTLEMENT_DIFFERENCE"))}
    second = next(m for m in messages if "order 5100000002" in m)
    assert "fee rate" in second and "refund" not in second  # the refund had a return: expected
    first = next(m for m in messages if "order 5100000001" in m)
    assert "chargeback (-6.32)" in first
