"""``marketplace.inbound``: a stored marketplace webhook body → a canonical Order → ``orders.to_erp`` (an
original, recorded received) or ``orders.amend`` (a cancellation or change), see
:func:`crossdock.actors.handlers.lifecycle.route`.

The body is read from the raw store (the receiver or ``crossdock rest poll`` kept it as received); the
channel comes from the payload's source (``webhook:shopify``, ``poll:amazon``). A body that is not JSON
or does not map is a business error for the integration team (parked with the field-level errors),
never a crash. A return request or refund (a Shopify ``refunds/create`` body, a Walmart return order)
becomes its return events for ``returns.apply`` (:mod:`crossdock.canonical.marketplaces.returns`); a
refund with nothing coming back is no return and goes nowhere.
"""

from __future__ import annotations

import json

from crossdock.actors import graph
from crossdock.actors.context import StepContext
from crossdock.actors.handlers import erp_view, lifecycle
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import idempotency_key
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.canonical.marketplaces.returns import return_events
from crossdock.errors import BusinessError


def handle(ports: FlowPorts, ctx: StepContext, document: InboundPayload) -> list[Outgoing]:
    key = f"raw-payload:{document.payload_id}"
    origin, _, channel = document.source.partition(":")
    if origin not in ("webhook", "poll") or not channel:
        raise BusinessError(f"raw payload {document.payload_id}: {document.source!r} is no marketplace source", key=key)
    stored = ports.store.raw.get(document.payload_id)
    if stored is None:
        raise BusinessError(f"raw payload {document.payload_id} ({document.source}) is not in the store", key=key)
    try:
        body = json.loads(stored.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BusinessError(f"{document.source} payload {document.name} is not JSON: {exc}", key=key) from exc
    events = return_events(channel, body)
    if events is not None:
        return [Outgoing(graph.RETURNS_APPLY, event, _return_key(event)) for event in events]
    try:
        order = order_to_canonical(channel, body)
    except ValueError as exc:  # no mapping for this channel
        raise BusinessError(f"{document.source} payload {document.name}: {exc}", key=key) from exc
    customer = ports.channel_customers.get(order.channel.value)
    order = order.model_copy(update={"references": erp_view.with_references(
        order.references, {erp_view.ERP_CUSTOMER: customer})})  # fmt: skip
    out = lifecycle.route(ports, order, ctx.envelope, ctx.session, step=ctx.step, version=f"raw-{document.payload_id}")
    return [] if out is None else [out]


def _return_key(event: ReturnEventDocument) -> str:
    return idempotency_key("return", event.channel.value, event.rma_number, event.kind, event.refund_id or "")
