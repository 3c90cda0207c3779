"""Store-backed inbound sinks: where the SFTP poller and the webhook receiver hand what they received.

Both keep the bytes in the raw payload store, then send the first message of the flow (an
:class:`~crossdock.canonical.inbound.InboundPayload` reference, never the bytes), then mark the payload
*accepted*. A payload counts as already delivered only once it is accepted, so:

* a crash between storing and sending leaves the payload stored but not accepted: the next poll does
  not call it a duplicate, stores it again (``put_once``: the same row) and sends it;
* a crash between sending and marking sends it a second time on the next poll, with the SAME
  idempotency key (``raw-payload:<id>``): the first step's idempotency mark skips the second copy.

Either way the flow runs exactly once per file.

Duplicates: a file counts as delivered before when an accepted payload has the same source, name and
content, or the same ISA sender, ISA13 and content. The same sender and ISA13 with OTHER content is a
new interchange (partners reset and wrap their counters): it is processed like any other, with a
warning kept on its raw payload row and journaled (``crossdock trace <ISA13>`` shows it).

Two pollers on one mailbox: ``store_raw`` is ``put_once`` (one row per file, atomic), and
:meth:`StoreInboundSink.hold` is the poller's per-mailbox lock in the store (a PostgreSQL advisory
lock, so it holds across hosts).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from crossdock.actors import graph
from crossdock.bridges.rest.polling import ORDER_ID_HEADER, POLLED, SOURCE_HEADER
from crossdock.bridges.sftp.sink import InboundFile
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inbound import InboundPayload
from crossdock.errors import Owner
from crossdock.store import HopStatus, JournalEvent, RawRef, Store, sha256_hex

log = logging.getLogger(__name__)

Send = Callable[[str, Envelope, CanonicalModel], None]
"""``send(step_name, envelope, document)``: what :func:`crossdock.actors.steps.sender` returns."""

EDI_INBOUND = graph.EDI_INBOUND.name
MARKETPLACE_INBOUND = graph.MARKETPLACE_INBOUND.name
X12_CONTENT_TYPE = "application/edi-x12"


def payload_key(payload_id: int) -> str:
    """The idempotency key of the first message for a stored payload: the same on every re-send."""
    return f"raw-payload:{payload_id}"


def inbound_message(ref: RawRef, source: str) -> tuple[Envelope, InboundPayload]:
    document = InboundPayload(
        payload_id=ref.id,
        source=ref.source,
        name=ref.name,
        sha256=ref.sha256,
        size=ref.size,
        sender_id=ref.sender,
        interchange_control_number=ref.interchange_control,
    )
    envelope = Envelope(idempotency_key=payload_key(ref.id), source=source, document_type="inbound_payload")
    return envelope, document


def _hand_on(store: Store, send: Send, step: str, payload_id: int) -> None:
    ref = store.raw.ref(payload_id)
    if ref is None:
        raise KeyError(f"enqueue of raw payload {payload_id}, which is not stored")
    envelope, document = inbound_message(ref, ref.source)
    send(step, envelope, document)
    store.raw.mark_accepted(payload_id)


class StoreInboundSink:
    """The SFTP poller's :class:`~crossdock.bridges.sftp.sink.InboundSink` over the raw store and the broker."""

    def __init__(self, store: Store, send: Send, *, step: str = EDI_INBOUND) -> None:
        self.store = store
        self.send = send
        self.step = step

    @staticmethod
    def source(item: InboundFile) -> str:
        return f"sftp:{item.partner}"

    @contextmanager
    def hold(self, mailbox: str) -> Iterator[bool]:
        """The poller's per-mailbox lock (:class:`~crossdock.bridges.sftp.sink.MailboxLock`), held in
        the store: across processes, and across hosts on PostgreSQL."""
        with self.store.locks.hold(f"mailbox:{mailbox}") as held:
            yield held

    def find_duplicate(self, item: InboundFile) -> str | None:
        raw = self.store.raw
        seen = raw.seen_file(self.source(item), item.name, item.sha256, accepted_only=True)
        if seen is not None:
            return f"already received {item.name} with the same content (raw payload {seen.id})"
        if item.isa is not None:
            isa = item.isa
            seen = raw.seen_interchange(isa.sender_id, isa.control_number, sha256=item.sha256, accepted_only=True)
            if seen is not None:
                return (
                    f"already received interchange {isa} with the same content in {seen.name} "
                    f"(raw payload {seen.id})"
                )
        return None

    def record_duplicate(self, item: InboundFile, reason: str) -> None:
        self._journal(item, HopStatus.DUPLICATE, reason)

    def _journal(self, item: InboundFile, status: HopStatus, message: str, *, error_class: str | None = None) -> None:
        message_id = uuid.uuid4().hex
        self.store.journal.record(
            JournalEvent(
                message_id=message_id,
                correlation_id=message_id,
                actor="sftp.inbound",
                queue=self.source(item),
                status=status,
                payload_sha256=item.sha256,
                error_class=error_class,
                error_message=message,
                business_keys=_file_keys(item),
            )
        )

    def record_rejected(self, item: InboundFile, data: bytes, reason: str) -> None:
        with self.store.db.write() as session:
            ref = self.store.raw.put(data, source=self.source(item), name=item.name, session=session)
            self.store.exceptions.open(
                owner=Owner.INTEGRATION,
                error_class="UnreadableFile",
                error_message=f"{self.source(item)} file {item.name}: {reason}",
                business_key=f"file:{item.name}",
                actor="sftp.inbound",
                queue=self.source(item),
                raw_payload_id=ref.id,
                session=session,
            )

    def store_raw(self, item: InboundFile, data: bytes) -> str:
        warning = self._reuse_warning(item)
        ref = self.store.raw.put_once(
            data,
            source=self.source(item),
            name=item.name,
            sender=item.isa.sender_id if item.isa else None,
            interchange_control=item.isa.control_number if item.isa else None,
            content_type=X12_CONTENT_TYPE,
            warning=warning,
        )
        if warning is not None and ref.warning == warning and ref.accepted_at is None:
            log.warning("%s file %s (raw payload %d): %s", self.source(item), item.name, ref.id, warning)
            self._journal(item, HopStatus.RECEIVED, warning, error_class="InterchangeControlReused")
        return str(ref.id)

    def _reuse_warning(self, item: InboundFile) -> str | None:
        if item.isa is None:
            return None
        earlier = self.store.raw.interchange_reused(item.isa.sender_id, item.isa.control_number, item.sha256)
        if earlier is None:
            return None
        return (
            f"ISA13 {item.isa.control_number} from {item.isa.sender_id} was already used by {earlier.name} "
            f"(raw payload {earlier.id}, received {earlier.received_at:%Y-%m-%d %H:%M} UTC) with different "
            "content: processed as a new interchange (control number reused by the sender)"
        )

    def enqueue(self, ref: str, item: InboundFile) -> None:
        _hand_on(self.store, self.send, self.step, int(ref))


