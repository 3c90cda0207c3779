"""Idempotency keys on SQLite and PostgreSQL: lifecycle, atomic mode, leases, threads."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from crossdock.store import AuditAction, ClaimOutcome, KeyState, Store

pytestmark = pytest.mark.integration


def test_claim_complete_then_duplicate(store: Store) -> None:
    # Given a first delivery that claims the key and does its effect
    claim = store.idempotency.claim("erp.post_order", "order-1001", message_id="m1")
    assert claim.outcome is ClaimOutcome.CLAIMED and claim.should_run
    # While it runs, a second copy of the message is told to come back later
    assert store.idempotency.claim("erp.post_order", "order-1001", message_id="m2").outcome is ClaimOutcome.BUSY
    # When the first completes
    assert store.idempotency.complete(claim)
    # Then every later delivery is a duplicate, and the key is recorded done
    again = store.idempotency.claim("erp.post_order", "order-1001", message_id="m3")
    assert again.outcome is ClaimOutcome.DONE and not again.should_run
    record = store.idempotency.get("erp.post_order", "order-1001")
    assert record is not None and record.state is KeyState.DONE and record.message_id == "m1"
    assert record.finished_at is not None and record.lease_expires_at is None


def test_keys_are_per_step(store: Store) -> None:
    assert store.idempotency.claim("step.a", "k").should_run
    assert store.idempotency.claim("step.b", "k").should_run


def test_release_lets_the_retry_run(store: Store) -> None:
    claim = store.idempotency.claim("soap.call", "k1", message_id="m1")
    assert store.idempotency.release(claim)
    assert store.idempotency.get("soap.call", "k1") is None
    retry = store.idempotency.claim("soap.call", "k1", message_id="m1")
    assert retry.outcome is ClaimOutcome.CLAIMED


def test_release_and_complete_refuse_a_stale_token(store: Store) -> None:
    first = store.idempotency.claim("soap.call", "k1", message_id="m1", lease_s=0.05)
    time.sleep(0.1)
    second = store.idempotency.claim("soap.call", "k1", message_id="m2")
    assert second.outcome is ClaimOutcome.TAKEN_OVER and second.attempts == 2
    # The first worker comes back late: it no longer owns the key
    assert not store.idempotency.complete(first)
    assert not store.idempotency.release(first)
    assert not store.idempotency.renew(first)
    assert store.idempotency.complete(second)


def test_expired_lease_is_taken_over_once(store: Store) -> None:
    # Given a worker that claimed and then died (its lease runs out)
    store.idempotency.claim("sftp.upload", "940-77", message_id="m1", lease_s=0.05)
    time.sleep(0.1)
    # When two redeliveries race, exactly one takes over
    outcomes = [store.idempotency.claim("sftp.upload", "940-77", message_id=f"r{i}").outcome for i in range(2)]
    assert outcomes == [ClaimOutcome.TAKEN_OVER, ClaimOutcome.BUSY]


def test_same_message_takes_over_at_once_when_asked(store: Store) -> None:
    store.idempotency.claim("sftp.upload", "k", message_id="m1", lease_s=300)
    other = store.idempotency.claim("sftp.upload", "k", message_id="m2", takeover_same_message=True)
    assert other.outcome is ClaimOutcome.BUSY
    assert store.idempotency.claim("sftp.upload", "k", message_id="m1").outcome is ClaimOutcome.BUSY
    same = store.idempotency.claim("sftp.upload", "k", message_id="m1", takeover_same_message=True)
    assert same.outcome is ClaimOutcome.TAKEN_OVER


def test_renew_extends_the_lease(store: Store) -> None:
    claim = store.idempotency.claim("soap.call", "k", lease_s=0.05)
    assert store.idempotency.renew(claim, lease_s=300)
    time.sleep(0.1)
    assert store.idempotency.claim("soap.call", "k").outcome is ClaimOutcome.BUSY


def test_once_commits_claim_and_effect_together(store: Store) -> None:
    with store.idempotency.once("audit.effect", "k1", message_id="m1") as run:
        assert run.should_run
        store.audit.record("worker", AuditAction.REPLAY, "effect:k1", session=run.session)
    with store.idempotency.once("audit.effect", "k1", message_id="m2") as run:
        assert not run.should_run
    assert len(store.audit.entries(target="effect:k1")) == 1
    record = store.idempotency.get("audit.effect", "k1")
    assert record is not None and record.state is KeyState.DONE


def test_once_rolls_back_claim_and_effect_on_error(store: Store) -> None:
    # Given a step whose effect fails half-way
    with pytest.raises(RuntimeError), store.idempotency.once("audit.effect", "k1") as run:
        store.audit.record("worker", AuditAction.REPLAY, "effect:k1", session=run.session)
        raise RuntimeError("boom after the write")
    # Then neither the effect nor the key was kept, so the retry runs
    assert store.idempotency.get("audit.effect", "k1") is None
    assert store.audit.entries(target="effect:k1") == []
    with store.idempotency.once("audit.effect", "k1") as run:
        assert run.should_run


def test_threads_race_for_one_key_exactly_one_claims(store: Store) -> None:
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes: list[ClaimOutcome] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        barrier.wait(timeout=30)
        claim = store.idempotency.claim("race", "the-key", message_id=f"m{i}")
        with lock:
            outcomes.append(claim.outcome)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    counts = Counter(outcomes)
    assert counts[ClaimOutcome.CLAIMED] == 1
    assert counts[ClaimOutcome.BUSY] == workers - 1


def test_threads_race_in_atomic_mode_one_effect(store: Store) -> None:
    workers = 8
    barrier = threading.Barrier(workers)
    ran: list[bool] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        barrier.wait(timeout=30)
        with store.idempotency.once("race.atomic", "the-key", message_id=f"m{i}") as run:
            if run.should_run:
                store.audit.record(f"worker-{i}", AuditAction.REPLAY, "effect:race", session=run.session)
            with lock:
                ran.append(run.should_run)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(ran) == [False] * (workers - 1) + [True]
    assert len(store.audit.entries(target="effect:race")) == 1
