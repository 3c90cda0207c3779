"""Returns and refunds: apply one event of a return (authorization, marketplace refund, the 3PL's
receipt, its rejection) to the return's state, then do what is due (:func:`decide`), whatever order
the events came in.

Each event is applied in one transaction holding the return's row lock, so events of one return never
interleave. With the ports' :class:`~crossdock.canonical.finance.returns_flow.ReturnPolicy`, an
authorized return is first authorized in the ERP (``CreateReturnAuthorization``, external document
number ``RMA-<channel>-<rma>``, outside any transaction: the ERP answers a repeat with the first RMA),
then announced to the 3PL as an X12 180 recorded in the outbox in the same transaction as the state
that remembers it (so it is sent once, delivered after the commit), and once credited, a channel that
expects the seller to refund (Walmart) gets the refund through its :class:`RefundPort`, idempotent on
the marketplace's side, recorded as the return's refund.

The ERP credit memo is created outside any transaction, with the external document number
``RMA-<channel>-<rma>``: the ERP answers a second request with the first memo, so a crash between the
ERP call and the store write never credits twice. Finance items (a receipt without an authorization,
a refund for a return the warehouse rejected) are keyed by return and code; the first is resolved
when the authorization arrives. An authorized return is linked to its marketplace order, which is how
settlement reconciliation knows a refund had a return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext, StepControlNumbers
from crossdock.actors.graph import RETURNS_APPLY
from crossdock.actors.handlers.x12_out import delivery_of, record_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.finance.returns_flow import (
    AdjustInventory,
    Authorized,
    AuthorizeInErp,
    ConfirmRefund,
    CreditMemo,
    NotifyWarehouse,
    OpenItem,
    Refunded,
    ReturnAction,
    ReturnEvent,
    ReturnPolicy,
    ReturnState,
    apply,
    decide,
)
from crossdock.canonical.returns import ReturnAuthorization
from crossdock.edi.control import ControlKind
from crossdock.edi.translate import render
from crossdock.errors import ConfigError, Owner
from crossdock.store import DocRef, DocType, ItemFilter, Store
from crossdock.store.returns_book import ReturnsBook

if TYPE_CHECKING:
    from crossdock.actors.handlers.ports import FlowPorts, RefundPort
    from crossdock.bridges.soap import ErpPort

STEP = RETURNS_APPLY.name
MAX_ROUNDS = 6
"""decide → act rounds per event: ERP authorization, 180, items, credit memo, inventory, refund."""


WarehouseNotice = Callable[[Session, ReturnAuthorization], int]
"""Records the 180 announcing a return in the outbox, in the session given; returns the outbox row id."""


@dataclass(frozen=True)
class ReturnContext:
    """Master data the ERP documents need (the channel's ERP customer, our SKU → ERP item number, the
    warehouse's ERP location) and the optional steps' policy and ports."""

    customer_no: str
    item_map: Mapping[str, str] = field(default_factory=dict)
    posting_date: date | None = None
    location_code: str | None = None
    policy: ReturnPolicy = field(default_factory=ReturnPolicy)
    notice: WarehouseNotice | None = None
    refunds: RefundPort | None = None


def _rma(event: ReturnEvent) -> str:
    return event.authorization.rma_number if isinstance(event, Authorized) else event.rma_number


def credit_memo_reference(channel: str, rma_number: str) -> str:
    return f"RMA-{channel}-{rma_number}"[:35]


def handle_return_event(
    store: Store, erp: ErpPort, event: ReturnEvent, *, channel: str, context: ReturnContext
) -> ReturnState:
    """Apply ``event`` to its return and carry out what became due; returns the resulting state."""
    rma = _rma(event)
    with store.db.write() as s:
        state = ReturnsBook.load_for_update(s, channel, rma) or ReturnState(rma)
        state = apply(state, event)
        ReturnsBook.save(s, channel, state)
        if isinstance(event, Authorized):
            order = DocRef(DocType.MARKETPLACE_ORDER, event.authorization.order_external_id)
            store.links.link(DocRef(DocType.RETURN, rma), order, session=s)
    for _ in range(MAX_ROUNDS):
        actions = decide(state, context.policy)
        if not actions:
            break
        for action in actions:
            state = _act(store, erp, channel, state, action, context)
    return state


def _act(
    store: Store, erp: ErpPort, channel: str, state: ReturnState, action: ReturnAction, context: ReturnContext
) -> ReturnState:
    rma = state.rma_number
    key = f"return:{channel}:{rma}"
    if isinstance(action, CreditMemo):
        memo = erp.create_credit_memo({
            "customer_no": context.customer_no,
            "posting_date": context.posting_date or datetime.now(UTC).date(),
            "external_document_no": credit_memo_reference(channel, rma),
            "reason_code": "RETURN",
            "lines": [{"item_no": context.item_map.get(line.sku, line.sku), "quantity": line.quantity}
                      for line in action.lines],
        })  # fmt: skip
        return _update(store, channel, rma, credit_memo_no=str(memo["document_no"]))
    if isinstance(action, AuthorizeInErp):
        return _authorize(store, erp, channel, action.authorization, context)
    if isinstance(action, NotifyWarehouse):
        return _notify(store, channel, state, action.authorization, context)
    if isinstance(action, ConfirmRefund):
        if context.refunds is None:
            raise ConfigError(f"returns of {channel}: the policy refunds on the channel but it has no refund port")
        refund_id, amount = context.refunds.refund_return(action.authorization, action.lines)
        with store.db.write() as s:
            current = ReturnsBook.load_for_update(s, channel, rma) or state
            current = replace(apply(current, Refunded(rma, refund_id, amount)), refund_confirmed=refund_id)
            ReturnsBook.save(s, channel, current)
        return current
    if isinstance(action, AdjustInventory):
        with store.db.write() as s:
            ReturnsBook.add_adjustments(s, key, action.lines)
            current = ReturnsBook.load_for_update(s, channel, rma) or state
            current = replace(current, inventory_adjusted=True)
            ReturnsBook.save(s, channel, current)
        return current
    if isinstance(action, OpenItem):
        store.exceptions.open(
            owner=Owner.FINANCE, error_class="ReturnException", code=action.code, error_message=action.message,
            business_key=key, actor=STEP, idempotency_key=f"{key}:{action.code}", channel=channel,
        )  # fmt: skip
        return _update(store, channel, rma, add_item=action.code)
    for item in store.exceptions.find(ItemFilter(business_key=key, code=action.code)):
        store.exceptions.resolve(item.id, STEP, action.note)
    return _update(store, channel, rma, drop_item=action.code)


def _authorize(
    store: Store, erp: ErpPort, channel: str, authorization: ReturnAuthorization, context: ReturnContext
) -> ReturnState:
    """The ERP's return authorization, outside any transaction (the ERP dedupes its external number)."""
    request: dict[str, Any] = {
        "external_document_no": credit_memo_reference(channel, authorization.rma_number),
        "customer_no": context.customer_no,
        "return_date": authorization.created_at.date(),
        "order_external_document_no": authorization.order_external_id[:35],
        "location_code": context.location_code,
        "reason_code": "RETURN",
        "lines": [{"item_no": context.item_map.get(line.sku, line.sku), "quantity": line.quantity}
                  for line in authorization.lines],
    }  # fmt: skip
    rma = erp.create_return_authorization(request)
    return _update(store, channel, authorization.rma_number, erp_rma_no=str(rma["document_no"]))


def _notify(
    store: Store, channel: str, state: ReturnState, authorization: ReturnAuthorization, context: ReturnContext
) -> ReturnState:
    """The 180 to the 3PL, recorded in the outbox under the return's row lock, once."""
    if context.notice is None:
        raise ConfigError(f"returns of {channel}: the policy announces returns to the 3PL but no partner is set")
    with store.db.write() as s:
        current = ReturnsBook.load_for_update(s, channel, state.rma_number) or state
        if current.warehouse_notice is None:
            current = replace(current, warehouse_notice=context.notice(s, authorization))
            ReturnsBook.save(s, channel, current)
    return current


def _update(
    store: Store, channel: str, rma: str, *, add_item: str | None = None, drop_item: str | None = None,
    credit_memo_no: str | None = None, erp_rma_no: str | None = None,
) -> ReturnState:  # fmt: skip
    with store.db.write() as s:
        current = ReturnsBook.load_for_update(s, channel, rma) or ReturnState(rma)
        items = tuple(code for code in current.open_items if code != drop_item)
        if add_item is not None and add_item not in items:
            items = (*items, add_item)
        current = replace(current, open_items=items, credit_memo_no=credit_memo_no or current.credit_memo_no,
                          erp_rma_no=erp_rma_no or current.erp_rma_no)  # fmt: skip
        ReturnsBook.save(s, channel, current)
    return current


def apply_step(ports: FlowPorts, ctx: StepContext, document: ReturnEventDocument) -> list[Outgoing]:
    """``returns.apply`` on the returns lane: one event of a return, whatever its order; a redelivery
    changes nothing. The credit memo goes to the channel's ERP customer (``channel_customers``)."""
    channel = document.channel.value
    customer = ports.channel_customers.get(channel)
    if customer is None:
        raise ConfigError(f"channel_customers.{channel} is not configured: a credit memo needs the ERP customer")
    refunds = ports.refunds.get(channel)
    policy = replace(ports.returns, refund_to_channel=refunds is not None)
    warehouse = ports.partner(ports.warehouse_partner) if policy.warehouse_notice or policy.erp_authorization else None

    def notice(session: Session, authorization: ReturnAuthorization) -> int:
        """The 180 rendered with control numbers taken in ``session`` (the transaction that holds the
        return's row lock and records the outbox row in its state) and recorded in the outbox there."""
        assert warehouse is not None
        keys = {"rma": authorization.rma_number, "order": authorization.order_external_id, "channel": channel}
        numbers, at = StepControlNumbers(ports.store, session), ctx.envelope.created_at
        data = render("180", authorization, warehouse.edi, numbers, now=at)
        controls = tuple(numbers.first(kind) for kind in (ControlKind.INTERCHANGE, ControlKind.GROUP, ControlKind.SET))
        sent = record_x12(ports, warehouse, "180", data, (controls[0], controls[1], controls[2]), at=at,
                          session=session, step=RETURNS_APPLY, message_id=ctx.envelope.message_id,
                          business_keys=keys)  # fmt: skip
        for ref in sent.refs:
            ports.store.links.link(DocRef(DocType.RETURN, authorization.rma_number), ref,
                                   message_id=ctx.envelope.message_id, session=session)  # fmt: skip
        return sent.outbox_id

    context = ReturnContext(
        customer_no=customer, item_map=ports.item_map, policy=policy, refunds=refunds,
        location_code=warehouse.erp_location_code if warehouse is not None else None,
        notice=notice if warehouse is not None else None,
    )  # fmt: skip
    state = handle_return_event(ports.store, ports.erp, document.to_event(), channel=channel, context=context)
    if state.warehouse_notice is not None:
        entry = ports.store.outbox.get(state.warehouse_notice)
        if entry is not None and entry.delivered_at is None:  # delivered after this step's commit
            return [delivery_of(state.warehouse_notice)]
    return []
