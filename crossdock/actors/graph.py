"""The flow graph: every step crossdock's worker runs, what it takes, its lane, and where it may send.

One line per step (:class:`Step`: actor name, lane, input document class), one line per step in
:data:`EDGES` (the steps it may send to). :mod:`crossdock.actors.flows` binds a handler to each step;
:func:`crossdock.actors.steps.bind` refuses a graph with an edge to an undeclared step, a step without a
handler or a handler for a step outside the graph, and :func:`~crossdock.actors.steps.declare_steps` a
step that may send to a step not declared with it: a worker with a broken graph does not start. At run time the
step runner (:func:`crossdock.actors.steps.run_step`) refuses a document that is not the step's input
class and an :class:`~crossdock.actors.steps.Outgoing` to a step that is not among the sender's edges.

``crossdock flows graph`` prints this graph (Mermaid or the Markdown table of docs/flows.md).

To add a step: a constant below, its line in :data:`EDGES` (and the line of each step that sends to it),
a handler bound in :func:`crossdock.actors.flows.flow_steps`, then ``crossdock flows graph --format
markdown`` into docs/flows.md (a unit test checks the table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from crossdock.broker.lanes import Lane
from crossdock.canonical import Invoice, Order, Shipment
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.inbound import InboundPayload, OutboxDelivery
from crossdock.canonical.inventory import InventoryChange, InventoryPush
from crossdock.canonical.registry import document_type_of
from crossdock.canonical.settlement import SettlementSummary
from crossdock.errors import PermanentError

D = TypeVar("D", bound=CanonicalModel)


class GraphError(PermanentError):
    """The flow graph is broken (an edge to an undeclared step, a step without a handler) or a step
    sent where its edges do not go: a programming error, neither retried nor parked."""


@dataclass(frozen=True, slots=True)
class Step(Generic[D]):
    """One step of a flow: its actor, its queue, and the canonical document it takes."""

    name: str
    """The actor name, ``<flow>.<step>`` (``orders.to_erp``)."""
    lane: Lane
    takes: type[D]
    """The class of the document it takes (the runner checks each message's document against it)."""
    idempotent: bool = True
    """``False``: runs without an idempotency claim (idempotent on its own terms, no transaction held)."""

    @property
    def document_type(self) -> str:
        return document_type_of(self.takes)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Graph:
    """Steps and the steps each may send to; a step with no successors maps to ``()``."""

    edges: Mapping[Step[Any], tuple[Step[Any], ...]]

    @property
    def steps(self) -> tuple[Step[Any], ...]:
        return tuple(self.edges)

    def sends(self, step: Step[Any]) -> tuple[Step[Any], ...]:
        return self.edges[step]

    def step(self, name: str) -> Step[Any]:
        for step in self.edges:
            if step.name == name:
                return step
        raise KeyError(f"no step named {name!r} in the flow graph (steps: {', '.join(s.name for s in self.edges)})")

    def check(self, bound: Iterable[Step[Any]]) -> None:
        """Raise :class:`GraphError` unless every edge goes to a step of the graph, step names are
        unique, and ``bound`` (the steps given a handler) are exactly the graph's steps, once each."""
        names = [s.name for s in self.edges]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise GraphError(f"flow graph: step names declared twice: {', '.join(twice)}")
        for step, targets in self.edges.items():
            for target in targets:
                if target not in self.edges:
                    raise GraphError(f"flow graph: step {step.name} sends to {target.name}, not a declared step")
        handled = list(bound)
        twice = sorted({s.name for s in handled if handled.count(s) > 1})
        if twice:
            raise GraphError(f"flow graph: steps given two handlers: {', '.join(twice)}")
        missing = [s.name for s in self.edges if s not in handled]
        if missing:
            raise GraphError(f"flow graph: steps without a handler: {', '.join(missing)}")
        extra = [s.name for s in handled if s not in self.edges]
        if extra:
            raise GraphError(f"flow graph: handlers for steps not in the graph: {', '.join(extra)}")


# --- the steps ------------------------------------------------------------------------------------

EDI_INBOUND = Step("edi.inbound", Lane.EDI_INBOUND, InboundPayload)
MARKETPLACE_INBOUND = Step("marketplace.inbound", Lane.ORDERS, InboundPayload)
ORDERS_TO_ERP = Step("orders.to_erp", Lane.ERP, Order)
# a cancellation or change: ERP calls, and a 940 cancel / change recorded in the outbox
ORDERS_AMEND = Step("orders.amend", Lane.ERP, Order)
ORDERS_TO_WAREHOUSE = Step("orders.to_warehouse", Lane.EDI_OUTBOUND, Order)
# a marketplace REST call (Walmart's acknowledgment), on the lane of the other ones (to_marketplace)
ORDERS_ACKNOWLEDGE = Step("orders.acknowledge", Lane.SHIPMENTS, Order)
ORDERS_TO_BUYER = Step("orders.to_buyer", Lane.EDI_OUTBOUND, Order)
SHIPMENTS_TO_ERP = Step("shipments.to_erp", Lane.SHIPMENTS, Shipment)
SHIPMENTS_TO_BUYER = Step("shipments.to_buyer", Lane.EDI_OUTBOUND, Shipment)
# a REST call, not an X12 delivery nor an ERP call: must not wait behind order backlogs
SHIPMENTS_TO_MARKETPLACE = Step("shipments.to_marketplace", Lane.SHIPMENTS, Shipment)
INVOICES_TO_ERP = Step("invoices.to_erp", Lane.ERP, Shipment)
INVOICES_TO_BUYER = Step("invoices.to_buyer", Lane.EDI_OUTBOUND, Invoice)
# idempotent on its outbox row, and no transaction held while the file is written
OUTBOX_DELIVER = Step("outbox.deliver", Lane.EDI_OUTBOUND, OutboxDelivery, idempotent=False)
SETTLEMENTS_POST = Step("settlements.post", Lane.SETTLEMENTS, SettlementSummary)
RETURNS_APPLY = Step("returns.apply", Lane.RETURNS, ReturnEventDocument)
INVENTORY_APPLY = Step("inventory.apply", Lane.INVENTORY, InventoryChange)
# idempotent on its own terms (absolute quantities, what was told recorded after the call), and no
# transaction held during the marketplace call: on SQLite the claim's write lock would be held across it
# and the step's own record of what was told could not be written
INVENTORY_PUSH = Step("inventory.push", Lane.INVENTORY, InventoryPush, idempotent=False)
# an 846 of the quantities owed to a B2B partner, recorded in the outbox in the step's transaction
INVENTORY_ADVISE = Step("inventory.advise", Lane.INVENTORY, InventoryPush)

# --- where each step may send ---------------------------------------------------------------------

EDGES: dict[Step[Any], tuple[Step[Any], ...]] = {
    EDI_INBOUND: (ORDERS_TO_ERP, ORDERS_AMEND, SHIPMENTS_TO_ERP, INVENTORY_APPLY, OUTBOX_DELIVER),
    MARKETPLACE_INBOUND: (ORDERS_TO_ERP, ORDERS_AMEND),
    ORDERS_TO_ERP: (ORDERS_TO_WAREHOUSE, ORDERS_ACKNOWLEDGE, ORDERS_TO_BUYER, INVENTORY_APPLY),
    ORDERS_AMEND: (ORDERS_TO_ERP, OUTBOX_DELIVER, INVENTORY_APPLY),
    ORDERS_TO_WAREHOUSE: (OUTBOX_DELIVER,),
    ORDERS_ACKNOWLEDGE: (),
    ORDERS_TO_BUYER: (OUTBOX_DELIVER,),
    SHIPMENTS_TO_ERP: (SHIPMENTS_TO_BUYER, SHIPMENTS_TO_MARKETPLACE, INVOICES_TO_ERP, INVENTORY_APPLY),
    SHIPMENTS_TO_BUYER: (OUTBOX_DELIVER,),
    SHIPMENTS_TO_MARKETPLACE: (),
    INVOICES_TO_ERP: (INVOICES_TO_BUYER,),
    INVOICES_TO_BUYER: (OUTBOX_DELIVER,),
    OUTBOX_DELIVER: (),
    SETTLEMENTS_POST: (),
    RETURNS_APPLY: (),
    INVENTORY_APPLY: (INVENTORY_PUSH, INVENTORY_ADVISE),
    INVENTORY_PUSH: (INVENTORY_PUSH,),
    INVENTORY_ADVISE: (OUTBOX_DELIVER,),
}

FLOWS = Graph(EDGES)
"""crossdock's flow graph."""
