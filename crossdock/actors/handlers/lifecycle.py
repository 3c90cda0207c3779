"""The order lifecycle in the flow steps: each step records what it did to the order in the order book
(:mod:`crossdock.store.order_book`) in its own transaction, by the pure rules of
:mod:`crossdock.canonical.lifecycle`; ``orders.amend`` applies cancellations and changes.

* ``edi.inbound`` / ``marketplace.inbound`` call :func:`route`: an original is recorded ``received`` and
  goes to ``orders.to_erp``; a cancellation or change (and an original newer than the version held
  whose lines differ) goes to ``orders.amend``; an original whose cancellation came first, or one
  older than the version held, is recorded and goes nowhere.
* ``orders.to_erp`` / ``orders.to_warehouse`` call :func:`booking` / :func:`releasing` (the order row
  locked for the step's transaction) and book / release the order *as it now stands*, or nothing when it
  was cancelled meanwhile; then :func:`booked` / :func:`released`.
* ``shipments.to_erp`` calls :func:`shipped`: quantities shipped per line; a unit shipped beyond what is
  left open (a 945 after a cancellation) opens a "shipped after cancel" item for the warehouse team and
  the shipment is not posted or confirmed.
* ``orders.amend`` (:mod:`crossdock.actors.handlers.amend`) applies cancellations and changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crossdock.actors.graph import ORDERS_AMEND, ORDERS_TO_ERP, Step
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Order, Shipment, idempotency_key
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.lifecycle import (
    Arrival,
    OrderState,
    Stage,
    as_it_stands,
    reach,
    receive,
    ship,
)
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import Owner
from crossdock.store.order_book import HeldOrder

SHIPPED_AFTER_CANCEL = "ShippedAfterCancel"
AMENDMENTS = (OrderPurpose.CANCELLATION, OrderPurpose.CHANGE)


def original_key(order: Order) -> str:
    return idempotency_key("order", order.channel.value, order.external_id, OrderPurpose.ORIGINAL.value)


def amend_key(order: Order, version: str) -> str:
    """An amendment's key holds its version (its as-of time, else what carried it), so a second, different
    change is not skipped as a duplicate of the first."""
    at = order.updated_at.isoformat() if order.updated_at else version
    return idempotency_key("order", order.channel.value, order.external_id, order.purpose.value, at)


def whole_version(order: Order) -> dict[str, object]:
    """What the book keeps of an order version: the whole order, as an original."""
    return order.model_copy(update={"purpose": OrderPurpose.ORIGINAL}).model_dump(mode="json")


def route(ports: FlowPorts, order: Order, envelope: Envelope, session: Session, *, step: Step[Any],
          version: str) -> Outgoing | None:  # fmt: skip
    """Where an order read by an inbound step goes (``version``: what carried it, for amendments without
    an as-of time), the original recorded ``received`` in ``session``."""
    book = ports.store.orders
    if order.purpose in AMENDMENTS:
        return Outgoing(ORDERS_AMEND, order, amend_key(order, version))
    channel, external_id = order.channel.value, order.external_id
    held = book.load(session, channel, external_id)
    arrival, status = receive(held.status if held else None, order, now=envelope.created_at)
    if arrival in (Arrival.NEW, Arrival.AFTER_CANCEL):
        note = "after its cancellation: not booked" if arrival is Arrival.AFTER_CANCEL else None
        book.save(session, channel, external_id, status, event="received", before=held, step=step.name,
                  message_id=envelope.message_id, note=note, document=whole_version(order))  # fmt: skip
        return Outgoing(ORDERS_TO_ERP, order, original_key(order)) if arrival is Arrival.NEW else None
    assert held is not None
    if arrival is Arrival.STALE:
        book.note(session, channel, external_id, "stale", held.state, held.state, step=step.name,
                  message_id=envelope.message_id, note=f"a version as of {order.updated_at}, older than the one "
                  f"applied ({held.status.version}): ignored")  # fmt: skip
        return None
    if arrival is Arrival.CHANGE:
        change = order.model_copy(update={"purpose": OrderPurpose.CHANGE})
        return Outgoing(ORDERS_AMEND, change, amend_key(change, version))
    book.note(session, channel, external_id, "received_again", held.state, held.state, step=step.name,
              message_id=envelope.message_id)  # fmt: skip
    return Outgoing(ORDERS_TO_ERP, order, original_key(order))


def _current(held: HeldOrder, order: Order) -> Order:
    """The order as it now stands (the last whole version held, with the open quantities), with the
    references the steps added to ``order`` on the way."""
    if held.document is None:
        return order
    current = as_it_stands(Order.model_validate(held.document), held.status)
    return current.model_copy(update={"references": {**current.references, **order.references}})


def _prepare(ports: FlowPorts, order: Order, envelope: Envelope, session: Session, *, step: Step[Any],
             doing: str) -> Order | None:  # fmt: skip
    book = ports.store.orders
    held = book.load(session, order.channel.value, order.external_id)
    if held is None:  # an order received before the book existed (or a reprocess): recorded now
        status = receive(None, order, now=envelope.created_at)[1]
        book.save(session, order.channel.value, order.external_id, status, event="received", before=None,
                  step=step.name, message_id=envelope.message_id, document=whole_version(order))  # fmt: skip
        return order
    if held.state is OrderState.CANCELLED:
        book.note(session, held.channel, held.external_id, f"not_{doing}", held.state, held.state, step=step.name,
                  message_id=envelope.message_id, note="cancelled before it was " + doing)  # fmt: skip
        return None
    return _current(held, order)


def booking(ports: FlowPorts, order: Order, envelope: Envelope, session: Session, *, step: Step[Any]) -> Order | None:
    """The order ``orders.to_erp`` books (as it now stands), or ``None`` when it was cancelled."""
    return _prepare(ports, order, envelope, session, step=step, doing="booked")


def releasing(ports: FlowPorts, order: Order, envelope: Envelope, session: Session, *, step: Step[Any]) -> Order | None:
    """The order ``orders.to_warehouse`` sends the 3PL (as it now stands), or ``None`` when cancelled."""
    return _prepare(ports, order, envelope, session, step=step, doing="released")


def _reached(ports: FlowPorts, order: Order, stage: Stage, envelope: Envelope, session: Session, *, step: Step[Any],
             note: str, erp_order_no: str | None = None) -> None:  # fmt: skip
    book = ports.store.orders
    held = book.load(session, order.channel.value, order.external_id)
    if held is None:
        return
    book.save(session, held.channel, held.external_id, reach(held.status, stage), event=stage.value, before=held,
              step=step.name, message_id=envelope.message_id, note=note, erp_order_no=erp_order_no)  # fmt: skip


def booked(ports: FlowPorts, order: Order, erp_order_no: str, envelope: Envelope, session: Session, *,
           step: Step[Any]) -> None:  # fmt: skip
    _reached(ports, order, Stage.BOOKED, envelope, session, step=step, note=f"ERP sales order {erp_order_no}",
             erp_order_no=erp_order_no)  # fmt: skip


def released(ports: FlowPorts, order: Order, warehouse_order: str, envelope: Envelope, session: Session, *,
             step: Step[Any]) -> None:  # fmt: skip
    _reached(ports, order, Stage.RELEASED, envelope, session, step=step, note=f"940 for warehouse order "
             f"{warehouse_order}")  # fmt: skip


def shipped(ports: FlowPorts, shipment: Shipment, envelope: Envelope, session: Session, *,
            step: Step[Any]) -> list[str]:  # fmt: skip
    """Record what ``shipment`` ships per order line; returns the problems of units shipped after their
    cancellation (each opened as an item for the warehouse team), empty when there are none."""
    book = ports.store.orders
    problems: list[str] = []
    for shipment_order in shipment.orders:
        held = _held_for(ports, session, shipment_order.po_number, shipment_order.order_ref)
        ref = f"shipment:{shipment.shipment_id}"
        if held is None:
            continue  # an order crossdock has no record of
        if ports.store.orders.counted(session, held.channel, held.external_id, ref):  # a replay: counted once
            if any(line.shipped > line.open and line.cancelled > 0 for line in held.status.lines):
                problems.append(f"shipment {shipment.shipment_id}: {held.external_id} shipped after its cancellation")
            continue
        lines = [(line.line_number, line.sku, line.quantity_shipped) for line in shipment_order.all_lines]
        result = ship(held.status, lines)
        event = "shipped" if result.status.state is OrderState.SHIPPED else "partially_shipped"
        what = ", ".join(f"{n or s}: {q}" for n, s, q in lines)
        note = f"shipment {shipment.shipment_id}: {what}"
        if result.after_cancel:
            event = "shipped_after_cancel"
            beyond = ", ".join(f"line {n}: {q}" for n, q in result.after_cancel.items())
            problem = (f"shipment {shipment.shipment_id} ships {held.channel} order {held.external_id} after its "
                       f"cancellation (shipped beyond what was left open: {beyond}; shipped: {what})")  # fmt: skip
            problems.append(problem)
            ports.store.exceptions.open(
                owner=Owner.WAREHOUSE, error_class=SHIPPED_AFTER_CANCEL, error_message=problem,
                business_key=held.external_id, message_id=envelope.message_id,
                correlation_id=envelope.correlation_id, actor=step.name, queue=step.lane.value, channel=held.channel,
                session=session,
            )  # fmt: skip
            note = problem
        book.save(session, held.channel, held.external_id, result.status, event=event, before=held, step=step.name,
                  message_id=envelope.message_id, note=note, ref=ref)  # fmt: skip
    return problems


def _held_for(ports: FlowPorts, session: Session, *refs: str | None) -> HeldOrder | None:
    for ref in dict.fromkeys(r for r in refs if r):
        found = ports.store.orders.locate(session, ref)
        if len(found) == 1:
            return ports.store.orders.load(session, *found[0])
    return None
