"""``orders.amend`` (lane erp): a cancellation or change of an order, applied by how far the order got
(:func:`crossdock.canonical.lifecycle.amend`, docs/lifecycle.md): before it arrived or before booking,
recorded only (``orders.to_erp`` books it as it now stands, or not at all); booked, ERP CancelSalesOrder;
released to the warehouse, also a 940 cancel (W0501 C) or change (R) through the outbox; shipped,
outside the channel's window, or released on a channel that asks a person: an exception item.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.graph import ORDERS_AMEND, ORDERS_TO_ERP
from crossdock.actors.handlers import erp_view, inventory, invoices, orders
from crossdock.actors.handlers.lifecycle import original_key, whole_version
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Order
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.lifecycle import (
    Amendment,
    AmendPolicy,
    OrderState,
    Refusal,
    Stage,
    Verdict,
    amend,
    as_it_stands,
    receive,
)
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocType
from crossdock.store.order_book import HeldOrder

AMENDMENT_REFUSED = "AmendmentRefused"


def _erp_order_no(ports: FlowPorts, held: HeldOrder, order: Order) -> str:
    if held.erp_order_no:
        return held.erp_order_no
    found = ports.store.links.connected(orders.order_ref(order)).ids(DocType.ERP_ORDER)
    if not found:
        raise BusinessError(f"{order.channel} order {order.external_id} is booked but its ERP order is not known",
                            owner=Owner.INTEGRATION, key=order.external_id)  # fmt: skip
    return found[0]


def handle(ports: FlowPorts, ctx: StepContext, order: Order) -> list[Outgoing]:
    book = ports.store.orders
    channel, external_id = order.channel.value, order.external_id
    policy = ports.amendments.get(channel, AmendPolicy())
    envelope = ctx.envelope
    # the order's row is locked in the step's transaction before any ERP call (docs/lifecycle.md)
    session = ctx.session
    held = book.load(session, channel, external_id)
    result = amend(held.status if held else None, order, policy, now=envelope.created_at)
    state = held.state if held else OrderState.RECEIVED
    kind = order.purpose.value
    if result.verdict is Verdict.BOOK_AS_NEW:
        original = order.model_copy(update={"purpose": OrderPurpose.ORIGINAL})
        status = receive(None, original, now=envelope.created_at)[1]
        book.save(session, channel, external_id, status, event="received", before=None, step=ORDERS_AMEND.name,
                  message_id=envelope.message_id, note=result.reason, document=whole_version(original))  # fmt: skip
        return [Outgoing(ORDERS_TO_ERP, original, original_key(original))]
    if result.verdict in (Verdict.STALE, Verdict.UNCHANGED):
        if held is not None:
            book.note(session, channel, external_id, f"{kind}_{result.verdict.value}", state, state,
                      step=ORDERS_AMEND.name, message_id=envelope.message_id, note=result.reason)  # fmt: skip
        return []
    if result.verdict is Verdict.REFUSED:
        _refuse(ports, order, held, result, envelope, session)
        return []
    return _apply(ports, ctx, order, held, result)


def _apply(ports: FlowPorts, ctx: StepContext, order: Order, held: HeldOrder | None,
           result: Amendment) -> list[Outgoing]:  # fmt: skip
    """The ERP call, the 940 and the reservations the amendment needs, and its transition recorded."""
    assert result.status is not None
    envelope, session, kind = ctx.envelope, ctx.session, order.purpose.value
    channel, external_id = order.channel.value, order.external_id
    sent: list[Outgoing] = []
    erp_note = ""
    base = _base(held, order)
    if result.erp == "cancel" and held is not None:
        erp_order_no = _erp_order_no(ports, held, order)
        ports.erp.cancel_sales_order(erp_order_no, reason_code=None)
        erp_note = f"; ERP sales order {erp_order_no} cancelled"
    elif result.erp == "change" and held is not None and base is not None:
        # the whole order as it now stands: the ERP cancels the lines it does not name (idempotent)
        erp_order_no = _erp_order_no(ports, held, order)
        target = as_it_stands(base, result.status).model_copy(
            update={"purpose": OrderPurpose.CHANGE, "line_changes_only": False})  # fmt: skip
        ports.erp.change_sales_order(erp_order_no, erp_view.order_for_erp(target, ports.item_map))
        invoices.remember_booked(ports, target, erp_order_no, session=session, replace=True)  # what invoices bill
        erp_note = f"; ERP sales order {erp_order_no} changed"
    if result.warehouse is not None and base is not None:
        if result.warehouse is OrderPurpose.CANCELLATION:
            notice = base.model_copy(update={"purpose": OrderPurpose.CANCELLATION})
        else:
            notice = as_it_stands(base, result.status).model_copy(update={"purpose": OrderPurpose.CHANGE})
        sent.append(orders.send_940(ports, ctx, notice))
        erp_note += f"; 940 {'cancel' if result.warehouse is OrderPurpose.CANCELLATION else 'change'} to the 3PL"
    if base is not None and held is not None and held.status.stage in (Stage.BOOKED, Stage.RELEASED):
        sent += inventory.reserve(ports, as_it_stands(base, result.status, keep_cut=True), envelope)
    event = "cancelled" if result.cancels else ("partially_cancelled" if kind == "cancellation" else "changed")
    lines = ", ".join(f"line {n} → {q}" for n, q in sorted(result.changed.items()))
    kept = whole_version(base) if base is not None and held is not None else None
    ports.store.orders.save(session, channel, external_id, result.status, event=event, before=held,
                            step=ORDERS_AMEND.name, message_id=envelope.message_id,
                            note=(result.reason or lines) + erp_note, document=kept)  # fmt: skip
    return sent


def _base(held: HeldOrder | None, order: Order) -> Order | None:
    """The whole order the amendment leaves: a whole-order change replaces the version held (its
    references kept); otherwise the version held."""
    if held is None or held.document is None:
        return None
    kept = Order.model_validate(held.document)
    if order.purpose is OrderPurpose.CHANGE and not order.line_changes_only:
        return order.model_copy(update={"purpose": OrderPurpose.ORIGINAL,
                                        "references": {**kept.references, **order.references}})  # fmt: skip
    return kept


def _refuse(ports: FlowPorts, order: Order, held: HeldOrder | None, result: Amendment, envelope: Envelope,
            session: Session) -> None:  # fmt: skip
    """Not applied automatically: an exception item for who must decide, and the timeline says why. The
    item has no idempotency key: the step itself succeeds (nothing to retry), and an item keyed by the
    step's key would be resolved by that success. Goods already left (even on a cancelled order): the
    warehouse team; an order crossdock never received: integration; otherwise customer service."""
    reason = result.reason
    owner = Owner.CUSTOMER_SERVICE
    if held is not None and held.status.shipped_any:
        owner = Owner.WAREHOUSE
    elif result.refusal is Refusal.UNKNOWN_ORDER:
        owner = Owner.INTEGRATION
    message = f"{order.purpose.value} of {order.channel.value} order {order.external_id} not applied: {reason}"
    ports.store.exceptions.open(
        owner=owner, error_class=AMENDMENT_REFUSED, error_message=message, business_key=order.external_id,
        message_id=envelope.message_id, correlation_id=envelope.correlation_id, actor=ORDERS_AMEND.name,
        queue=ORDERS_AMEND.lane.value, channel=order.channel.value, session=session,
    )  # fmt: skip
    if held is not None:
        ports.store.orders.note(session, held.channel, held.external_id, f"{order.purpose.value}_refused",
                                held.state, held.state, step=ORDERS_AMEND.name, message_id=envelope.message_id,
                                note=reason)  # fmt: skip

