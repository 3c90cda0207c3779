"""The flow steps crossdock's worker declares: each step of the flow graph
(:mod:`crossdock.actors.graph`) bound to its handler (:mod:`crossdock.actors.handlers`).

Business flows need ports (store, ERP, partners' outbound) built at worker boot: :func:`flow_steps`
binds them to the handlers, and the graph check refuses a step without a handler or an edge to an
undeclared step. See docs/flows.md for actor names, lanes and what each step does.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from crossdock.actors import graph, steps
from crossdock.actors.graph import D
from crossdock.actors.handlers import (
    amend,
    channel_acks,
    delivery,
    edi_inbound,
    inventory,
    invoices,
    marketplace,
    orders,
    po_ack,
    returns,
    settlements,
    shipments,
)
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import FlowStep, Outgoing, bind
from crossdock.canonical.envelope import Envelope


def flow_steps(ports: FlowPorts) -> tuple[FlowStep[Any], ...]:
    """Every step of :data:`crossdock.actors.graph.FLOWS` with its handler, ``ports`` bound."""
    return bind(graph.FLOWS, (
        FlowStep(graph.EDI_INBOUND, partial(edi_inbound.handle, ports)),
        FlowStep(graph.MARKETPLACE_INBOUND, partial(marketplace.handle, ports)),
        FlowStep(graph.ORDERS_TO_ERP, partial(orders.to_erp, ports)),
        FlowStep(graph.ORDERS_AMEND, partial(amend.handle, ports)),
        FlowStep(graph.ORDERS_TO_WAREHOUSE, partial(orders.to_warehouse, ports)),
        FlowStep(graph.ORDERS_ACKNOWLEDGE, partial(channel_acks.acknowledge, ports)),
        FlowStep(graph.ORDERS_TO_BUYER, partial(po_ack.acknowledge, ports)),
        FlowStep(graph.SHIPMENTS_TO_ERP, partial(shipments.to_erp, ports)),
        FlowStep(graph.SHIPMENTS_TO_BUYER, partial(shipments.to_buyer, ports)),
        FlowStep(graph.SHIPMENTS_TO_MARKETPLACE, partial(shipments.to_marketplace, ports)),
        FlowStep(graph.INVOICES_TO_ERP, partial(invoices.to_erp, ports)),
        FlowStep(graph.INVOICES_TO_BUYER, partial(invoices.to_buyer, ports)),
        FlowStep(graph.OUTBOX_DELIVER, partial(delivery.handle, ports)),
        FlowStep(graph.SETTLEMENTS_POST, partial(settlements.post_step, ports)),
        FlowStep(graph.RETURNS_APPLY, partial(returns.apply_step, ports)),
        FlowStep(graph.INVENTORY_APPLY, partial(inventory.apply, ports)),
        FlowStep(graph.INVENTORY_PUSH, partial(inventory.push, ports)),
        FlowStep(graph.INVENTORY_ADVISE, partial(inventory.advise, ports)),
    ), store=ports.store)  # fmt: skip


def call(
    ports: FlowPorts, step: graph.Step[D], envelope: Envelope, document: D, *, session: Session | None = None
) -> list[Outgoing]:
    """Run ``step``'s handler once, as its actor would, without a broker: its real binding, its
    :class:`~crossdock.actors.context.StepContext` (in ``session``, or in a write transaction committed
    when the handler returns), its edges checked. For tests and tools; returns what it would send."""
    [bound] = [s for s in flow_steps(ports) if s.step == step]
    return steps.call(bound, envelope, document, session=session)
