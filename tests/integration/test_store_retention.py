"""Retention on SQLite and PostgreSQL: old hops and unreferenced payloads go; exceptions, audit and
(by default) idempotency keys stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from crossdock.errors import Owner
from crossdock.store import ClaimOutcome, HopStatus, JournalEvent, Store
from crossdock.store.models import IdempotencyRow, RawPayloadRow

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=120)


def _hop(store: Store, message: str, at: datetime, raw: int | None = None) -> None:
    store.journal.record(
        JournalEvent(
            message_id=message, correlation_id=f"c-{message}", actor="a", queue="q", status=HopStatus.SUCCEEDED,
            started_at=at, raw_payload_id=raw, business_keys={"marketplace_order": f"o-{message}"},
        )
    )  # fmt: skip


def _age_raw(store: Store, payload_id: int) -> None:
    with store.db.write() as s:
        s.execute(update(RawPayloadRow).where(RawPayloadRow.id == payload_id).values(received_at=OLD))


def test_prune_old_history(store: Store) -> None:
    # Given old and recent hops, payloads (one still needed by an open exception) and a finished key
    old_raw = store.raw.put(b"old", source="s", name="old")
    kept_raw = store.raw.put(b"exception", source="s", name="exception")
    new_raw = store.raw.put(b"new", source="s", name="new")
    for ref in (old_raw, kept_raw):
        _age_raw(store, ref.id)
    _hop(store, "old", OLD, old_raw.id)
    _hop(store, "new", NOW, new_raw.id)
    item = store.exceptions.open(
        owner=Owner.INTEGRATION, error_class="BusinessError", error_message="x", raw_payload_id=kept_raw.id
    )
    claim = store.idempotency.claim("step", "k")
    store.idempotency.complete(claim)
    with store.db.write() as s:
        s.execute(update(IdempotencyRow).values(finished_at=OLD))
    # When history older than 90 days is pruned
    report = store.prune(before=NOW - timedelta(days=90), who="ops")
    # Then the old hop, its keys and its payload are gone; the rest stays
    assert (report.journal, report.message_keys, report.raw_payloads, report.idempotency_keys) == (1, 1, 1, 0)
    assert store.journal.hops("old") == [] and store.journal.keys("old") == {}
    assert store.raw.get(old_raw.id) is None
    assert store.raw.get(kept_raw.id) is not None and store.raw.get(new_raw.id) is not None
    assert [h.message_id for h in store.trace("o-new").hops] == ["new"]
    assert store.exceptions.get(item).raw_payload_id == kept_raw.id
    assert store.idempotency.claim("step", "k").outcome is ClaimOutcome.DONE
    (entry,) = store.audit.entries(action="purge")
    assert entry.who == "ops" and entry.target == "store:retention" and entry.details["journal"] == 1
    # And forgetting old idempotency keys happens only when asked
    assert store.prune(before=NOW - timedelta(days=90), who="ops", idempotency_keys=True).idempotency_keys == 1
    assert store.idempotency.claim("step", "k").outcome is ClaimOutcome.CLAIMED


def test_prune_refuses_naive_cutoff(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone"):
        store.prune(before=datetime(2026, 1, 1), who="ops")  # naive on purpose
