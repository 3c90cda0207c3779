"""Recovery actions shared by the operator's command line and the ops console: replay a parked
message, and list, replay or purge dead letters (the store's journal joined with the broker's copies).

Each action is audited under the person who asked for it. Callers (``crossdock exceptions|dlq``,
``crossdock console``) parse, choose and print; the work is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crossdock.broker.dlq import DeadLetter, DeadLetterQueues, replay_body
from crossdock.broker.republish import Republisher, republisher
from crossdock.store import AttemptKind, AuditAction, ItemStatus, LetterStatus, Store, StoredDeadLetter, WorkItem


def replay_item(
    store: Store, publisher: Republisher, item: WorkItem, who: str, note: str, *, force: bool
) -> str | None:
    """Send a parked message to its step again; returns why not, or ``None`` when sent. The item stays
    open until the step succeeds (in that hop's transaction, by ``who``, with ``note``)."""
    if item.status is not ItemStatus.OPEN and not force:
        return f"exception item {item.id} is {item.status.value}: not replayed (use --force)"
    raw = store.raw.get(item.raw_payload_id) if item.raw_payload_id is not None else None
    if raw is None or item.actor is None or item.queue is None:
        return f"exception item {item.id} has no message to replay (try `crossdock reprocess --item {item.id}`)"
    store.exceptions.record_attempt(item.id, AttemptKind.REPLAY, who, message_id=item.message_id, detail=note)
    try:
        message_id = publisher.send(
            queue=item.queue, actor=item.actor, payload=raw.content.decode(), options={"replay_of_item": item.id}
        )
    except Exception as exc:
        store.exceptions.record_attempt(item.id, AttemptKind.NOT_SENT, who, detail=f"replay not sent: {exc!r}")
        raise
    store.audit.record(who, AuditAction.REPLAY, f"exception:{item.id}", {"message_id": message_id, "note": note})
    return None


@dataclass(frozen=True, slots=True)
class Letter:
    """A dead letter as the operator sees it: the store's row and/or the broker's copy."""

    summary: dict[str, Any]
    body: bytes | None
    stored: StoredDeadLetter | None
    on_broker: DeadLetter | None

    @property
    def id(self) -> str:
        return str(self.summary["id"])

    @property
    def replayable(self) -> bool:
        return bool(self.summary["replayable"]) and self.body is not None


def _stored_summary(row: StoredDeadLetter, on_broker: bool) -> dict[str, Any]:
    return {
        "id": row.message_id,
        "queue": row.queue,
        "actor": row.actor,
        "reason": row.reason,
        "error": row.error,
        "retries": row.retries,
        "business_key": row.business_key,
        "idempotency_key": row.idempotency_key,
        "dead_lettered_at": row.dead_lettered_at.isoformat(),
        "replayable": True,
        "journaled": True,
        "on_broker": on_broker,
    }


def collect_letters(store: Store, queues: Iterable[str], broker_letters: Iterable[DeadLetter]) -> list[Letter]:
    """The store's dead letters of ``queues`` joined with the broker's copies (``broker_letters``,
    read by the caller, who decides what to do when RabbitMQ cannot be read)."""
    wanted = set(queues)
    on_broker = {letter.id: letter for letter in broker_letters}
    letters = []
    for row in store.dead_letters.letters():
        if row.queue in wanted:
            copy = on_broker.pop(row.message_id, None)
            letters.append(Letter(_stored_summary(row, copy is not None), store.dead_letters.body(row), row, copy))
    for copy in on_broker.values():  # only on the broker: rejected before a step ran, or not journaled
        summary = {**copy.summary(), "journaled": False, "on_broker": True}
        letters.append(Letter(summary, copy.body, None, copy))
    return letters


def take_letters(
    store: Store, url: str, chosen: list[Letter], who: str, *, replay: bool, timeout_s: float, note: str | None = None
) -> list[Letter]:
    """Replay (publish, then remove the broker's copy) or purge each letter; mark and audit it.
    Raises what pika raises when RabbitMQ cannot be reached (nothing is marked then)."""
    wanted = {letter.id for letter in chosen}
    queues = sorted({letter.summary["queue"] for letter in chosen})
    dlq = DeadLetterQueues(url, queues, timeout_s=timeout_s)
    selected: Callable[[DeadLetter], bool] = lambda x: x.id in wanted  # noqa: E731
    # The broker's copies first: published (replay) and acknowledged in one pass per queue.
    from_broker = {x.id for x in (dlq.replay if replay else dlq.purge)(selected)}
    if replay:
        with republisher(url, timeout_s=timeout_s) as publisher:
            for letter in chosen:
                if letter.id not in from_broker and letter.body is not None:  # the broker's copy expired
                    publisher.publish(letter.summary["queue"], replay_body(letter.body))
    status = LetterStatus.REPLAYED if replay else LetterStatus.PURGED
    for letter in chosen:
        if letter.stored is not None:
            store.dead_letters.mark(letter.id, status, who)
        action = AuditAction.REPLAY if replay else AuditAction.PURGE
        details = letter.summary if note is None else {**letter.summary, "note": note}
        store.audit.record(who, action, f"dlq:{letter.id}", details)
    return chosen
