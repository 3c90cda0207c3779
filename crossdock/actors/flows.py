"""The flow steps crossdock's worker declares. Each entry is a :class:`~crossdock.actors.steps.FlowStep`.

Business flows need ports (store, ERP, partners' outbound) built at worker boot: :func:`flow_steps`
binds them to the handlers (:mod:`crossdock.actors.handlers`). ``STEPS`` holds the steps that need no
ports (none yet). See docs/flows.md for actor names, lanes and what each step does.
"""

from __future__ import annotations

from functools import partial

from crossdock.actors.handlers import (
    delivery,
    edi_inbound,
    inventory,
    marketplace,
    orders,
    po_ack,
    returns,
    settlements,
    shipments,
)
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.handlers.x12_out import DELIVER
from crossdock.actors.steps import FlowStep
from crossdock.broker.lanes import Lane

STEPS: tuple[FlowStep, ...] = ()


def flow_steps(ports: FlowPorts) -> tuple[FlowStep, ...]:
    """The business flows: X12 and webhook intake, order to ERP and warehouse, shipment to ERP, buyer and
    marketplace. ``shipments.to_marketplace`` runs on the shipments lane: a REST call, not an X12 delivery
    (edi.outbound) nor an ERP call (erp), and a shipment update that must not wait behind order backlogs.
    ``outbox.deliver`` delivers what the X12 steps recorded in the outbox, after their commit."""
    return (
        FlowStep(edi_inbound.STEP, Lane.EDI_INBOUND, partial(edi_inbound.handle, ports)),
        FlowStep(marketplace.STEP, Lane.ORDERS, partial(marketplace.handle, ports)),
        FlowStep(orders.TO_ERP, Lane.ERP, partial(orders.to_erp, ports)),
        FlowStep(orders.TO_WAREHOUSE, Lane.EDI_OUTBOUND, partial(orders.to_warehouse, ports)),
        FlowStep(po_ack.STEP, Lane.EDI_OUTBOUND, partial(po_ack.acknowledge, ports)),
        FlowStep(shipments.TO_ERP, Lane.SHIPMENTS, partial(shipments.to_erp, ports)),
        FlowStep(shipments.TO_BUYER, Lane.EDI_OUTBOUND, partial(shipments.to_buyer, ports)),
        FlowStep(shipments.TO_MARKETPLACE, Lane.SHIPMENTS, partial(shipments.to_marketplace, ports)),
        # idempotent on its outbox row, and no transaction held while the file is written
        FlowStep(DELIVER, Lane.EDI_OUTBOUND, partial(delivery.handle, ports), {"idempotent": False}),
        FlowStep(settlements.POST, Lane.SETTLEMENTS, partial(settlements.post_step, ports)),
        FlowStep(returns.STEP, Lane.RETURNS, partial(returns.apply_step, ports)),
        FlowStep(inventory.APPLY, Lane.INVENTORY, partial(inventory.apply, ports)),
        FlowStep(inventory.PUSH, Lane.INVENTORY, partial(inventory.push, ports)),
    )
