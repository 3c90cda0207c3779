"""Per-return state, pure: the events of one return (authorization, marketplace refund, the 3PL's
receipt with a disposition per line, the 3PL's rejection) may arrive in any order, and each is applied
to the return's state; :func:`decide` then says what is due. Out-of-order events are normal and never
fail: a refund before the receipt waits for it; a receipt before its authorization is kept and opens a
finance item that the authorization resolves (compensation, not failure). A refund for a return the
warehouse rejected needs finance. Applying an event twice changes nothing (refunds are keyed by id).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from crossdock.canonical.returns import ReturnAuthorization


class Disposition(StrEnum):
    RESTOCK = "restock"
    DAMAGED = "damaged"
    DESTROY = "destroy"


INVENTORY_DISPOSITIONS = {Disposition.RESTOCK: "available", Disposition.DAMAGED: "damaged"}
"""Where received units go in inventory; destroyed units go nowhere."""


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    sku: str
    quantity: Decimal
    disposition: Disposition


@dataclass(frozen=True, slots=True)
class Authorized:
    authorization: ReturnAuthorization


@dataclass(frozen=True, slots=True)
class Refunded:
    rma_number: str
    refund_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Received:
    rma_number: str
    lines: tuple[ReceivedLine, ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    rma_number: str
    reason: str


ReturnEvent = Authorized | Refunded | Received | Rejected


@dataclass(frozen=True, slots=True)
class ReturnState:
    rma_number: str
    authorization: ReturnAuthorization | None = None
    refunds: tuple[tuple[str, Decimal], ...] = ()
    received: tuple[ReceivedLine, ...] | None = None
    rejected: str | None = None
    credit_memo_no: str | None = None
    inventory_adjusted: bool = False
    open_items: tuple[str, ...] = field(default=())
    """Codes of the finance items opened for this return and not resolved."""
    erp_rma_no: str | None = None
    """The ERP's return authorization (``CreateReturnAuthorization``)."""
    warehouse_notice: int | None = None
    """The outbox row of the 180 that told the 3PL to expect this return."""
    refund_confirmed: str | None = None
    """The marketplace's id of the refund crossdock issued for this return (channels that expect it)."""

    @property
    def refunded(self) -> Decimal:
        return sum((amount for _, amount in self.refunds), Decimal(0))

    @property
    def status(self) -> str:
        if self.rejected is not None:
            return "rejected"
        if self.credit_memo_no is not None:
            return "credited"
        if self.received is not None and self.authorization is None:
            return "received_awaiting_authorization"
        if self.authorization is not None and self.received is None:
            return "refunded_awaiting_receipt" if self.refunds else "awaiting_receipt"
        if self.authorization is not None and self.received is not None:
            return "received"
        return "refunded_awaiting_authorization" if self.refunds else "new"


def apply(state: ReturnState, event: ReturnEvent) -> ReturnState:
    """The state after ``event``; an event already applied leaves it as it is."""
    if isinstance(event, Authorized):
        return state if state.authorization is not None else replace(state, authorization=event.authorization)
    if isinstance(event, Refunded):
        if any(refund_id == event.refund_id for refund_id, _ in state.refunds):
            return state
        return replace(state, refunds=(*state.refunds, (event.refund_id, event.amount)))
    if isinstance(event, Received):
        return state if state.received is not None else replace(state, received=event.lines)
    return state if state.rejected is not None else replace(state, rejected=event.reason)


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    """Which of the optional steps apply: an ERP return authorization (the ERP has the operation), a
    180 to the 3PL (a warehouse partner takes returns), and a refund crossdock issues on the
    marketplace once the return is credited (Walmart, Amazon; Shopify refunds are made in Shopify)."""

    erp_authorization: bool = False
    warehouse_notice: bool = False
    refund_to_channel: bool = False


@dataclass(frozen=True, slots=True)
class AuthorizeInErp:
    authorization: ReturnAuthorization


@dataclass(frozen=True, slots=True)
class NotifyWarehouse:
    authorization: ReturnAuthorization


@dataclass(frozen=True, slots=True)
class ConfirmRefund:
    authorization: ReturnAuthorization
    lines: tuple[ReceivedLine, ...]


@dataclass(frozen=True, slots=True)
class CreditMemo:
    lines: tuple[ReceivedLine, ...]


@dataclass(frozen=True, slots=True)
class AdjustInventory:
    lines: tuple[tuple[str, Decimal, str], ...]
    """(sku, quantity, where: available or damaged)."""


@dataclass(frozen=True, slots=True)
class OpenItem:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ResolveItem:
    code: str
    note: str


