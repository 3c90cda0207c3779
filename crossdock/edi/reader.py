"""Read X12 from a binary stream (or bytes) into segments and transaction sets, streaming.

PUBLIC API (other modules build on it; keep it stable):

- ``X12Reader(stream, source=None, max_set_segments=, max_set_bytes=)``: ``.segments()`` yields
  :class:`Segment` (``.batches()`` the same a chunk at a time, with envelope positions);
  ``.transaction_sets()`` yields :class:`TransactionSet` with its enclosing ISA and GS, holding only
  the current set in memory;
  ``.warnings`` lists what was tolerated (:class:`ReadWarning`, with a ``code``); ``.delimiters`` are
  those of the interchange being read (each ISA may declare different ones); ``.interchange_acks``
  lists the TA1 segments met so far, each with the ISA of its interchange.
- ``read_transaction_sets(data: bytes) -> list[TransactionSet]`` for small inputs.
- ``detect_delimiters(isa: bytes) -> Delimiters``.

The reader is set-agnostic (any ST01 reads) and checks only the structure it needs to cut sets out:
ST inside a GS, SE closing each ST. Counts and control numbers are checked, as data, by
:func:`crossdock.edi.envelope.check_envelopes`. Errors are :class:`~crossdock.errors.EdiSyntaxError`
(not X12) and :class:`~crossdock.errors.EdiEnvelopeError` (a set cannot be cut out), each with offset,
segment index and segment id. A set longer than ``max_set_segments`` segments or ``max_set_bytes``
bytes (defaults :data:`MAX_SET_SEGMENTS`, :data:`MAX_SET_BYTES`) raises
:class:`~crossdock.errors.EdiLimitError` naming it as soon as a batch takes it over the limit, so no
more than one batch beyond the limit is ever held.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from crossdock.edi.delimiters import detect_delimiters
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.tokenizer import CHUNK_SIZE, Batch, Tokenizer
from crossdock.edi.tolerance import ReadWarning, WarningCode
from crossdock.errors import EdiEnvelopeError, EdiLimitError

__all__ = [
    "MAX_SET_BYTES",
    "MAX_SET_SEGMENTS",
    "ReadWarning",
    "TransactionSet",
    "WarningCode",
    "X12Reader",
    "detect_delimiters",
    "read_transaction_sets",
]

MAX_SET_SEGMENTS = 1_000_000
"""Segments one transaction set may hold (ST and SE included) before it is refused."""
MAX_SET_BYTES = 64 * 1024 * 1024
"""Bytes one transaction set may span (from its ST) before it is refused."""

OUTSIDE_SET_ALLOWED = frozenset({"TA1"})  # interchange acknowledgments sit between ISA and GS
INTERCHANGE_SERVICE = frozenset({"ISB", "ISE"})
"""Grade of service (ISB) and deferred delivery (ISE) requests: interchange control segments that sit
between the ISA and a GS; read past (the envelope checks report one misplaced elsewhere)."""


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE set with its envelope. ``segments`` excludes ST and SE."""

    isa: Segment
    gs: Segment
    st: Segment
    segments: list[Segment] = field(default_factory=list)
    se: Segment | None = None
    delimiters: Delimiters = field(default_factory=Delimiters)

    @property
    def set_id(self) -> str:
        return self.st[1]

    @property
    def control_number(self) -> str:
        return self.st[2]

    @property
    def functional_id(self) -> str:
        return self.gs[1]

    @property
    def version(self) -> str:
        """GS08, e.g. ``004010`` or ``005010``."""
        return self.gs[8]

    @property
    def sender_id(self) -> str:
        return self.isa[6].strip()

    @property
    def receiver_id(self) -> str:
        return self.isa[8].strip()

    @property
    def sender_qualifier(self) -> str:
        return self.isa[5].strip()

    @property
    def receiver_qualifier(self) -> str:
        return self.isa[7].strip()

    @property
    def interchange_control_number(self) -> str:
        return self.isa[13]

    @property
    def group_control_number(self) -> str:
        return self.gs[6]

    @property
    def offset(self) -> int | None:
        """Offset of the ST segment in the input."""
        return self.st.offset


class X12Reader:
    """Streaming reader over a binary stream (or ``bytes``). The stream is read once: use one of
    :meth:`segments`, :meth:`batches` or :meth:`transaction_sets` per reader."""

    def __init__(
        self,
        stream: BinaryIO | bytes,
        source: str | None = None,
        *,
        chunk_size: int = CHUNK_SIZE,
        max_set_segments: int = MAX_SET_SEGMENTS,
        max_set_bytes: int = MAX_SET_BYTES,
    ) -> None:
        if isinstance(stream, bytes | bytearray | memoryview):
            stream = io.BytesIO(bytes(stream))
        self._tokenizer = Tokenizer(stream, [], chunk_size=chunk_size)
        self.source = source
        self.max_set_segments = max_set_segments
        self.max_set_bytes = max_set_bytes
        self.warnings: list[ReadWarning] = self._tokenizer._warnings
        self.interchange_acks: list[tuple[Segment, Segment]] = []
        """(ISA, TA1) for each interchange acknowledgment read so far (by :meth:`transaction_sets`)."""

    @property
    def delimiters(self) -> Delimiters | None:
        return self._tokenizer.delimiters

    def segments(self) -> Iterator[Segment]:
        return iter(self._tokenizer)

    def batches(self) -> Iterator[Batch]:
        """Segments a chunk at a time, with the positions of the envelope segments (ISA, IEA, GS, GE,
        ST, SE, TA1) in each batch: for consumers that slice set bodies instead of visiting segments."""
        return self._tokenizer.batches()

    def transaction_sets(self) -> Iterator[TransactionSet]:
        cutter = _SetCutter(self._tokenizer, self.interchange_acks, self.max_set_segments, self.max_set_bytes)
        for segments, marks in self._tokenizer.batches():
            yield from cutter.feed(segments, marks)
        cutter.finish()


