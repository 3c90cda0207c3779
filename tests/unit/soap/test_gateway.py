"""The gateway's idempotent create, over a fake ERP client implementing ErpClient.call."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

import pytest

from crossdock.bridges.soap import ErpClient, ErpGateway
from crossdock.canonical import Invoice, Order
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import Owner, TransientError
from crossdock.soap import ErpFault, ErpRefusedError, build_request, default_mapping

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


# --- invoices and changes ----------------------------------------------------------------------------

INVOICE = Invoice.model_validate({
    "external_ref": "SHP-1", "invoiced_at": "2026-11-24", "channel": "edi", "order_ref": "PO-1",
    "shipment_id": "SHP-1", "references": {"erp_order_no": "SO-001001", "erp_customer_no": "C30000"},
    "lines": [{"line_number": "1", "sku": "ITEM-1", "quantity": 2, "unit_price": "10.00"}],
})  # fmt: skip


class FakeInvoicingErp:
    """The reference contract's invoice rules: one posting per External Document No.; ``mapping`` is the
    packaged one, or one without the lookup (an older ERP profile)."""

    def __init__(self, *, lookup: bool = True, refuse_duplicates: bool = False) -> None:
        self.refuse_duplicates = refuse_duplicates
        self.hide_lookups = 0
        operations = dict(default_mapping().operations)
        if not lookup:
            del operations["get_invoice_by_external_ref"]
        self.mapping = default_mapping().model_copy(update={"operations": operations})
        self.posted: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def call(self, logical: str, source: Any, key: str | None = None) -> dict[str, Any]:
        self.calls.append(logical)
        request = build_request(self.mapping.operation(logical), source)
        if logical == "get_invoice_by_external_ref":
            found = self.posted.get(request["ExternalDocumentNo"]) if self.hide_lookups <= 0 else None
            self.hide_lookups -= 1
            return {"found": found is not None, **(found or {"document_no": None, "amount": None})}
        if logical == "create_shipment_invoice":
            external = request["Invoice"]["ExternalDocumentNo"]
            lines = request["Invoice"]["Lines"]["Line"]
            amount = sum((line["Quantity"] * line["UnitPrice"] for line in lines), Decimal(0))
            if self.refuse_duplicates and external in self.posted:  # a real ERP's answer to a second posting
                fault = ErpFault("Client", "exists", "DUPLICATE_EXTERNAL_DOCUMENT_NO", "ExternalDocumentNo")
                raise ErpRefusedError(fault, "CreateInvoice", owner=Owner.INTEGRATION)
            self.posted.setdefault(external, {"document_no": f"INV-{1000 + len(self.posted)}", "amount": amount})
            return self.posted[external]
        if logical == "change_sales_order":
            return {"document_no": request["Change"]["DocumentNo"], "status": "Open", "amount": Decimal("5")}
        raise AssertionError(logical)


def test_an_invoice_is_looked_up_before_it_is_posted_and_posted_once() -> None:
    erp = FakeInvoicingErp()
    first = ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    again = ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    assert (first.created, again.created, again.document_no, again.amount) == (True, False, first.document_no,
                                                                               Decimal("20.00"))  # fmt: skip
    assert erp.calls == ["get_invoice_by_external_ref", "create_shipment_invoice", "get_invoice_by_external_ref"]


def test_without_the_lookup_in_the_mapping_the_gateway_posts_without_asking() -> None:
    erp = FakeInvoicingErp(lookup=False)
    ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    assert erp.calls == ["create_shipment_invoice", "create_shipment_invoice"]


def test_an_invoice_that_lost_a_race_returns_the_winners_and_posts_nothing_twice() -> None:
    erp = FakeInvoicingErp(refuse_duplicates=True)
    winner = ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    erp.hide_lookups = 1  # our lookup ran before the winner's posting landed
    loser = ErpGateway(cast(ErpClient, erp)).invoice_shipment(INVOICE)
    assert (loser.document_no, loser.created) == (winner.document_no, False)
    assert len(erp.posted) == 1


def test_a_change_replaces_the_lines_unless_it_carries_changed_lines_only() -> None:
    erp = FakeInvoicingErp()
    sent: list[dict[str, Any]] = []
    original_call = erp.call

    def recording(logical: str, source: Any, key: str | None = None) -> dict[str, Any]:
        sent.append(build_request(erp.mapping.operation(logical), source))
        return original_call(logical, source, key)

    erp.call = recording  # type: ignore[method-assign]
    gateway = ErpGateway(cast(ErpClient, erp))
    whole = ORDER.model_copy(update={"purpose": OrderPurpose.CHANGE})
    assert gateway.change_sales_order("SO-001001", whole).amount == Decimal("5")
    gateway.change_sales_order("SO-001001", whole.model_copy(update={"line_changes_only": True}))
    assert [request["Change"]["ReplaceLines"] for request in sent] == [True, False]
    assert sent[0]["Change"]["Lines"]["Line"] == [{"ItemNo": "ITEM-1", "Quantity": Decimal(1),
                                                   "UnitOfMeasureCode": "EA"}]  # fmt: skip
