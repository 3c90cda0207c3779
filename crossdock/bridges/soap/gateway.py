"""The ERP port crossdock's flows call, over any ERP the mapping describes.

``create_sales_order`` is idempotent: it first asks GetSalesOrderByExternalRef and creates only when
the order is absent; if a create races another one and the ERP answers "duplicate external document
number", it looks the order up again and returns it. A retried create never makes a second order.
``invoice_shipment`` likewise asks GetInvoiceByExternalRef first (crossdock's reference of the shipped
order) and posts only an invoice the ERP does not have; ``change_sales_order`` states quantities, so
sending it again changes nothing more.

Every call waits for its slot in the process's :class:`~crossdock.bridges.soap.pacing.CallPacer` when
the gateway has one (``erp.max_calls_per_s``), so a backlog drains at that pace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from crossdock.bridges.soap.client import ErpClient
from crossdock.bridges.soap.pacing import CallPacer
from crossdock.canonical import InventoryLevel, Invoice, Order, Shipment
from crossdock.errors import MappingError, TransientError
from crossdock.soap.faults import ErpRefusedError

DUPLICATE_CODES = frozenset({"DUPLICATE_EXTERNAL_DOCUMENT_NO", "DUPLICATE"})
LOOKUP_INVOICE = "get_invoice_by_external_ref"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class SalesOrderRef:
    document_no: str
    status: str | None
    created: bool  # False: the order already existed (a retry), nothing was created


@dataclass(frozen=True)
class SalesOrderChange:
    """The ERP order after a change: its status (``Cancelled`` when every line ended at 0) and amount."""

    document_no: str
    status: str | None
    amount: Decimal | None


@dataclass(frozen=True)
class InvoiceRef:
    """The ERP's invoice of one shipped order."""

    document_no: str
    amount: Decimal | None
    created: bool  # False: the ERP already had it (a retry), nothing was posted


class ErpPort(Protocol):
    def create_sales_order(self, order: Order) -> SalesOrderRef: ...
    def cancel_sales_order(self, document_no: str, reason_code: str | None = None) -> str: ...
    def change_sales_order(self, document_no: str, order: Order) -> SalesOrderChange: ...
    def post_shipment(self, shipment: Shipment) -> str: ...
    def create_invoice(self, invoice: Mapping[str, Any]) -> dict[str, Any]: ...
    def invoice_shipment(self, invoice: Invoice) -> InvoiceRef: ...
    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]: ...
    def post_journal_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]: ...
    def create_return_authorization(self, authorization: Mapping[str, Any]) -> dict[str, Any]: ...
    def inventory_levels(self, item_nos: Sequence[str] = (), location: str | None = None) -> list[InventoryLevel]: ...
    def get_item(self, item_no: str) -> dict[str, Any]: ...


