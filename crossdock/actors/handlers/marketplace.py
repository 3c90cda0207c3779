"""``marketplace.inbound``: a stored marketplace webhook body → a canonical Order → ``orders.to_erp`` (an
original, recorded received) or ``orders.amend`` (a cancellation or change), see
:func:`crossdock.actors.handlers.lifecycle.route`.

The body is read from the raw store (the receiver or ``crossdock rest poll`` kept it as received); the
channel comes from the payload's source (``webhook:shopify``, ``poll:amazon``). A Shopify webhook's
topic is the ``X-Shopify-Topic`` header the receiver stored with the body (the body does not say it):
``orders/create`` and ``orders/paid`` are an order, ``orders/updated`` a change, ``orders/cancelled`` a
cancellation (:data:`~crossdock.canonical.marketplaces.shopify.ORDER_TOPICS`); ``refunds/create``,
``returns/approve`` and ``returns/decline`` a refund or a return
(:data:`~crossdock.canonical.marketplaces.shopify_returns.TOPICS`): its return events go to
``returns.apply``, a refund with nothing coming back goes nowhere; a polled Walmart return order
likewise. Any other topic (``app/uninstalled`` ...) is journaled as ``ignored`` with its topic and
nothing is sent on. A body that is not JSON or does not map is a business error for the integration team (parked
with the field-level errors), never a crash.

An original order's key is its channel, id and purpose, so a version polled again or an
``orders/paid`` after ``orders/create`` books it once; a change or cancellation's adds its as-of time
(:func:`~crossdock.actors.handlers.lifecycle.amend_key`).
"""

from __future__ import annotations

import json
import logging

from crossdock.actors import graph
from crossdock.actors.context import StepContext
from crossdock.actors.handlers import erp_view, lifecycle
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import idempotency_key
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.marketplaces import order_to_canonical, shopify, shopify_returns
from crossdock.canonical.marketplaces.returns import return_events
from crossdock.errors import BusinessError, MappingError
from crossdock.store import HopStatus, JournalEvent

TOPIC_HEADER = "x-shopify-topic"
log = logging.getLogger(__name__)


def handle(ports: FlowPorts, ctx: StepContext, document: InboundPayload) -> list[Outgoing]:
    key = f"raw-payload:{document.payload_id}"
    origin, _, channel = document.source.partition(":")
    if origin not in ("webhook", "poll") or not channel:
        raise BusinessError(f"raw payload {document.payload_id}: {document.source!r} is no marketplace source", key=key)
    stored = ports.store.raw.get(document.payload_id)
    if stored is None:
        raise BusinessError(f"raw payload {document.payload_id} ({document.source}) is not in the store", key=key)
    topic = None
    if document.source == "webhook:shopify":
        headers = {name.lower(): value for name, value in stored.ref.headers.items()}
        topic = headers.get(TOPIC_HEADER, shopify.CREATE).strip()
        if not shopify.handles(topic) and topic not in shopify_returns.TOPICS:
            ignore(ports, ctx, document, topic)
            return []
    try:
        body = json.loads(stored.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BusinessError(f"{document.source} payload {document.name} is not JSON: {exc}", key=key) from exc
    events = return_events(channel, body) if topic is None or topic in shopify_returns.TOPICS else None
    if events is None and topic in shopify_returns.TOPICS:
        raise MappingError(f"Shopify {topic} webhook {document.name}: the body is no refund or return",
                           [("refund_line_items / return_line_items", "is required")], key=key)  # fmt: skip
    if events is not None:
        return [Outgoing(graph.RETURNS_APPLY, event, return_key(event)) for event in events]
    try:
        order = order_to_canonical(channel, body, topic=topic)
    except ValueError as exc:  # no mapping for this channel
        raise BusinessError(f"{document.source} payload {document.name}: {exc}", key=key) from exc
    customer = ports.channel_customers.get(order.channel.value)
    order = order.model_copy(update={"references": erp_view.with_references(
        order.references, {erp_view.ERP_CUSTOMER: customer})})  # fmt: skip
    out = lifecycle.route(ports, order, ctx.envelope, ctx.session, step=ctx.step, version=f"raw-{document.payload_id}")
    return [] if out is None else [out]


def return_key(event: ReturnEventDocument) -> str:
    """One return event's key, whatever brought it (webhook, poll, report import): a second copy is a duplicate."""
    return idempotency_key("return", event.channel.value, event.rma_number, event.kind, event.refund_id or "")


def ignore(ports: FlowPorts, ctx: StepContext, document: InboundPayload, topic: str) -> None:
    """Journal a webhook whose topic crossdock does not handle: visible in ``crossdock trace`` by its
    delivery id or topic, with its raw payload; not an error, nothing for a person to fix."""
    reason = f"Shopify webhook topic {topic!r} is not handled by crossdock: acknowledged and ignored"
    log.info("raw payload %d: %s", document.payload_id, reason)
    envelope = ctx.envelope
    event = JournalEvent(
        message_id=envelope.message_id,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.causation_id,
        idempotency_key=envelope.idempotency_key,
        actor=ctx.step.name,
        queue=document.source,
        status=HopStatus.IGNORED,
        payload_sha256=document.sha256,
        error_class="IgnoredTopic",
        error_message=reason,
        raw_payload_id=document.payload_id,
        business_keys=[("webhook_topic", topic), ("webhook", document.name)],
    )
    ports.store.journal.record(event, session=ctx.session)