def _file_keys(item: InboundFile) -> list[tuple[str, str]]:
    keys = [("file", item.name)]
    if item.isa is not None:
        keys.append(("interchange_control_number", item.isa.control_number))
    return keys


DELIVERY_ID_HEADERS = ("x-shopify-webhook-id", "x-amzn-notification-id", "wm-correlation-id")


class StoreWebhookSink:
    """The webhook receiver's :class:`~crossdock.bridges.rest.sink.RawSink` over the raw store and the broker.

    A delivery the marketplace retries (same delivery id, same body) is the same stored row, so its
    message carries the same idempotency key and runs once. A polled order (headers ``source: poll``
    and ``order_id``, from :func:`crossdock.bridges.rest.polling.hand_page`) is stored as source
    ``poll:<channel>``, name ``order:<order id>``: the same order polled again with the same content is
    the same row and the same key; changed content (a status change, a cancellation) is a new row, and
    ``orders.to_erp`` books the order once whatever carried it (its key is the channel and order id)."""

    blocking = True
    """It does database IO: the receiver calls it in a worker thread."""

    def __init__(self, store: Store, send: Send, *, step: str = MARKETPLACE_INBOUND) -> None:
        self.store = store
        self.send = send
        self.step = step

    def store_raw(self, channel: str, body: bytes, headers: Mapping[str, str]) -> str:
        lowered = {name.lower(): value for name, value in headers.items()}
        name: str | None
        if lowered.get(SOURCE_HEADER) == POLLED and lowered.get(ORDER_ID_HEADER):
            source, name = f"{POLLED}:{channel}", f"order:{lowered[ORDER_ID_HEADER]}"
        else:
            source = f"webhook:{channel}"
            name = next((lowered[h] for h in DELIVERY_ID_HEADERS if lowered.get(h)), None)
        ref = self.store.raw.put_once(
            body,
            source=source,
            name=name or f"sha256:{sha256_hex(body)}",
            content_type="application/json",
            headers=headers,
        )
        return str(ref.id)

    def enqueue(self, ref: str) -> None:
        _hand_on(self.store, self.send, self.step, int(ref))