ReturnAction = (
    CreditMemo | AdjustInventory | OpenItem | ResolveItem | AuthorizeInErp | NotifyWarehouse | ConfirmRefund
)

RECEIPT_WITHOUT_RETURN = "RETURN_RECEIPT_WITHOUT_AUTHORIZATION"
REFUND_FOR_REJECTED = "RETURN_REFUND_FOR_REJECTED"


def decide(state: ReturnState, policy: ReturnPolicy = ReturnPolicy()) -> list[ReturnAction]:
    """What is due now for this return (actions already done are recorded in the state).

    With the ``policy``'s optional steps: an authorized return not rejected is authorized in the ERP
    first, then announced to the 3PL (unless the 3PL already received it); once credited and its
    inventory recorded, a channel that expects it gets the refund, unless a refund is already known."""
    actions: list[ReturnAction] = []
    rma = state.rma_number
    authorization = state.authorization
    if authorization is not None and state.rejected is None:
        if policy.erp_authorization and state.erp_rma_no is None:
            actions.append(AuthorizeInErp(authorization))
        elif policy.warehouse_notice and state.warehouse_notice is None and state.received is None:
            actions.append(NotifyWarehouse(authorization))
    if state.received is not None and state.authorization is None and RECEIPT_WITHOUT_RETURN not in state.open_items:
        units = sum((line.quantity for line in state.received), Decimal(0))
        message = f"return {rma}: the warehouse received {units} units with no return authorization on record"
        actions.append(OpenItem(RECEIPT_WITHOUT_RETURN, message))
    if state.authorization is not None and RECEIPT_WITHOUT_RETURN in state.open_items:
        actions.append(
            ResolveItem(RECEIPT_WITHOUT_RETURN, f"return {rma}: its authorization arrived after the receipt")
        )
    if state.rejected is not None and state.refunds and REFUND_FOR_REJECTED not in state.open_items:
        message = f"return {rma}: refunded {state.refunded} but the warehouse rejected it ({state.rejected})"
        actions.append(OpenItem(REFUND_FOR_REJECTED, message))
    ready = state.authorization is not None and state.received is not None and state.rejected is None
    if ready and state.credit_memo_no is None:
        assert state.received is not None
        actions.append(CreditMemo(state.received))
    if ready and state.credit_memo_no is not None and not state.inventory_adjusted:
        assert state.received is not None
        moves = tuple(
            (line.sku, line.quantity, INVENTORY_DISPOSITIONS[line.disposition])
            for line in state.received
            if line.disposition in INVENTORY_DISPOSITIONS
        )
        actions.append(AdjustInventory(moves))
    done = ready and state.credit_memo_no is not None and state.inventory_adjusted
    if done and policy.refund_to_channel and not state.refunds and state.refund_confirmed is None:
        assert authorization is not None and state.received is not None
        actions.append(ConfirmRefund(authorization, state.received))
    return actions


def dump(state: ReturnState) -> dict[str, Any]:
    """The state as JSON-ready data (the store keeps it in one column)."""
    return {
        "rma_number": state.rma_number,
        "authorization": state.authorization.model_dump(mode="json") if state.authorization else None,
        "refunds": [[refund_id, str(amount)] for refund_id, amount in state.refunds],
        "received": None if state.received is None else [
            {"sku": line.sku, "quantity": str(line.quantity), "disposition": line.disposition.value}
            for line in state.received
        ],
        "rejected": state.rejected,
        "credit_memo_no": state.credit_memo_no,
        "inventory_adjusted": state.inventory_adjusted,
        "open_items": list(state.open_items),
        "erp_rma_no": state.erp_rma_no,
        "warehouse_notice": state.warehouse_notice,
        "refund_confirmed": state.refund_confirmed,
    }  # fmt: skip


def load(data: dict[str, Any]) -> ReturnState:
    received = data.get("received")
    authorization = data.get("authorization")
    return ReturnState(
        rma_number=data["rma_number"],
        authorization=ReturnAuthorization.model_validate(authorization) if authorization else None,
        refunds=tuple((str(r), Decimal(a)) for r, a in data.get("refunds") or ()),
        received=None if received is None else tuple(
            ReceivedLine(line["sku"], Decimal(line["quantity"]), Disposition(line["disposition"])) for line in received
        ),
        rejected=data.get("rejected"),
        credit_memo_no=data.get("credit_memo_no"),
        inventory_adjusted=bool(data.get("inventory_adjusted")),
        open_items=tuple(data.get("open_items") or ()),
        erp_rma_no=data.get("erp_rma_no"),
        warehouse_notice=data.get("warehouse_notice"),
        refund_confirmed=data.get("refund_confirmed"),
    )  # fmt: skip
