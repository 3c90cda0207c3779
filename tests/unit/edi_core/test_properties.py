"""Property tests: whatever the bytes, the reader and the envelope checker raise only EdiError, and finish."""

from __future__ import annotations

import contextlib
import io
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.edi.envelope import check_envelopes
from crossdock.edi.reader import X12Reader
from crossdock.errors import EdiError

from .samples import group, interchange, isa, order_set, render

pytestmark = pytest.mark.timeout(120)

VALID = [
    render(interchange()),
    render(interchange(groups=[group("1", [order_set("0001", lines=2), order_set("0002")]), group("2")]),
           suffix="\r\n"),
    render(interchange(component=":", version="00501", repetition="^"), element="+", terminator="'", suffix=""),
    render(interchange(), element="~", terminator="\n", suffix=""),
    render(interchange(component="\x1f"), element="\x1d", terminator="\x1c", suffix=""),
    render(interchange("000000001")) + render(interchange("000000002"), element="|", suffix=""),
]
SETTINGS = settings(max_examples=200, deadline=timedelta(seconds=2),
                    suppress_health_check=[HealthCheck.too_slow])


def read_everything(data: bytes, chunk_size: int = 8192) -> None:
    """Run every public reading path; anything but EdiError escapes and fails the test."""
    with contextlib.suppress(EdiError):
        list(X12Reader(io.BytesIO(data), chunk_size=chunk_size).transaction_sets())
    with contextlib.suppress(EdiError):
        list(X12Reader(data, chunk_size=chunk_size).segments())
    with contextlib.suppress(EdiError):
        check_envelopes(data)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_edi_error(data: bytes) -> None:
    read_everything(data)


@SETTINGS
@given(st.sampled_from([render([isa()], suffix=""), render([isa()], terminator="\n", suffix="")]),
       st.binary(max_size=1024), st.integers(min_value=1, max_value=64))
def test_bytes_after_a_valid_isa_raise_only_edi_error(head: bytes, tail: bytes, chunk_size: int) -> None:
    read_everything(head + tail, chunk_size)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if kind == "flip":
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif kind == "delete":
            del data[at:at + draw(st.integers(min_value=1, max_value=20))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b"~", b"*", b"\n", b"\r\n", b"ISA", b"ST*850*0001~", b"SE*", b"GS*PO~", b"IEA*1~", b"\x1a"]))
        elif kind == "truncate":
            del data[at:]
        else:
            end = draw(st.integers(min_value=at, max_value=len(data)))
            data[at:at] = data[at:end]
    return bytes(data)


@SETTINGS
@given(mutated(), st.sampled_from([3, 17, 8192]))
def test_mutated_valid_files_raise_only_edi_error(data: bytes, chunk_size: int) -> None:
    read_everything(data, chunk_size)


@SETTINGS
@given(st.sampled_from(VALID), st.integers(min_value=1, max_value=50))
def test_valid_files_read_the_same_at_any_chunk_size(data: bytes, chunk_size: int) -> None:
    whole = [(s.elements, s.offset) for s in X12Reader(data).segments()]
    assert [(s.elements, s.offset) for s in X12Reader(data, chunk_size=chunk_size).segments()] == whole


DELIMITER_SETS = [("*", ">", "~", "\n"), ("|", ":", "'", ""), ("+", ":", "'", "\r\n"), ("~", "|", "\n", ""),
                  ("\x1d", "\x1f", "\x1c", "")]
VALUES = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="*>~|:'+^\r\n\x1c\x1d\x1f",
                                        exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12)


@SETTINGS
@given(st.sampled_from(DELIMITER_SETS), st.sampled_from(["004010", "005010"]),
       st.lists(st.lists(VALUES, min_size=1, max_size=6), min_size=1, max_size=8))
def test_what_the_writer_writes_reads_back(delimiters: tuple[str, str, str, str], version: str,
                                           rows: list[list[str]]) -> None:
    from datetime import datetime

    from crossdock.edi.control import InMemoryControlNumbers
    from crossdock.edi.partners import PartnerProfile
    from crossdock.edi.segment import Segment
    from crossdock.edi.writer import build_interchange

    element, component, terminator, suffix = delimiters
    profile = PartnerProfile(name="p", sender_id="A", receiver_id="B", version=version,  # type: ignore[arg-type]
                             element_separator=element, component_separator=component,
                             segment_terminator=terminator, segment_suffix=suffix)
    body = [Segment.of("N9", *values) for values in rows]
    data = build_interchange(profile, "PO", [("850", body)], InMemoryControlNumbers(), now=datetime(2024, 1, 2))
    reader = X12Reader(data)
    (one,) = reader.transaction_sets()
    expected = []
    for values in rows:
        elements = ["N9", *values]
        while len(elements) > 1:  # trailing spaces of the last element are suppressed, then empty ones dropped
            elements[-1] = elements[-1].rstrip(" ")
            if elements[-1]:
                break
            elements.pop()
        expected.append(elements)
    assert [s.elements for s in one.segments] == expected
    (report,) = check_envelopes(data)
    assert report.ok
