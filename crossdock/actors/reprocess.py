"""Reprocess: run a stored raw payload (an 850 file, a webhook body, a polled order) from the first
step of its flow again, as a deliberate new attempt.

When the cause of a parked order is upstream of the step that parked it (a channel customer missing
from ``flows.yaml``, an item map fixed in config), replaying the parked message cannot help: it holds
the document as it was mapped. Polling the file again is refused as a duplicate. Reprocessing sends a
new first message for the stored payload with a FRESH idempotency key
(``raw-payload:<id>:reprocess:<attempt>``), so the first step runs again; every later step keeps its
business key (the order's channel and id), so an order that was booked already is a duplicate there,
the ERP's lookup by external reference still finds one ERP order, and one 940 goes out. Each
reprocess is audited (``reprocess`` on ``raw:<id>``) and, when it comes from an exception item, added
to that item's history; the item is resolved when the parked step succeeds for its key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crossdock.actors import graph
from crossdock.actors.intake import EDI_INBOUND, MARKETPLACE_INBOUND, inbound_message, payload_key
from crossdock.broker import codec
from crossdock.broker.lanes import Lane
from crossdock.broker.republish import Republisher
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inbound import InboundPayload
from crossdock.store import AttemptKind, AuditAction, RawRef, Store, WorkItem

Publish = Callable[[str, Envelope, InboundPayload], None]
"""``publish(step, envelope, document)``: sends the first message of the flow (with confirms)."""

FIRST_STEPS = {"sftp": EDI_INBOUND, "webhook": MARKETPLACE_INBOUND, "poll": MARKETPLACE_INBOUND}
FIRST_STEP_LANES: dict[str, Lane] = {step.name: step.lane for step in (graph.EDI_INBOUND, graph.MARKETPLACE_INBOUND)}
"""The queue of each first step (from the flow graph)."""


class ReprocessError(LookupError):
    """The payload cannot be reprocessed (not stored, or not something a flow starts from)."""


@dataclass(frozen=True, slots=True)
class Reprocessed:
    payload_id: int
    step: str
    message_id: str
    idempotency_key: str
    items: tuple[int, ...]
    """The exception items this attempt was recorded on."""


def first_step(ref: RawRef) -> str:
    step = FIRST_STEPS.get(ref.source.partition(":")[0])
    if step is None:
        raise ReprocessError(
            f"raw payload {ref.id} came from {ref.source!r}: no flow starts from it (reprocess takes stored "
            "inbound files, webhook bodies and polled orders)"
        )
    return step


def origin_payload(store: Store, item: WorkItem) -> int:
    """The raw payload the item's flow started from: the inbound payload its first message names."""
    message_ids: list[int] = []
    if item.raw_payload_id is not None:
        message_ids.append(item.raw_payload_id)  # the parked message itself (a first step's, maybe)
    if item.correlation_id is not None:
        message_ids += [
            h.raw_payload_id
            for h in store.journal.for_correlations([item.correlation_id])
            if h.causation_id is None and h.raw_payload_id is not None
        ]
    for raw_id in message_ids:
        stored = store.raw.get(raw_id)
        if stored is None:
            continue
        try:
            document = codec.decode(stored.content.decode()).document
        except (codec.MessageDecodeError, UnicodeDecodeError):
            continue
        if isinstance(document, InboundPayload):
            return document.payload_id
    raise ReprocessError(
        f"exception item {item.id}: the raw payload its flow started from is not in the store "
        "(the journal of its first hop was pruned, or it did not start from a stored payload)"
    )


def attempt_key(payload_id: int, items: list[WorkItem], step: str) -> str:
    """The first step's idempotency key for a new attempt: fresh, unless every item parked AT the
    first step for this payload's own key (that key was never marked done: the item resolves when
    the first step succeeds for it)."""
    own = payload_key(payload_id)
    if items and all(i.actor == step and i.idempotency_key == own for i in items):
        return own
    return f"{own}:reprocess:{uuid.uuid4().hex[:12]}"


def reprocess(
    store: Store,
    publish: Publish,
    payload_id: int,
    who: str,
    *,
    note: str | None = None,
    items: Sequence[WorkItem] = (),
) -> Reprocessed:
    """Send ``payload_id`` to its flow's first step as a new attempt; audited, and recorded on ``items``."""
    ref = store.raw.ref(payload_id)
    if ref is None:
        raise ReprocessError(f"no raw payload {payload_id} in the store")
    step = first_step(ref)
    envelope, document = inbound_message(ref, ref.source)
    key = attempt_key(payload_id, list(items), step)
    envelope = envelope.model_copy(update={"idempotency_key": key})
    item_ids = tuple(i.id for i in items)
    details = {"message_id": envelope.message_id, "step": step, "idempotency_key": key, "note": note}
    for item_id in item_ids:  # recorded before sending: the attempt's success finds who asked for it
        store.exceptions.record_attempt(
            item_id, AttemptKind.REPROCESS, who, message_id=envelope.message_id, detail=note
        )
    try:
        publish(step, envelope, document)
    except Exception as exc:
        for item_id in item_ids:
            store.exceptions.record_attempt(item_id, AttemptKind.NOT_SENT, who, detail=f"reprocess not sent: {exc!r}")
        raise
    store.audit.record(who, AuditAction.REPROCESS, f"raw:{payload_id}", {**details, "items": list(item_ids)})
    return Reprocessed(payload_id, step, envelope.message_id, key, item_ids)


def publisher_for(publisher: Republisher) -> Publish:
    """A :data:`Publish` that sends through ``publisher`` (with confirms) to the first step's queue."""

    def publish(step: str, envelope: Envelope, document: InboundPayload) -> None:
        publisher.send(queue=FIRST_STEP_LANES[step].value, actor=step, payload=codec.encode(envelope, document))

    return publish


def plan(store: Store, raw: Sequence[int], items: Sequence[WorkItem]) -> dict[int, list[WorkItem]]:
    """Payload id → the items it is reprocessed for (none for a payload named directly): several
    items from one payload (the POs of one 850 file) reprocess it once. Raises :class:`ReprocessError`."""
    planned: dict[int, list[WorkItem]] = {payload_id: [] for payload_id in raw}
    for item in items:
        planned.setdefault(origin_payload(store, item), []).append(item)
    return planned
