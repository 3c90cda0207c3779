"""The ERP call pacer: a token bucket shared by a process's threads."""

from __future__ import annotations

import threading
import time

import pytest

from crossdock.bridges.soap import CallPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_calls_are_spaced_at_the_rate() -> None:
    clock = FakeClock()
    pacer = CallPacer(4.0, clock=clock)
    assert [pacer.reserve() for _ in range(4)] == pytest.approx([0.0, 0.25, 0.5, 0.75])


def test_a_burst_goes_at_once_after_a_quiet_spell_and_credit_does_not_pile_up() -> None:
    clock = FakeClock()
    pacer = CallPacer(10.0, burst=3, clock=clock)
    assert [pacer.reserve() for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 0.1])
    clock.now += 3600  # an hour of quiet earns no more than the burst
    assert [pacer.reserve() for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 0.1])


def test_threads_sharing_a_pacer_never_go_faster_than_the_rate() -> None:
    pacer = CallPacer(100.0)
    times: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        for _ in range(5):
            pacer.wait()
            with lock:
                times.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    times.sort()
    # 20 calls at 100/s: the last at least 19 intervals after the first (a lower bound: load only slows it)
    assert len(times) == 20
    assert times[-1] - times[0] >= 19 * 0.01 - 0.005


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        CallPacer(0)
