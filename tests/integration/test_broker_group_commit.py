"""Group commit (``group_commit=True`` steps) on the real store, SQLite file and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crossdock.broker.group_commit import GroupCommitError, GroupCommitter
from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.broker.sql_store import GroupCommitEffectError, SqlMessageStore
from crossdock.store import HopStatus as StoredStatus
from crossdock.store import Store
from crossdock.store.idempotency import Mark

pytestmark = pytest.mark.integration


def record(message_id: str, key: str, *, raw: bytes | None = None) -> HopRecord:
    now = datetime.now(UTC)
    return HopRecord(
        message_id=message_id,
        step="inventory.noop",
        queue="inventory",
        status=HopStatus.SUCCEEDED,
        received_at=now,
        finished_at=now,
        correlation_id=message_id,
        idempotency_key=key,
        source="probe",
        payload_sha256="ab" * 32,
        raw_payload=raw,
        business_keys=(("sku", f"SKU-{message_id}"),),
    )


def test_a_batched_hop_commits_mark_journal_raw_and_keys(store: Store) -> None:
    adapter = SqlMessageStore(store)
    claim = adapter.claim_batched("inventory.noop", "k-1", "m-1")
    assert claim is not None
    claim.record(record("m-1", "k-1", raw=b'{"first": "hop"}'))
    claim.commit()
    adapter.close()

    assert claim.duplicate is False
    [hop] = store.journal.hops("m-1")
    assert hop.status is StoredStatus.SUCCEEDED and hop.payload_sha256 == "ab" * 32
    assert hop.raw_payload_id is not None
    assert store.raw.get(hop.raw_payload_id).content == b'{"first": "hop"}'  # type: ignore[union-attr]
    assert store.journal.keys("m-1") == {"sku": ["SKU-m-1"]}
    assert store.idempotency.get("inventory.noop", "k-1").state.value == "done"  # type: ignore[union-attr]
    # Given the key is marked, when it comes again, then it is skipped before its step runs.
    assert adapter.claim_batched("inventory.noop", "k-1", "m-2") is None
    assert adapter.claim("inventory.noop", "k-1", "m-2") is None


@pytest.mark.parametrize("commit_threads", [1, 3])
def test_many_threads_share_batches_and_each_key_is_marked_once(store: Store, commit_threads: int) -> None:
    adapter = SqlMessageStore(store)
    adapter.committer = GroupCommitter(store, commit_threads=commit_threads)
    errors: list[BaseException] = []
    skipped: list[str] = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                claim = adapter.claim_batched("inventory.noop", f"k-{n}-{i}", f"m-{n}-{i}")
                if claim is None:
                    skipped.append(f"k-{n}-{i}")
                    continue
                claim.record(record(f"m-{n}-{i}", f"k-{n}-{i}", raw=b"x" if i % 2 else None))
                claim.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    # Another delivery of every fifth key of worker 0 races it, possibly in a parallel batch.
    raced = [f"k-0-{i}" for i in range(0, 25, 5)]
    won = [k for k in raced if adapter.committer.commit(Mark("inventory.noop", k, f"other-{k}"), None)]
    for t in threads:
        t.join(120)
    adapter.close()

    assert errors == []
    assert set(skipped) <= set(raced)
    with store.db.engine.connect() as conn:
        marks = conn.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one()
        succeeded = conn.execute(text("SELECT count(*) FROM journal WHERE status = 'succeeded'")).scalar_one()
        repeated = conn.execute(
            text("SELECT count(*) FROM (SELECT message_id FROM journal GROUP BY message_id HAVING count(*) > 1) r")
        ).scalar_one()
    assert marks == 200 and repeated == 0
    assert succeeded + len(won) == 200  # each key ran to a recorded success exactly once
    assert adapter.committer.batches < 200  # hops were grouped


def test_the_same_key_twice_in_one_batch_runs_once_and_journals_a_duplicate(store: Store) -> None:
    committer = GroupCommitter(store)
    results: dict[str, bool] = {}
    barrier = threading.Barrier(2)

    def commit(message_id: str) -> None:
        barrier.wait(10)
        results[message_id] = committer.commit(
            Mark("inventory.noop", "same", message_id), record(message_id, "same", raw=b"{}")
        )

    threads = [threading.Thread(target=commit, args=(m,)) for m in ("m-a", "m-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    committer.close()

    assert sorted(results.values()) == [False, True]
    statuses = {m: [h.status for h in store.journal.hops(m)] for m in results}
    winner = next(m for m, won in results.items() if won)
    loser = next(m for m, won in results.items() if not won)
    assert statuses[winner] == [StoredStatus.SUCCEEDED] and statuses[loser] == [StoredStatus.DUPLICATE]
    assert store.journal.hops(loser)[0].raw_payload_id is None  # the duplicate's payload is not kept again


@pytest.mark.parametrize("db_backend", ["postgresql"])  # row locks of another connection (SQLite locks the file)
def test_commit_returns_only_after_the_rows_are_committed(store: Store, db_backend: str) -> None:
    committer = GroupCommitter(store)
    returned = threading.Event()
    # Given another transaction holds the key's row lock (an uncommitted insert of the same key) ...
    blocker = store.db.engine.connect()
    blocker.execute(
        text(
            "INSERT INTO idempotency_keys (step, key, state, token, message_id, attempts, claimed_at) "
            "VALUES ('inventory.noop', 'held', 'done', 't', 'other', 1, now())"
        )
    )

    def commit() -> None:
        committer.commit(Mark("inventory.noop", "held", "m-1"), record("m-1", "held"))
        returned.set()

    thread = threading.Thread(target=commit)
    thread.start()
    try:
        # ... then the batch waits for it, and the worker thread is not released (not acknowledged).
        assert not returned.wait(1.0)
        assert store.journal.hops("m-1") == []
    finally:
        blocker.rollback()
        blocker.close()
    # When the other transaction rolls back, the batch commits and only then releases the worker.
    assert returned.wait(30)
    thread.join(10)
    committer.close()
    assert [h.status for h in store.journal.hops("m-1")] == [StoredStatus.SUCCEEDED]


def test_a_failing_batch_reports_the_error_to_each_waiting_thread(store: Store) -> None:
    committer = GroupCommitter(store)
    bad = Mark(None, "k-bad", "m-bad")  # type: ignore[arg-type]  # the step column is NOT NULL
    with pytest.raises(GroupCommitError, match="commit failed for message m-bad"):
        committer.commit(bad, record("m-bad", "k-bad"))
    # The committer keeps working for the next hops.
    assert committer.commit(Mark("inventory.noop", "fine", "m-ok"), record("m-ok", "fine")) is True
    committer.close()


def test_a_group_commit_step_cannot_write_effects_through_its_claim(store: Store) -> None:
    adapter = SqlMessageStore(store)
    claim = adapter.claim_batched("inventory.noop", "k-1", "m-1")
    assert claim is not None
    with pytest.raises(GroupCommitEffectError, match="declared group_commit=True"):
        claim.connection  # noqa: B018
    claim.rollback()
    adapter.close()
    assert store.idempotency.get("inventory.noop", "k-1") is None


def test_close_commits_what_is_waiting(store: Store) -> None:
    committer = GroupCommitter(store)
    done = threading.Event()

    def commit() -> None:
        committer.commit(Mark("inventory.noop", "k-close", "m-close"), record("m-close", "k-close"))
        done.set()

    thread = threading.Thread(target=commit)
    thread.start()
    time.sleep(0.05)
    committer.close()
    assert done.wait(30)
    thread.join(10)
    assert len(store.journal.hops("m-close")) == 1
