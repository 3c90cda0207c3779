"""The ``returns.apply`` step as the worker runs it (an encoded message, decoded and handled), on a real
SQLite store with a fake ERP that implements the port's credit memo (and dedupes as the ERP does)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import pytest

from crossdock.actors.flows import flow_steps
from crossdock.actors.handlers import returns
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import run_step
from crossdock.bridges.soap import ErpPort
from crossdock.broker import codec
from crossdock.canonical import Channel, ReturnAuthorization, ReturnLine
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.errors import ConfigError
from crossdock.store import Store


class CreditMemoErp:
    """The finance half of the ERP port: a credit memo per external document number."""

    def __init__(self) -> None:
        self.memos: dict[str, dict[str, Any]] = {}

    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]:
        key = str(credit_memo["external_document_no"])
        if key not in self.memos:
            self.memos[key] = {"document_no": f"CM-{len(self.memos) + 1:06d}", "request": dict(credit_memo)}
        return {"document_no": self.memos[key]["document_no"]}


RA = ReturnAuthorization(
    rma_number="RMA-3",
    channel=Channel.SHOPIFY,
    order_external_id="5100000002",
    created_at=datetime(2026, 11, 16, tzinfo=UTC),
    lines=[ReturnLine(line_number="1", sku="CD-TEE-BLK-M", quantity=Decimal(1))],
)
EVENTS = [
    {"kind": "received", "lines": [{"sku": "CD-TEE-BLK-M", "quantity": "1", "disposition": "restock"}]},
    {"kind": "refunded", "refund_id": "R-1", "amount": "-24.00"},
    {"kind": "authorized", "authorization": RA.model_dump(mode="json")},
]


def ports(store: Store, erp: CreditMemoErp, customers: dict[str, str]) -> FlowPorts:
    return FlowPorts(store=store, erp=cast(ErpPort, erp), partners=(), warehouse_partner="northstar-3pl",
                     item_map={"CD-TEE-BLK-M": "ITEM-1"}, channel_customers=customers)  # fmt: skip


def message(event: dict[str, Any]) -> str:
    document = ReturnEventDocument.model_validate({"channel": "shopify", "rma_number": "RMA-3", **event})
    envelope = Envelope(idempotency_key=f"RMA-3:{event['kind']}", source="test", document_type="return_event")
    return codec.encode(envelope, document)


def test_return_events_on_the_returns_lane_credit_once(sqlite_store: Store) -> None:
    erp = CreditMemoErp()
    [step] = [s for s in flow_steps(ports(sqlite_store, erp, {"shopify": "C10000"})) if s.name == returns.STEP]
    assert step.lane.value == "returns"
    for event in [*EVENTS, *EVENTS]:  # out of order, and each delivered twice
        run_step(step, message(event), lambda *_: None)
    [memo] = erp.memos.values()
    assert memo["request"]["customer_no"] == "C10000"
    assert memo["request"]["lines"] == [{"item_no": "ITEM-1", "quantity": Decimal(1)}]


def test_a_channel_without_an_erp_customer_is_a_configuration_error(sqlite_store: Store) -> None:
    step = returns.apply_step
    document = codec.decode(message(EVENTS[0])).document
    with pytest.raises(ConfigError, match=r"channel_customers\.shopify"):
        step(ports(sqlite_store, CreditMemoErp(), {}), Envelope(idempotency_key="k", source="t", document_type="x"),
             document)  # fmt: skip


def test_an_incomplete_event_is_refused() -> None:
    with pytest.raises(ValueError, match="'refunded' return event needs refund_id and amount"):
        ReturnEventDocument.model_validate({"channel": "shopify", "rma_number": "RMA-3", "kind": "refunded"})
