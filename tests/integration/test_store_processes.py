"""The store under several worker PROCESSES (each with its own engine), on SQLite (one file) and
PostgreSQL: one claim per idempotency key, unique gap-free control numbers, and a worker killed in the
middle of a message leaves nothing half-done.

Children come from a fork server that imported this module once (fast on a busy machine, and no
parent connection is ever shared with a child)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from typing import Any

import pytest

from crossdock.edi.control import ControlKind
from crossdock.store import AuditAction, ClaimOutcome, Store

pytestmark = pytest.mark.integration

PROCESSES = 4
CTX = multiprocessing.get_context("forkserver")
CTX.set_forkserver_preload([__name__])


# --- code that runs in the child processes (module level so spawn can import it) ---------------


def _claim(url: str, barrier: Any, results: Any, index: int) -> None:
    store = Store.from_url(url)
    try:
        barrier.wait(timeout=60)
        results.put(store.idempotency.claim("race.proc", "the-key", message_id=f"m{index}").outcome.value)
    finally:
        store.close()


def _once_with_effect(url: str, barrier: Any, results: Any, index: int) -> None:
    store = Store.from_url(url)
    try:
        barrier.wait(timeout=60)
        with store.idempotency.once("race.proc.atomic", "the-key", message_id=f"m{index}") as run:
            if run.should_run:
                store.audit.record(f"proc-{index}", AuditAction.REPLAY, "effect:proc", session=run.session)
        results.put(run.should_run)
    finally:
        store.close()


def _allocate(url: str, barrier: Any, results: Any, count: int) -> None:
    store = Store.from_url(url)
    try:
        barrier.wait(timeout=60)
        results.put([store.control_numbers.next("acme", ControlKind.INTERCHANGE) for _ in range(count)])
    finally:
        store.close()


def _die_mid_message(url: str, ready: Any) -> None:
    """Claim in both modes, write the effect, then get SIGKILLed before committing."""
    store = Store.from_url(url)
    store.idempotency.claim("soap.post", "order-1", message_id="m1", lease_s=1.0)
    with store.idempotency.once("db.effect", "order-1", message_id="m1") as run:
        store.audit.record("doomed", AuditAction.REPLAY, "effect:killed", session=run.session)
        run.session.flush()
        ready.set()
        time.sleep(60)  # killed here, transaction open


# --- helpers ---------------------------------------------------------------------------------------


def _run(target: Any, url: str, arg_for: Any) -> list[Any]:
    barrier = CTX.Barrier(PROCESSES)
    results = CTX.Queue()
    procs = [CTX.Process(target=target, args=(url, barrier, results, arg_for(i))) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    try:
        collected = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return collected


# --- tests -----------------------------------------------------------------------------------------


def test_processes_race_for_one_key_exactly_one_claims(migrated_db_url: str) -> None:
    outcomes = Counter(_run(_claim, migrated_db_url, lambda i: i))
    assert outcomes == {ClaimOutcome.CLAIMED.value: 1, ClaimOutcome.BUSY.value: PROCESSES - 1}


def test_processes_race_in_atomic_mode_one_effect(migrated_db_url: str, store: Store) -> None:
    ran = _run(_once_with_effect, migrated_db_url, lambda i: i)
    assert sorted(ran) == [False] * (PROCESSES - 1) + [True]
    assert len(store.audit.entries(target="effect:proc")) == 1


def test_control_numbers_from_processes_are_unique_and_gap_free(migrated_db_url: str, store: Store) -> None:
    per_process = 25
    batches = _run(_allocate, migrated_db_url, lambda i: per_process)
    numbers = [n for batch in batches for n in batch]
    assert sorted(numbers) == list(range(1, PROCESSES * per_process + 1))
    for batch in batches:  # each process saw its own numbers increase
        assert batch == sorted(batch)
    assert store.control_numbers.last("acme", ControlKind.INTERCHANGE) == PROCESSES * per_process


def test_worker_killed_mid_message_leaves_no_effect(migrated_db_url: str, store: Store) -> None:
    # Given a worker that claimed its keys and wrote its effect but has not committed
    ready = CTX.Event()
    proc = CTX.Process(target=_die_mid_message, args=(migrated_db_url, ready))
    proc.start()
    try:
        assert ready.wait(timeout=60)
        # When it is killed with SIGKILL
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(timeout=30)
    assert proc.exitcode == -signal.SIGKILL
    # Then the atomic step's key and effect are both gone: the redelivery runs it, once
    deadline = time.monotonic() + 30
    while True:  # PostgreSQL rolls back when it notices the dead connection
        with store.idempotency.once("db.effect", "order-1", message_id="m1") as run:
            if run.should_run:
                store.audit.record("redelivery", AuditAction.REPLAY, "effect:killed", session=run.session)
                break
        assert time.monotonic() < deadline, "the killed worker's transaction was never rolled back"
        time.sleep(0.2)
    entries = store.audit.entries(target="effect:killed")
    assert [e.who for e in entries] == ["redelivery"]
    # And the lease-mode claim is busy until its lease runs out, then taken over once
    assert store.idempotency.claim("soap.post", "order-1", message_id="m1b").outcome is ClaimOutcome.BUSY
    time.sleep(1.1)
    taken = store.idempotency.claim("soap.post", "order-1", message_id="m1b")
    assert taken.outcome is ClaimOutcome.TAKEN_OVER
    assert store.idempotency.complete(taken)
