"""The gateway's idempotent create, over a fake ERP client implementing ErpClient.call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pytest

from crossdock.bridges.soap import ErpClient, ErpGateway
from crossdock.canonical import Order
from crossdock.errors import Owner, TransientError
from crossdock.soap import ErpFault, ErpRefusedError

ORDER = Order.model_validate(
    {
        "channel": "shopify",
        "external_id": "1001",
        "ordered_at": "2026-11-20T10:00:00Z",
        "references": {"erp_customer_no": "C10000"},
        "lines": [{"line_number": "1", "sku": "ITEM-1", "quantity": 1}],
    }
)


class FakeErp:
    """In-memory ERP with the reference contract's rules: one order per external document number.
    ``hide_lookups`` makes that many lookups miss (a create racing another worker's)."""

    def __init__(self, hide_lookups: int = 0, lost: bool = False) -> None:
        self.orders: dict[str, str] = {}
        self.creates = 0
        self.hide_lookups = hide_lookups
        self.lost = lost

    def call(self, logical: str, source: Any, key: str | None = None) -> dict[str, Any]:
        external = source.external_id if isinstance(source, Order) else cast(Mapping[str, Any], source)["id"]
        if logical == "get_sales_order_by_external_ref":
            if self.hide_lookups or self.lost:
                self.hide_lookups -= 1
                return {"found": False, "document_no": None, "status": None}
            number = self.orders.get(external)
            return {"found": number is not None, "document_no": number, "status": "Open" if number else None}
        if logical == "create_sales_order":
            self.creates += 1
            if external in self.orders:
                fault = ErpFault("Client", "exists", "DUPLICATE_EXTERNAL_DOCUMENT_NO", "ExternalDocumentNo")
                raise ErpRefusedError(fault, "CreateSalesOrder", owner=Owner.INTEGRATION)
            self.orders[external] = f"SO-{1000 + len(self.orders):06d}"
            return {"document_no": self.orders[external], "status": "Open"}
        raise AssertionError(logical)


def _gateway(erp: FakeErp) -> ErpGateway:
    return ErpGateway(cast(ErpClient, erp))


def test_create_then_retry_creates_once() -> None:
    erp = FakeErp()
    first = _gateway(erp).create_sales_order(ORDER)
    second = _gateway(erp).create_sales_order(ORDER)
    assert first.created and not second.created and first.document_no == second.document_no
    assert erp.creates == 1


def test_a_create_that_lost_a_race_returns_the_winners_order() -> None:
    erp = FakeErp()
    winner = _gateway(erp).create_sales_order(ORDER)
    erp.hide_lookups = 1  # our lookup happened before the winner's create landed
    loser = _gateway(erp).create_sales_order(ORDER)
    assert (loser.document_no, loser.created) == (winner.document_no, False)


def test_a_duplicate_the_erp_cannot_show_yet_is_transient() -> None:
    erp = FakeErp()
    _gateway(erp).create_sales_order(ORDER)
    erp.lost = True
    with pytest.raises(TransientError, match="exists but cannot find it yet"):
        _gateway(erp).create_sales_order(ORDER)
