"""The store-backed SFTP sink: a file counts as delivered only once its message was sent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from crossdock.actors.graph import EDI_INBOUND, MARKETPLACE_INBOUND
from crossdock.actors.intake import StoreInboundSink, StoreWebhookSink, payload_key
from crossdock.actors.steps import FlowStep, declare_steps, sender
from crossdock.bridges.sftp.sink import InboundFile, IsaKey
from crossdock.broker import codec
from crossdock.broker.setup import build_broker
from crossdock.canonical.inbound import InboundPayload
from crossdock.settings import load_settings
from crossdock.store import ItemStatus, Store
from crossdock.store.models import JournalRow

X12 = b"ISA*00*...~GS*SH~ST*856*0001~SE*2*0001~GE*1*1~IEA*1*000000001~"


class CrashBeforeSendError(Exception):
    pass


@pytest.fixture
def broker() -> Iterator[StubBroker]:
    built = build_broker(load_settings(environ={}), metrics=False)
    assert isinstance(built, StubBroker)
    declare_steps(built, [FlowStep(EDI_INBOUND, lambda ctx, document: None)])
    yield built
    built.close()


def item(name: str = "in_0001.edi", data: bytes = X12, control: str = "000000001") -> InboundFile:
    return InboundFile("acme3pl", name, len(data), hashlib.sha256(data).hexdigest(), IsaKey("ZZ", "ACME3PL", control))


def drain(broker: StubBroker, queue_name: str = "edi.inbound") -> list[codec.Decoded]:
    """Take every message waiting on the in-memory queue, decoded."""
    queue = broker.queues[queue_name]
    raw = [queue.get_nowait() for _ in range(queue.qsize())]
    return [codec.decode(Message.decode(data).args[0]) for data in raw]


def deliver(sink: StoreInboundSink, file: InboundFile, data: bytes) -> str:
    """What the poller does with one complete file, in the poller's order."""
    reason = sink.find_duplicate(file)
    if reason is not None:
        sink.record_duplicate(file, reason)
        return "duplicate"
    ref = sink.store_raw(file, data)
    sink.enqueue(ref, file)
    return "enqueued"


def test_crash_between_store_and_enqueue_is_enqueued_exactly_once_on_the_next_poll(
    sqlite_store: Store, broker: StubBroker
) -> None:
    # Given a sink whose first hand-off crashes after the file is stored, before anything is sent
    send = sender(broker)
    calls = {"n": 0}

    def crashing_send(step: str, envelope, document) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise CrashBeforeSendError("worker died between store and enqueue")
        send(step, envelope, document)

    sink = StoreInboundSink(sqlite_store, crashing_send)
    file = item()
    with pytest.raises(CrashBeforeSendError):
        deliver(sink, file, X12)
    assert broker.queues["edi.inbound"].qsize() == 0
    # When the next poll sees the same file, and the one after that
    assert deliver(sink, file, X12) == "enqueued"
    assert deliver(sink, file, X12) == "duplicate"
    # Then it was stored once and enqueued exactly once
    [decoded] = drain(broker)
    assert isinstance(decoded.document, InboundPayload)
    assert decoded.envelope.idempotency_key == payload_key(decoded.document.payload_id)
    stored = sqlite_store.raw.get(decoded.document.payload_id)
    assert stored is not None and stored.content == X12 and stored.ref.accepted_at is not None


def test_crash_after_send_resends_with_the_same_idempotency_key(sqlite_store: Store, broker: StubBroker) -> None:
    # Given a hand-off that sends, then dies before marking the payload accepted
    send = sender(broker)
    sink = StoreInboundSink(sqlite_store, send)
    file = item()
    ref = sink.store_raw(file, X12)
    send("edi.inbound", *_message(sqlite_store, int(ref)))
    # When the next poll delivers the file again
    assert deliver(sink, file, X12) == "enqueued"
    # Then both copies carry the same key, so the first step's idempotency mark runs it once
    messages = drain(broker)
    assert len(messages) == 2
    assert {m.envelope.idempotency_key for m in messages} == {payload_key(int(ref))}


def test_same_interchange_under_another_name_is_a_duplicate_once_accepted(
    sqlite_store: Store, broker: StubBroker
) -> None:
    sink = StoreInboundSink(sqlite_store, sender(broker))
    assert deliver(sink, item("first.edi"), X12) == "enqueued"
    assert deliver(sink, item("again.edi"), X12) == "duplicate"
    assert len(drain(broker)) == 1
    [row] = [h for h in sqlite_store.journal.for_correlations(_correlations(sqlite_store)) if h.status == "duplicate"]
    assert "same content" in (row.error_message or "") and "first.edi" in (row.error_message or "")


