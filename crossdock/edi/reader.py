"""Read X12 from bytes or a binary stream into segments and transaction sets.

PUBLIC API (other modules build on it; keep it stable):

- ``X12Reader(stream, source=None)``: ``.segments()`` yields :class:`Segment`; ``.transaction_sets()``
  yields :class:`TransactionSet` with its enclosing ISA and GS; ``.warnings`` lists what was tolerated;
  ``.delimiters`` after the ISA was read.
- ``read_transaction_sets(data: bytes) -> list[TransactionSet]`` for small inputs.

Errors are :class:`crossdock.errors.EdiError` subclasses, with offset and segment position.

NOTE: this first version reads the whole input and handles only well-formed files; the streaming,
tolerant reader replaces its internals behind the same API.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from crossdock.edi.segment import Delimiters, Segment
from crossdock.errors import EdiEnvelopeError, EdiSyntaxError

ISA_LENGTH = 106


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """Something the reader tolerated, and where."""

    message: str
    offset: int | None = None
    segment_index: int | None = None
    segment_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "segment_id": self.segment_id,
        }


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


def detect_delimiters(isa: bytes, offset: int = 0) -> Delimiters:
    """Delimiters from a fixed-width ISA segment (106 characters, terminator included)."""
    if len(isa) < ISA_LENGTH or not isa.startswith(b"ISA"):
        raise EdiSyntaxError("input does not start with a complete ISA segment", offset=offset, segment_id="ISA")
    text = isa[:ISA_LENGTH].decode("latin-1")
    element = text[3]
    fields = text.split(element)
    if len(fields) < 17:
        raise EdiSyntaxError("ISA has fewer than 16 elements", offset=offset, segment_id="ISA")
    repetition = fields[11] if fields[12] >= "00403" and not fields[11].isalnum() else None
    return Delimiters(element=element, component=text[104], segment=text[105], repetition=repetition)


class X12Reader:
    def __init__(self, stream: BinaryIO, *, source: str | None = None) -> None:
        self._stream = stream
        self.source = source
        self.warnings: list[ReadWarning] = []
        self.delimiters: Delimiters | None = None

    def segments(self) -> Iterator[Segment]:
        data = self._stream.read()
        start = data.find(b"ISA")
        if start < 0:
            raise EdiSyntaxError("no ISA segment found", offset=0)
        if start > 0:
            self.warnings.append(ReadWarning(f"skipped {start} bytes before ISA", offset=0))
        delimiters = detect_delimiters(data[start:], start)
        self.delimiters = delimiters
        text = data.decode("latin-1")
        offset = start
        index = 0
        for raw in text[start:].split(delimiters.segment):
            stripped = raw.strip("\r\n")
            seg_offset = offset + (len(raw) - len(raw.lstrip("\r\n")))
            offset += len(raw) + 1
            if not stripped:
                continue
            yield Segment(
                stripped.split(delimiters.element),
                index=index,
                offset=seg_offset,
                component_separator=delimiters.component,
            )
            index += 1

    def transaction_sets(self) -> Iterator[TransactionSet]:
        isa: Segment | None = None
        gs: Segment | None = None
        current: TransactionSet | None = None
        for seg in self.segments():
            sid = seg.id
            if sid == "ISA":
                isa = seg
            elif sid == "GS":
                gs = seg
            elif sid == "ST":
                if isa is None or gs is None:
                    raise EdiEnvelopeError("ST outside a GS group", segment_index=seg.index, segment_id="ST")
                assert self.delimiters is not None
                current = TransactionSet(isa=isa, gs=gs, st=seg, delimiters=self.delimiters)
            elif sid == "SE":
                if current is None:
                    raise EdiEnvelopeError("SE without ST", segment_index=seg.index, segment_id="SE")
                current.se = seg
                yield current
                current = None
            elif current is not None:
                current.segments.append(seg)


def read_transaction_sets(data: bytes) -> list[TransactionSet]:
    return list(X12Reader(io.BytesIO(data)).transaction_sets())