class ErpGateway:
    """:class:`ErpPort` over an :class:`ErpClient`."""

    def __init__(
        self,
        client: ErpClient,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        pacer: CallPacer | None = None,
    ) -> None:
        self.client = client
        self.pacer = pacer
        self._clock = clock

    def _call(self, logical: str, source: BaseModel | Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
        if self.pacer is not None:
            self.pacer.wait()
        return self.client.call(logical, source, key=key)

    def find_sales_order(self, order: Order) -> SalesOrderRef | None:
        found = self._call("get_sales_order_by_external_ref", order, key=order.external_id)
        if not found.get("found") or not found.get("document_no"):
            return None
        return SalesOrderRef(str(found["document_no"]), found.get("status"), created=False)

    def create_sales_order(self, order: Order) -> SalesOrderRef:
        existing = self.find_sales_order(order)
        if existing is not None:
            return existing
        try:
            created = self._call("create_sales_order", order, key=order.external_id)
        except ErpRefusedError as exc:
            if exc.fault.error_code not in DUPLICATE_CODES:
                raise
            existing = self.find_sales_order(order)
            if existing is None:
                raise TransientError(f"ERP says order {order.external_id} exists but cannot find it yet") from exc
            return existing
        return SalesOrderRef(str(created["document_no"]), created.get("status"), created=True)

    def cancel_sales_order(self, document_no: str, reason_code: str | None = None) -> str:
        result = self._call("cancel_sales_order", {"document_no": document_no, "reason_code": reason_code})
        return str(result.get("status"))

    def change_sales_order(self, document_no: str, order: Order) -> SalesOrderChange:
        """Make ERP order ``document_no`` follow ``order`` (a change: ``purpose`` change or cancellation).
        With ``order.line_changes_only`` its lines are the changed lines only, each with its new quantity
        (0: cancelled), the others staying as they are; without it, its lines are the whole order and a
        line of the ERP order it does not name is cancelled. Lines are matched by item (the mapping sends
        no line numbers: a channel's line ids are not the ERP's); a new item is added. Idempotent: the
        change states quantities, so sending it again changes nothing more. A refusal (cancelled or
        fully shipped order, quantity below what shipped) is an :class:`ErpRefusedError`."""
        source = {**order.model_dump(mode="json"), "document_no": document_no,
                  "replace_lines": not order.line_changes_only}  # fmt: skip
        result = self._call("change_sales_order", source, key=order.external_id)
        return SalesOrderChange(str(result.get("document_no") or document_no), result.get("status"),
                                _decimal(result.get("amount")))  # fmt: skip

    def post_shipment(self, shipment: Shipment) -> str:
        return str(self._call("post_shipment", shipment, key=shipment.shipment_id)["document_no"])

    def create_invoice(self, invoice: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("create_invoice", invoice, key=invoice.get("external_document_no"))

    def find_invoice(self, invoice: Invoice) -> InvoiceRef | None:
        """The ERP's invoice with ``invoice.external_ref``; ``None`` when absent or when the mapping has no
        ``get_invoice_by_external_ref`` (an older ERP profile: the ERP's own refusal of a second posting
        under the same External Document No. is then the guard)."""
        if LOOKUP_INVOICE not in self.client.mapping.operations:
            return None
        found = self._call(LOOKUP_INVOICE, invoice, key=invoice.external_ref)
        if not found.get("found") or not found.get("document_no"):
            return None
        return InvoiceRef(str(found["document_no"]), _decimal(found.get("amount")), created=False)

    def invoice_shipment(self, invoice: Invoice) -> InvoiceRef:
        """Post the invoice of one shipped order, once: an invoice the ERP already has under
        ``invoice.external_ref`` is returned, not posted again."""
        existing = self.find_invoice(invoice)
        if existing is not None:
            return existing
        try:
            posted = self._call("create_shipment_invoice", invoice, key=invoice.external_ref)
        except ErpRefusedError as exc:  # a second posting raced ours, or a retry after the ERP committed
            if exc.fault.error_code not in DUPLICATE_CODES:
                raise
            existing = self.find_invoice(invoice)
            if existing is None:
                raise TransientError(f"ERP says invoice {invoice.external_ref} exists but cannot find it yet") from exc
            return existing
        return InvoiceRef(str(posted["document_no"]), _decimal(posted.get("amount")), created=True)

    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("create_credit_memo", credit_memo, key=credit_memo.get("external_document_no"))

    def post_journal_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("post_journal_entry", entry, key=entry.get("external_document_no"))

    def create_return_authorization(self, authorization: Mapping[str, Any]) -> dict[str, Any]:
        """The ERP's return authorization (RMA); idempotent: the ERP answers a repeated
        ``external_document_no`` with the first document."""
        return self._call("create_return_authorization", authorization, key=authorization.get("external_document_no"))

    def get_inventory_levels(self, item_nos: Sequence[str] = (), location: str | None = None) -> list[dict[str, Any]]:
        """The ERP's inventory lines as it sent them (see :meth:`inventory_levels` for canonical ones)."""
        result = self._call("get_inventory_levels", {"item_nos": list(item_nos), "location_code": location})
        return list(result.get("levels") or [])

    def inventory_levels(self, item_nos: Sequence[str] = (), location: str | None = None) -> list[InventoryLevel]:
        """Canonical inventory levels, read through the mapping's ``response_items``."""
        result = self._call("get_inventory_levels", {"item_nos": list(item_nos), "location_code": location})
        as_of = self._clock()
        levels = []
        for n, item in enumerate(result.get("items") or [], 1):
            try:
                levels.append(InventoryLevel.model_validate({**_present(item), "as_of": as_of}))
            except ValidationError as exc:
                problems = [(f"items[{n}].{'.'.join(map(str, e['loc']))}", e["msg"]) for e in exc.errors()]
                raise MappingError("ERP inventory level does not map to canonical", problems) from exc
        return levels

    def get_item(self, item_no: str) -> dict[str, Any]:
        return dict(self._call("get_item", {"item_no": item_no}, key=item_no).get("item") or {})