def test_a_reused_isa13_with_other_content_is_processed_with_a_warning(sqlite_store: Store, broker: StubBroker) -> None:
    # Given an interchange delivered, then the partner's counter wrapped and ISA13 1 came back
    sink = StoreInboundSink(sqlite_store, sender(broker))
    assert deliver(sink, item("first.edi"), X12) == "enqueued"
    reused = X12.replace(b"ST*856*0001", b"ST*856*0002")
    # When the new interchange arrives (under a new name)
    assert deliver(sink, item("wrapped.edi", reused), reused) == "enqueued"
    # Then it is handed on like any new file, and its record carries the warning
    first, second = drain(broker)
    assert isinstance(second.document, InboundPayload)
    ref = sqlite_store.raw.ref(second.document.payload_id)
    assert ref is not None and ref.accepted_at is not None
    assert ref.warning is not None and "ISA13 000000001" in ref.warning and "first.edi" in ref.warning
    assert isinstance(first.document, InboundPayload)
    first_ref = sqlite_store.raw.ref(first.document.payload_id)
    assert first_ref is not None and first_ref.warning is None
    # And the warning is journaled under the file and the control number (crossdock trace finds it)
    trace = sqlite_store.trace("000000001")
    assert any(h.status == "received" and h.error_class == "InterchangeControlReused" for h in trace.hops)
    # And the same reused interchange sent once more is a duplicate of the second, not of the first
    assert deliver(sink, item("wrapped-again.edi", reused), reused) == "duplicate"


def _correlations(store: Store) -> set[str]:
    with store.db.read() as session:
        return set(session.scalars(select(JournalRow.correlation_id)))


def test_unreadable_file_is_kept_with_an_exception_item(sqlite_store: Store, broker: StubBroker) -> None:
    sink = StoreInboundSink(sqlite_store, sender(broker))
    sink.record_rejected(item("junk.txt", b"hello"), b"hello", "not X12: no ISA segment")
    [work] = sqlite_store.exceptions.items(status=ItemStatus.OPEN)
    assert "junk.txt" in work.error_message and "no ISA" in work.error_message
    assert work.raw_payload_id is not None
    raw = sqlite_store.raw.get(work.raw_payload_id)
    assert raw is not None and raw.content == b"hello"


def test_webhook_redelivery_is_the_same_payload_and_key(sqlite_store: Store, broker: StubBroker) -> None:
    declare_steps(broker, [FlowStep(MARKETPLACE_INBOUND, lambda ctx, document: None)])
    sink = StoreWebhookSink(sqlite_store, sender(broker))
    headers = {"x-shopify-webhook-id": "wh-1", "x-shopify-topic": "orders/create"}
    first = sink.store_raw("shopify", b'{"id": 1}', headers)
    second = sink.store_raw("shopify", b'{"id": 1}', headers)
    assert first == second
    sink.enqueue(first)
    ref = sqlite_store.raw.ref(int(first))
    assert ref is not None and ref.source == "webhook:shopify" and ref.accepted_at is not None


def _message(store: Store, payload_id: int):  # type: ignore[no-untyped-def]
    from crossdock.actors.intake import inbound_message

    ref = store.raw.ref(payload_id)
    assert ref is not None
    return inbound_message(ref, ref.source)


def test_a_polled_order_is_keyed_by_channel_and_order_id(sqlite_store: Store, broker: StubBroker) -> None:
    declare_steps(broker, [FlowStep(MARKETPLACE_INBOUND, lambda ctx, document: None)])
    sink = StoreWebhookSink(sqlite_store, sender(broker))
    polled = {"source": "poll", "order_id": "111-1"}
    # Given an order polled twice with the same content (a state lost, an overlapping poll)
    first = sink.store_raw("amazon", b'{"Order": 1}', polled)
    assert sink.store_raw("amazon", b'{"Order": 1}', polled) == first
    # Then it is one row, under the channel and order id, whose message has one key
    ref = sqlite_store.raw.ref(int(first))
    assert ref is not None and (ref.source, ref.name) == ("poll:amazon", "order:111-1")
    sink.enqueue(first)
    sink.enqueue(sink.store_raw("amazon", b'{"Order": 1}', polled))
    assert [m.envelope.idempotency_key for m in drain(broker, "orders")] == [payload_key(int(first))] * 2
    # And the same order with changed content (a cancellation) is kept as a new row, as is another channel's
    assert sink.store_raw("amazon", b'{"Order": 2}', polled) != first
    assert sink.store_raw("walmart", b'{"Order": 1}', {**polled, "order_id": "111-1"}) != first
    # A webhook body never takes a poll's key by accident: without the poll headers it is a webhook
    webhook = sink.store_raw("amazon", b'{"Order": 1}', {"x-amzn-notification-id": "n-1"})
    webhook_ref = sqlite_store.raw.ref(int(webhook))
    assert webhook_ref is not None and webhook_ref.source == "webhook:amazon"
