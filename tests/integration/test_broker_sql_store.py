"""The middleware's store adapter on the real store, SQLite file and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.store import HopStatus as StoredStatus
from crossdock.store import ItemStatus, Store
from crossdock.store.engine import StoreUnavailableError

pytestmark = pytest.mark.integration


def record(message_id: str, status: HopStatus, *, raw: bytes | None = None) -> HopRecord:
    now = datetime.now(UTC)
    return HopRecord(
        message_id=message_id,
        step="orders.ingest",
        queue="orders",
        status=status,
        received_at=now,
        finished_at=now,
        correlation_id="corr-1",
        idempotency_key="key-1",
        source="shopify",
        payload_sha256="0" * 64,
        raw_payload=raw,
        error="BusinessError: unknown SKU" if status is HopStatus.PARKED else None,
        business_keys=(("external_id", "1001"),),
    )


def test_effect_mark_raw_payload_and_journal_commit_together(store: Store) -> None:
    adapter = SqlMessageStore(store)
    claim = adapter.claim("orders.ingest", "key-1", "m-1")
    assert claim is not None
    store.raw.put(b"the effect", source="test", name="effect", session=claim.connection)
    claim.record(record("m-1", HopStatus.SUCCEEDED, raw=b'{"first": "hop"}'))
    claim.commit()

    assert adapter.claim("orders.ingest", "key-1", "m-2") is None  # processed: a duplicate
    [hop] = store.journal.hops("m-1")
    assert hop.status is StoredStatus.SUCCEEDED and hop.raw_payload_id is not None
    assert store.raw.get(hop.raw_payload_id).content == b'{"first": "hop"}'  # type: ignore[union-attr]
    assert store.trace("1001").hops[0].message_id == "m-1"


def test_rollback_leaves_neither_effect_nor_mark(store: Store) -> None:
    adapter = SqlMessageStore(store)
    claim = adapter.claim("orders.ingest", "key-1", "m-1")
    assert claim is not None
    ref = store.raw.put(b"the effect", source="test", name="effect", session=claim.connection)
    claim.record(record("m-1", HopStatus.SUCCEEDED))
    claim.rollback()

    assert store.raw.get(ref.id) is None
    assert store.journal.hops("m-1") == []
    again = adapter.claim("orders.ingest", "key-1", "m-1")
    assert again is not None
    again.rollback()


def test_concurrent_claims_of_one_key_have_one_winner(store: Store) -> None:
    adapter = SqlMessageStore(store)
    barrier = threading.Barrier(4)
    wins: list[str] = []

    def contender(n: int) -> None:
        barrier.wait(10)
        claim = adapter.claim("orders.ingest", "shared", f"m-{n}")
        if claim is not None:
            wins.append(f"m-{n}")
            claim.commit()

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(wins) == 1


def test_parking_opens_an_exception_item_and_journals_it(store: Store) -> None:
    adapter = SqlMessageStore(store)
    adapter.open_exception(record("m-9", HopStatus.PARKED), owner="warehouse", reason="unknown SKU", key="SKU-1")
    [item] = store.exceptions.items(status=ItemStatus.OPEN)
    assert (item.owner.value, item.business_key, item.message_id, item.error_class) == (
        "warehouse",
        "SKU-1",
        "m-9",
        "BusinessError",
    )
    [hop] = store.journal.hops("m-9")
    assert hop.status is StoredStatus.PARKED and hop.error_message.startswith("parked as an exception work item")


def test_a_hop_that_succeeds_resolves_the_item_parked_for_its_step_and_key(store: Store) -> None:
    # Given an item parked for (orders.ingest, key-1) and one for another key
    adapter = SqlMessageStore(store)
    adapter.open_exception(record("m-1", HopStatus.PARKED), owner="warehouse", reason="unknown SKU", key="SKU-1")
    other = replace(record("m-2", HopStatus.PARKED), idempotency_key="key-2")
    adapter.open_exception(other, owner="warehouse", reason="unknown SKU", key="SKU-2")

    # When a hop of the step and key-1 succeeds
    claim = adapter.claim("orders.ingest", "key-1", "m-3")
    assert claim is not None
    claim.record(record("m-3", HopStatus.SUCCEEDED))
    claim.commit()

    # Then the item of key-1 is resolved in that transaction, the other one stays open
    [still_open] = store.exceptions.items(status=ItemStatus.OPEN)
    assert still_open.message_id == "m-2"
    [resolved] = store.exceptions.items(status=ItemStatus.RESOLVED)
    assert resolved.message_id == "m-1"


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_a_hop_connection_killed_between_hops_fails_one_claim_then_is_replaced(store: Store) -> None:
    # Given a hop whose pooled connection PostgreSQL then terminated (the hop pool does not pre-ping)
    adapter = SqlMessageStore(store)
    claim = adapter.claim("orders.ingest", "key-1", "m-1")
    assert claim is not None
    pid = claim.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    claim.commit()
    with store.db.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    # When the next hops claim: at most one fails as a transient error, then the pool reconnects
    failures = 0
    for n in range(2, 5):
        try:
            nxt = adapter.claim("orders.ingest", f"key-{n}", f"m-{n}")
        except StoreUnavailableError:
            failures += 1
            continue
        assert nxt is not None
        nxt.commit()
    assert failures <= 1
    assert store.idempotency.get("orders.ingest", "key-4") is not None
