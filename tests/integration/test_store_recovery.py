"""The store side of recovery, on SQLite and PostgreSQL: one open item per step and key with its
history of attempts, resolution by the hop that succeeds (in that hop's transaction), resolving a
resolved item refused unless forced, filters for bulk commands, and dead letters journaled with
their body (found by a unique id prefix)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crossdock.errors import Owner
from crossdock.store import (
    AmbiguousIdError,
    AttemptKind,
    AuditAction,
    ItemFilter,
    ItemStatus,
    LetterStatus,
    NewDeadLetter,
    Store,
    WorkItemStateError,
)

pytestmark = pytest.mark.integration


def park(store: Store, message_id: str, *, key: str = "order-1", step: str = "orders.to_erp", **extra: object) -> int:
    values: dict[str, object] = {
        "owner": Owner.WAREHOUSE,
        "error_class": "ErpRefusedError",
        "error_message": "ERP CreateSalesOrder refused: ITEM_NOT_FOUND: Item X does not exist.",
        "business_key": "PO-1",
        "message_id": message_id,
        "actor": step,
        "queue": "erp",
        "idempotency_key": key,
        "code": "ITEM_NOT_FOUND",
        "channel": "shopify",
    }
    values.update(extra)
    return store.exceptions.open(**values)  # type: ignore[arg-type]


def test_a_replay_that_parks_again_adds_an_attempt_to_the_open_item(store: Store) -> None:
    # Given an order parked at orders.to_erp, replayed by an operator
    item_id = park(store, "m1")
    store.exceptions.record_attempt(item_id, AttemptKind.REPLAY, "ops-anna", message_id="m1", detail="retry")
    # When the replay parks again (same step and key; a reprocess's message has another id)
    assert park(store, "m1") == item_id
    assert park(store, "m2", error_message="still unknown") == item_id
    # Then there is still one open item, with every attempt in its history
    item = store.exceptions.get(item_id)
    assert item.status is ItemStatus.OPEN and item.error_message == "still unknown"
    assert [(a.kind, a.who) for a in item.attempts] == [
        (AttemptKind.PARKED, None), (AttemptKind.REPLAY, "ops-anna"), (AttemptKind.PARKED, None),
        (AttemptKind.PARKED, None),
    ]  # fmt: skip
    assert [i.id for i in store.exceptions.find(ItemFilter())] == [item_id]
    # And another step, or another key, is another item
    assert park(store, "m3", step="orders.to_warehouse") != item_id
    assert park(store, "m4", key="order-2") != item_id


def test_the_hop_that_succeeds_resolves_the_item_in_its_transaction(store: Store) -> None:
    item_id = park(store, "m1")
    other = park(store, "m2", key="order-2")
    store.exceptions.record_attempt(item_id, AttemptKind.REPLAY, "wh-lead", detail="SKU added")
    # A hop that fails after resolving rolls the resolution back with its effect
    with pytest.raises(RuntimeError), store.db.write() as session:
        store.exceptions.resolve_succeeded("orders.to_erp", "order-1", "m9", session=session)
        raise RuntimeError("the step's commit failed")
    assert store.exceptions.get(item_id).status is ItemStatus.OPEN
    # Another step with the same key resolves nothing
    with store.db.write() as session:
        assert store.exceptions.resolve_succeeded("orders.to_warehouse", "order-1", "m9", session=session) == []
    # The step's hop that commits resolves it, by whoever asked for the replay, with their note, audited
    with store.db.write() as session:
        assert store.exceptions.resolve_succeeded("orders.to_erp", "order-1", "m9", session=session) == [item_id]
    item = store.exceptions.get(item_id)
    assert item.status is ItemStatus.RESOLVED and item.resolved_by == "wh-lead"
    assert item.notes[-1].text == "SKU added" and item.attempts[-1].kind is AttemptKind.SUCCEEDED
    [entry] = store.audit.entries(target=f"exception:{item_id}")
    assert entry.action == AuditAction.RESOLVE and entry.who == "wh-lead" and "m9" in entry.details["by"]
    assert store.exceptions.get(other).status is ItemStatus.OPEN
    # Without a replay request the resolver is crossdock itself
    with store.db.write() as session:
        store.exceptions.resolve_succeeded("orders.to_erp", "order-2", "m10", session=session)
    assert store.exceptions.get(other).resolved_by == "crossdock"


def test_resolving_a_resolved_item_is_refused_unless_forced(store: Store) -> None:
    item_id = park(store, "m1")
    store.exceptions.resolve(item_id, "alice", "done")
    with pytest.raises(WorkItemStateError, match="already resolved"):
        store.exceptions.resolve(item_id, "bob", "again")
    assert store.exceptions.resolve(item_id, "bob", "again", force=True).resolved_by == "bob"
    store.exceptions.ignore(item_id, "carol", "test order")
    with pytest.raises(WorkItemStateError, match="already ignored"):
        store.exceptions.ignore(item_id, "carol", "test order")


def test_filters_for_bulk_commands(store: Store) -> None:
    a = park(store, "m1", key="k1")
    b = park(store, "m2", key="k2", code="CUSTOMER_NOT_FOUND", channel="amazon", owner=Owner.INTEGRATION)
    c = park(store, "m3", key="k3", step="orders.to_warehouse", code=None, error_class="MappingError")
    store.exceptions.resolve(c, "alice", "fixed")
    ids = lambda **where: [i.id for i in store.exceptions.find(ItemFilter(**where))]  # noqa: E731
    assert ids() == [a, b]
    assert ids(status=None) == [a, b, c]
    assert ids(code="ITEM_NOT_FOUND") == [a]
    assert ids(code="MappingError", status=ItemStatus.RESOLVED) == [c]  # the error class when there is no code
    assert ids(channel="amazon") == [b] and ids(owner=Owner.WAREHOUSE) == [a]
    assert ids(step="orders.to_warehouse", status=None) == [c]
    assert ids(since=datetime.now(UTC) + timedelta(minutes=1)) == []


def letter(message_id: str, **extra: object) -> NewDeadLetter:
    values: dict[str, object] = {
        "message_id": message_id,
        "queue": "orders",
        "actor": "orders.to_erp",
        "reason": "TransientError: ERP down",
        "body": b'{"message_id": "' + message_id.encode() + b'"}',
        "retries": 5,
        "idempotency_key": "order-1",
    }
    values.update(extra)
    return NewDeadLetter(**values)  # type: ignore[arg-type]


def test_dead_letters_are_journaled_with_their_body_and_found_by_prefix(store: Store) -> None:
    store.dead_letters.record(letter("a1b2c3d4e5f60001"))
    store.dead_letters.record(letter("a1b2c3d4e5f60002"))
    store.dead_letters.record(letter("ffff000011112222", reason="PermanentError: bad"))
    [first, second, third] = store.dead_letters.letters()
    assert (first.message_id, first.retries, first.status) == ("a1b2c3d4e5f60001", 5, LetterStatus.DEAD)
    assert store.dead_letters.body(third) == b'{"message_id": "ffff000011112222"}'
    found = store.dead_letters.get("ffff0000")
    assert found is not None and found.message_id == third.message_id
    assert store.dead_letters.get("ffff") is None  # shorter than 8 characters: no prefix lookup
    with pytest.raises(AmbiguousIdError):
        store.dead_letters.get("a1b2c3d4")
    # A replay marks it; the same message dead-lettered again is one row, dead again
    store.dead_letters.mark(second.message_id, LetterStatus.REPLAYED, "ops-anna")
    assert [x.message_id for x in store.dead_letters.letters()] == [first.message_id, third.message_id]
    store.dead_letters.record(letter("a1b2c3d4e5f60002", retries=2))
    again = store.dead_letters.get("a1b2c3d4e5f60002")
    assert again is not None and again.status is LetterStatus.DEAD and again.retries == 2
    assert len(store.dead_letters.letters(status=None)) == 3
