"""Two pollers on one mailbox, at the store: ``raw.put_once`` from several PROCESSES at once keeps one
row per file, and the per-mailbox lock (``store.locks``) is held by one process at a time and freed
when its holder is killed. On SQLite (one file) and PostgreSQL (advisory locks)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from crossdock.store import Store
from crossdock.store.models import RawPayloadRow

pytestmark = pytest.mark.integration

PROCESSES = 4
FILES = 15
CTX = multiprocessing.get_context("forkserver")
CTX.set_forkserver_preload([__name__])


def _file(number: int) -> bytes:
    return f"ISA*00*file {number}~".encode() * 50


# --- code that runs in the child processes --------------------------------------------------------


def _put_all(url: str, barrier: Any, results: Any) -> None:
    store = Store.from_url(url)
    try:
        barrier.wait(timeout=60)
        ids = []
        for number in range(FILES):
            warning = f"w{os.getpid()}"
            ids.append(store.raw.put_once(_file(number), source="sftp:acme", name=f"f{number}.edi", warning=warning).id)
        results.put(ids)
    finally:
        store.close()


def _hold(url: str, name: str, held: Any) -> None:
    """Take the lock and keep it until killed."""
    store = Store.from_url(url)
    with store.locks.hold(name) as got:
        if got:
            held.set()
        time.sleep(120)


# --- tests -----------------------------------------------------------------------------------------


def test_processes_storing_the_same_files_at_once_keep_one_row_each(migrated_db_url: str, store: Store) -> None:
    # Given four pollers that fetched the same 15 files, storing them at the same moment
    barrier = CTX.Barrier(PROCESSES)
    results = CTX.Queue()
    procs = [CTX.Process(target=_put_all, args=(migrated_db_url, barrier, results)) for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    try:
        collected = [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs), [proc.exitcode for proc in procs]
    # Then every process got the same row for each file, and there is one row per file
    assert all(ids == collected[0] for ids in collected), collected
    with store.db.read() as session:
        per_name = Counter(dict(session.execute(
            select(RawPayloadRow.name, func.count()).group_by(RawPayloadRow.name)
        ).all()))  # fmt: skip
    assert per_name == {f"f{n}.edi": 1 for n in range(FILES)}
    # And each row is whole: its bytes and the warning of the one process that inserted it
    ref = store.raw.get(collected[0][3])
    assert ref is not None and ref.content == _file(3) and (ref.ref.warning or "").startswith("w")


def test_put_once_finds_a_row_kept_before_file_keys_existed(store: Store) -> None:
    # A row kept by put() (or before the migration) has no file key: put_once still returns it
    kept = store.raw.put(b"ISA*old~", source="sftp:acme", name="old.edi")
    assert store.raw.put_once(b"ISA*old~", source="sftp:acme", name="old.edi").id == kept.id


def test_the_mailbox_lock_is_held_by_one_process_and_freed_when_it_is_killed(
    migrated_db_url: str, store: Store
) -> None:
    # Given a poller process holding the lock of one mailbox
    held = CTX.Event()
    proc = CTX.Process(target=_hold, args=(migrated_db_url, "mailbox:sftp://a@h:22/in", held))
    proc.start()
    try:
        assert held.wait(timeout=60), "the child never got the lock"
        # Then another process cannot take it, but can take another mailbox's
        with store.locks.hold("mailbox:sftp://a@h:22/in") as got:
            assert not got
        with store.locks.hold("mailbox:sftp://a@h:22/other") as got:
            assert got
        # When the holder is killed (kill -9: no cleanup of its own)
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=30)
        # Then the lock is free for the next poller (PostgreSQL ends the dead session's backend)
        deadline = time.monotonic() + 20
        while True:
            with store.locks.hold("mailbox:sftp://a@h:22/in") as got:
                if got or time.monotonic() > deadline:
                    break
            time.sleep(0.1)
        assert got, "the killed holder's lock was never freed"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=30)


def test_a_released_lock_can_be_taken_again_in_the_same_process(store: Store) -> None:
    with store.locks.hold("mailbox:x") as first, store.locks.hold("mailbox:x") as second:
        assert (first, second) == (True, False)
    with store.locks.hold("mailbox:x") as again:
        assert again