class _SetCutter:
    """Cuts ST..SE sets out of batches; the bodies are list slices between envelope segments."""

    def __init__(
        self, tokenizer: Tokenizer, acks: list[tuple[Segment, Segment]], max_segments: int, max_bytes: int
    ) -> None:
        self._tokenizer = tokenizer
        self._acks = acks
        self._max_segments = max_segments - 2  # ST and SE are not in the body
        self._max_bytes = max_bytes
        self._isa: Segment | None = None
        self._gs: Segment | None = None
        self._current: TransactionSet | None = None

    def feed(self, segments: list[Segment], marks: list[int]) -> Iterator[TransactionSet]:
        """The sets this batch completes, each as soon as its SE is met (an error later in the batch
        does not take back the sets before it)."""
        start = 0
        for mark in marks:
            self._between(segments, start, mark)
            done = self._envelope(segments[mark])
            if done is not None:
                yield done
            start = mark + 1
        self._between(segments, start, len(segments))

    def _between(self, segments: list[Segment], start: int, stop: int) -> None:
        if start >= stop:
            return
        current = self._current
        if current is not None:
            body = current.segments
            body.extend(segments[start:stop])
            if len(body) > self._max_segments:
                self._too_large(current, f"more than {self._max_segments + 2} segments")
            last, first = body[-1].offset, current.st.offset
            if last is not None and first is not None and last - first > self._max_bytes:
                self._too_large(current, f"more than {self._max_bytes} bytes")
            return
        if self._isa is not None and self._gs is None:  # ISB / ISE service requests before a group
            while start < stop and segments[start].elements[0] in INTERCHANGE_SERVICE:
                start += 1
            if start == stop:
                return
        seg = segments[start]
        what = "SE without ST" if seg.id == "SE" else f"segment {seg.id} outside a transaction set"
        raise EdiEnvelopeError(what, offset=seg.offset, segment_index=seg.index, segment_id=seg.id)

    def _envelope(self, seg: Segment) -> TransactionSet | None:
        sid = seg.elements[0]
        current = self._current
        if current is not None:
            if sid == "SE":
                current.se = seg
                self._current = None
                return current
            raise EdiEnvelopeError(
                f"ST {current.control_number} (segment {_pos(current.st)}) has no SE before {sid}",
                offset=seg.offset, segment_index=seg.index, segment_id=sid)
        if sid == "ST":
            if self._isa is None or self._gs is None:
                raise EdiEnvelopeError("ST outside a GS group", offset=seg.offset, segment_index=seg.index,
                                       segment_id="ST")
            delimiters = self._tokenizer.delimiters or Delimiters()
            self._current = TransactionSet(self._isa, self._gs, seg, [], None, delimiters)
        elif sid == "GS":
            self._gs = seg
        elif sid == "GE":
            self._gs = None
        elif sid == "ISA":
            self._isa, self._gs = seg, None
        elif sid == "IEA":
            self._isa, self._gs = None, None
        elif sid == "TA1" and self._isa is not None:
            self._acks.append((self._isa, seg))
        elif sid not in OUTSIDE_SET_ALLOWED:
            what = "SE without ST" if sid == "SE" else f"segment {sid} outside a transaction set"
            raise EdiEnvelopeError(what, offset=seg.offset, segment_index=seg.index, segment_id=sid)
        return None

    def _too_large(self, current: TransactionSet, what: str) -> None:
        self._current = None
        current.segments.clear()  # drop what was read of it before anyone sees the error
        st = current.st
        raise EdiLimitError(
            f"transaction set {current.set_id} {current.control_number} (segment {_pos(st)}) is too large: {what}",
            offset=st.offset, segment_index=st.index, segment_id="ST",
        )  # fmt: skip

    def finish(self) -> None:
        current = self._current
        if current is not None:
            raise EdiEnvelopeError(f"ST {current.control_number} has no SE: the input ended",
                                   offset=current.st.offset, segment_index=current.st.index, segment_id="ST")


_ENVELOPE = frozenset({"ST", "GS", "GE", "ISA", "IEA"})


def _pos(seg: Segment) -> int:
    return (seg.index or 0) + 1


def read_transaction_sets(data: bytes) -> list[TransactionSet]:
    return list(X12Reader(io.BytesIO(data)).transaction_sets())

