"""Memory stays flat as the input grows: the reader holds one chunk and one set, never the file."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from crossdock.edi.reader import X12Reader

from .samples import group, interchange, order_set, render

pytestmark = pytest.mark.timeout(120)

ONE = render(interchange(groups=[group("1", [order_set(f"{n:04d}", lines=20) for n in range(1, 40)])]))


class RepeatedInterchanges(io.RawIOBase):
    """A binary stream of ``count`` copies of ``ONE``, generated as it is read (never held whole)."""

    def __init__(self, count: int) -> None:
        self._left = count
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending and self._left:
            self._pending, self._left = ONE, self._left - 1
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def peak_while_reading(count: int) -> tuple[int, int]:
    stream = io.BufferedReader(RepeatedInterchanges(count))
    tracemalloc.start()
    try:
        reader = X12Reader(stream)
        sets = 0
        for _ in reader.transaction_sets():
            sets += 1
        return tracemalloc.get_traced_memory()[1], sets
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_input() -> None:
    # Given the same interchange repeated 5 and 100 times (about 0.15 MB and 3 MB)
    small_peak, small_sets = peak_while_reading(5)
    large_peak, large_sets = peak_while_reading(100)
    # Then twenty times the input needs about the same memory, far less than the input itself
    assert large_sets == 20 * small_sets
    assert large_peak < small_peak * 1.5 + 64 * 1024, (small_peak, large_peak)
    assert large_peak < len(ONE) * 100 / 4, large_peak
