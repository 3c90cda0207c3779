"""A transaction set over the reader's size limits is refused, named, before it is held."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.edi.reader import MAX_SET_BYTES, MAX_SET_SEGMENTS, X12Reader
from crossdock.errors import EdiError, EdiLimitError

from .samples import group, interchange, order_set, render

pytestmark = pytest.mark.timeout(120)


def test_the_defaults_are_a_million_segments_or_64_mib() -> None:
    assert (MAX_SET_SEGMENTS, MAX_SET_BYTES) == (1_000_000, 64 * 1024 * 1024)


def test_a_set_with_too_many_segments_is_refused_by_name_and_position() -> None:
    # Given a small set, then one of 503 segments (ST, BEG, REF, 499 PO1, CTT, SE)
    data = render(interchange(groups=[group("1", [order_set("0001"), order_set("0002", lines=499)])]))
    reader = X12Reader(data, max_set_segments=200, chunk_size=512)
    sets = reader.transaction_sets()
    # When it is read, Then the first set comes through and the second is refused at its ST
    assert next(sets).control_number == "0001"
    with pytest.raises(EdiLimitError) as caught:
        next(sets)
    error = caught.value
    assert "850 0002" in str(error) and "more than 200 segments" in str(error)
    assert error.segment_id == "ST" and error.segment_index == 8 and error.offset is not None
    assert data[error.offset : error.offset + 12] == b"ST*850*0002~"


def test_a_set_over_the_byte_limit_is_refused() -> None:
    data = render(interchange(groups=[group("1", [order_set("0001", lines=300)])]))
    with pytest.raises(EdiLimitError, match=r"850 0001 .* more than 4096 bytes"):
        list(X12Reader(data, max_set_bytes=4096, chunk_size=1024).transaction_sets())
    assert len(list(X12Reader(data, max_set_bytes=len(data)).transaction_sets())) == 1


def test_a_set_without_se_is_refused_at_the_limit_not_at_the_end_of_the_input() -> None:
    # Given a stream that never ends a set (a partner's runaway file), generated as it is read
    head = render(interchange(groups=[group("1", [])]))[: -len(b"GE*0*1~\nIEA*1*000000001~\n")] + b"ST*850*0001~\n"

    class Endless(io.RawIOBase):
        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = (head if self.served == 0 else b"") + b"PO1*1*5*EA*9.99**UP*012345678905~\n" * 100
            chunk = chunk[: len(buffer)]
            buffer[: len(chunk)] = chunk
            self.served += len(chunk)
            if self.served > 50_000_000:
                raise AssertionError("the reader kept reading past its limit")
            return len(chunk)

    stream = Endless()
    with pytest.raises(EdiLimitError, match="more than 5000 segments"):
        list(X12Reader(io.BufferedReader(stream), max_set_segments=5000).transaction_sets())
    assert stream.served < 1_000_000


@settings(max_examples=60, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=5),
    max_segments=st.integers(min_value=3, max_value=70),
    chunk_size=st.sampled_from([7, 64, 4096]),
)
def test_sets_within_the_limit_read_and_the_first_over_it_is_named(
    lines: list[int], max_segments: int, chunk_size: int
) -> None:
    sets = [order_set(f"{n:04d}", lines=count) for n, count in enumerate(lines, 1)]
    data = render(interchange(groups=[group("1", sets)]))
    read = []
    try:
        for ts in X12Reader(data, max_set_segments=max_segments, chunk_size=chunk_size).transaction_sets():
            read.append(ts)
    except EdiLimitError as exc:
        first_over = next(n for n, count in enumerate(lines, 1) if count + 5 > max_segments)
        assert f"850 {first_over:04d}" in str(exc)
    except EdiError as exc:  # pragma: no cover - a valid file must read
        raise AssertionError(exc) from exc
    else:
        assert all(count + 5 <= max_segments for count in lines)
    assert all(len(ts.segments) + 2 <= max_segments for ts in read)
    assert len(read) == next((n - 1 for n, count in enumerate(lines, 1) if count + 5 > max_segments), len(lines))
