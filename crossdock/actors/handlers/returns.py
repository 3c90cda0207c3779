"""Returns and refunds: apply one event of a return (authorization, marketplace refund, the 3PL's
receipt, its rejection) to the return's state, then do what is due (:func:`decide`), whatever order
the events came in.

Each event is applied in one transaction holding the return's row lock, so events of one return never
interleave. The ERP credit memo is created outside any transaction, with the external document number
``RMA-<channel>-<rma>``: the ERP answers a second request with the first memo, so a crash between the
ERP call and the store write never credits twice. Finance items (a receipt without an authorization,
a refund for a return the warehouse rejected) are keyed by return and code; the first is resolved
when the authorization arrives. An authorized return is linked to its marketplace order, which is how
settlement reconciliation knows a refund had a return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from crossdock.actors.context import StepContext
from crossdock.actors.graph import RETURNS_APPLY
from crossdock.actors.steps import Outgoing
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.finance.returns_flow import (
    AdjustInventory,
    Authorized,
    CreditMemo,
    OpenItem,
    ReturnAction,
    ReturnEvent,
    ReturnState,
    apply,
    decide,
)
from crossdock.errors import ConfigError, Owner
from crossdock.store import DocRef, DocType, ItemFilter, Store
from crossdock.store.returns_book import ReturnsBook

if TYPE_CHECKING:
    from crossdock.actors.handlers.ports import FlowPorts
    from crossdock.bridges.soap import ErpPort

STEP = RETURNS_APPLY.name
MAX_ROUNDS = 4
"""decide → act rounds per event: open/resolve items, credit memo, inventory: at most three are needed."""


@dataclass(frozen=True)
class ReturnContext:
    """Master data the credit memo needs: the channel's ERP customer, our SKU → ERP item number."""

    customer_no: str
    item_map: Mapping[str, str] = field(default_factory=dict)
    posting_date: date | None = None


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
        actions = decide(state)
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


def _update(
    store: Store, channel: str, rma: str, *, credit_memo_no: str | None = None, add_item: str | None = None,
    drop_item: str | None = None,
) -> ReturnState:  # fmt: skip
    with store.db.write() as s:
        current = ReturnsBook.load_for_update(s, channel, rma) or ReturnState(rma)
        items = tuple(code for code in current.open_items if code != drop_item)
        if add_item is not None and add_item not in items:
            items = (*items, add_item)
        current = replace(current, open_items=items, credit_memo_no=credit_memo_no or current.credit_memo_no)
        ReturnsBook.save(s, channel, current)
    return current


def apply_step(ports: FlowPorts, ctx: StepContext, document: ReturnEventDocument) -> list[Outgoing]:
    """``returns.apply`` on the returns lane: one event of a return, whatever its order; a redelivery
    changes nothing. The credit memo goes to the channel's ERP customer (``channel_customers``)."""
    channel = document.channel.value
    customer = ports.channel_customers.get(channel)
    if customer is None:
        raise ConfigError(f"channel_customers.{channel} is not configured: a credit memo needs the ERP customer")
    context = ReturnContext(customer_no=customer, item_map=ports.item_map)
    handle_return_event(ports.store, ports.erp, document.to_event(), channel=channel, context=context)
    return []
