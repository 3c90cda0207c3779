"""X12 control numbers from the store: per partner and kind, gap-free, wrapping, surviving restarts."""

from __future__ import annotations

import threading

import pytest

from crossdock.edi.control import MAX_CONTROL_NUMBER, ControlKind, ControlNumberAllocator
from crossdock.store import Store

pytestmark = pytest.mark.integration


def test_numbers_start_at_one_per_partner_and_kind(store: Store) -> None:
    allocator: ControlNumberAllocator = store.control_numbers  # the edi Protocol, checked by mypy
    assert [allocator.next("acme", ControlKind.INTERCHANGE) for _ in range(3)] == [1, 2, 3]
    assert allocator.next("acme", ControlKind.GROUP) == 1
    assert allocator.next("acme", ControlKind.SET) == 1
    assert allocator.next("globex", ControlKind.INTERCHANGE) == 1
    assert store.control_numbers.last("acme", ControlKind.INTERCHANGE) == 3
    assert store.control_numbers.last("nobody", ControlKind.SET) is None


def test_wraps_after_the_largest_number(store: Store) -> None:
    store.control_numbers.set_last("acme", ControlKind.INTERCHANGE, MAX_CONTROL_NUMBER - 1)
    got = [store.control_numbers.next("acme", ControlKind.INTERCHANGE) for _ in range(3)]
    assert got == [MAX_CONTROL_NUMBER, 1, 2]


def test_set_last_continues_an_existing_sequence(store: Store) -> None:
    store.control_numbers.next("acme", ControlKind.GROUP)
    store.control_numbers.set_last("acme", ControlKind.GROUP, 4711)
    assert store.control_numbers.next("acme", ControlKind.GROUP) == 4712
    with pytest.raises(ValueError, match="outside"):
        store.control_numbers.set_last("acme", ControlKind.GROUP, MAX_CONTROL_NUMBER + 1)


def test_unknown_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.control_numbers.next("acme", "isa13")  # type: ignore[arg-type]


def test_survives_an_engine_restart(migrated_db_url: str) -> None:
    first = Store.from_url(migrated_db_url)
    assert [first.control_numbers.next("acme", ControlKind.SET) for _ in range(5)] == [1, 2, 3, 4, 5]
    first.close()
    second = Store.from_url(migrated_db_url)
    try:
        assert second.control_numbers.next("acme", ControlKind.SET) == 6
    finally:
        second.close()


def test_threads_get_unique_gap_free_numbers(store: Store) -> None:
    workers, each = 6, 20
    barrier = threading.Barrier(workers)
    got: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait(timeout=30)
        mine = [store.control_numbers.next("acme", ControlKind.INTERCHANGE) for _ in range(each)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(got) == list(range(1, workers * each + 1))


def test_number_taken_in_a_rolled_back_transaction_is_not_used_up(store: Store) -> None:
    # Given a step that takes a number inside its own transaction and then fails
    with pytest.raises(RuntimeError), store.db.write() as session:
        assert store.control_numbers.next("acme", ControlKind.SET, session=session) == 1
        raise RuntimeError("the 940 could not be uploaded")
    # Then the number is handed out again: no gap
    with store.db.write() as session:
        assert store.control_numbers.next("acme", ControlKind.SET, session=session) == 1
        assert store.control_numbers.next("acme", ControlKind.SET, session=session) == 2
    assert store.control_numbers.next("acme", ControlKind.SET) == 3
