"""A cheap envelope scan: each interchange's ISA and its GS, ST, SE, GE and IEA, without reading the
segments in between.

For intake's sender check (:func:`crossdock.bridges.sftp.identify`): who sent the file (ISA05/06),
its ISA13, and whether its envelopes nest (every ST inside a GS and closed by its SE, nothing but
TA1, ISB or ISE outside a set, nothing after the last IEA but another interchange). The ISA is parsed
as the reader parses it (:func:`crossdock.edi.delimiters.parse_isa`); the envelope segments are found
by one regular expression over the text, in C, so a file costs a few microseconds per set instead of
an object per segment.

What the scan does not look at: the segments inside a set (their ids, their elements, the reader's
size limits). Those are read, once, by the step that translates the file, where a bad one opens an
exception item. A file the scan cannot follow on its fast path (a line break inside a segment id, a
UTF-16 file, anything out of place outside a set) is read by :class:`~crossdock.edi.reader.X12Reader`
instead, so the verdict on such files is the reader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crossdock.edi.delimiters import ISA_HEAD, parse_isa
from crossdock.edi.reader import X12Reader
from crossdock.edi.segment import Delimiters
from crossdock.errors import EdiError

__all__ = [
    "EnvelopeScan",
    "ScannedInterchange",
    "scan_envelopes",
]

MAX_PREAMBLE = 1024 * 1024  # as the reader: characters searched for an ISA before giving up
OUTSIDE_SET = frozenset({"TA1", "ISB", "ISE"})
LINE_BREAKS = "\r\n"
IGNORABLE = " \t\r\n\x00\x1a"


@dataclass(frozen=True, slots=True)
class ScannedInterchange:
    """One interchange: its ISA elements (``isa[0] == "ISA"``), delimiters, offset, and the
    (functional id, set id, ST control number) of each set in it."""

    isa: list[str]
    delimiters: Delimiters
    offset: int
    sets: tuple[tuple[str, str, str], ...]

    @property
    def sender_qualifier(self) -> str:
        return self.isa[5].strip()

    @property
    def sender_id(self) -> str:
        return self.isa[6].strip()

    @property
    def control_number(self) -> str:
        return self.isa[13].strip()


@dataclass(frozen=True, slots=True)
class EnvelopeScan:
    interchanges: tuple[ScannedInterchange, ...]
    full_read: bool = False
    """True when the file was read by the reader instead (it was not plain enough for the fast path)."""

    @property
    def set_count(self) -> int:
        return sum(len(interchange.sets) for interchange in self.interchanges)


class _IrregularError(Exception):
    """The fast path cannot follow this file: the reader decides."""


def scan_envelopes(data: bytes, source: str | None = None) -> EnvelopeScan:
    """The envelopes of ``data``; raises the reader's :class:`~crossdock.errors.EdiError` (with the
    offset) when they do not nest or there is no ISA.

    The fast path only ever accepts: whatever it cannot follow, a broken envelope included, is read
    by the reader, so every refusal (and its message) is the reader's, and only files that are
    refused or out of the ordinary pay for a full read."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _read_fully(data, source)
    text = data.decode("latin-1")  # one character per byte: offsets are byte offsets
    try:
        return EnvelopeScan(tuple(_interchanges(text)))
    except (_IrregularError, EdiError):
        return _read_fully(data, source)


def _interchanges(text: str) -> list[ScannedInterchange]:
    found: list[ScannedInterchange] = []
    head = ISA_HEAD.search(text, 0, MAX_PREAMBLE)
    if head is None:
        raise _IrregularError  # no ISA: the reader says why (empty, not X12, too far in)
    start = head.start()
    while True:
        header = parse_isa(text, start)
        delimiters = header.delimiters
        if delimiters.segment in LINE_BREAKS:
            raise _IrregularError  # segments end at line breaks: the reader's tolerance of blank lines applies
        sets, after = _body(text, header.end, delimiters)
        found.append(ScannedInterchange(header.elements, delimiters, start, tuple(sets)))
        rest = ISA_HEAD.search(text, after)
        if rest is None:
            if text[after:].strip(IGNORABLE):
                raise _IrregularError  # data after the last IEA
            return found
        if text[after : rest.start()].strip(IGNORABLE):
            raise _IrregularError  # data between interchanges
        start = rest.start()


@lru_cache(maxsize=64)
def _envelope_pattern(terminator: str, element: str) -> re.Pattern[str]:
    ids = "ISA|IEA|GS|GE|ST|SE|TA1|ISB|ISE"
    return re.compile(f"(?<={re.escape(terminator)})[\\r\\n]*({ids}){re.escape(element)}")


def _body(text: str, end: int, delimiters: Delimiters) -> tuple[list[tuple[str, str, str]], int]:
    """The (functional id, set id, control number) of each set of the interchange whose ISA ends at
    ``end``, and where the text after its IEA starts. Raises :class:`_IrregularError` for anything
    but ST..SE sets in GS..GE groups with nothing else outside them but TA1, ISB and ISE."""
    terminator, element = delimiters.segment, delimiters.element
    sets: list[tuple[str, str, str]] = []
    group: str | None = None
    in_set = False
    expected = end  # outside a set, the next segment must start here
    for match in _envelope_pattern(terminator, element).finditer(text, end):
        sid = match.group(1)
        if in_set and sid in ("ISB", "ISE"):
            continue  # inside a set these are ordinary segments (the reader's envelope is ISA/GS/ST/TA1)
        if not in_set and match.start() != expected:
            raise _IrregularError  # something outside a set that is not an envelope segment
        stop = text.find(terminator, match.end())
        if stop < 0:
            raise _IrregularError  # an unterminated last segment
        if in_set:
            if sid != "SE":
                raise _IrregularError
            in_set = False
        elif sid == "ST" and group is not None:
            fields = text[match.start(1) : stop].split(element, 3)
            sets.append((group, fields[1] if len(fields) > 1 else "", fields[2] if len(fields) > 2 else ""))
            in_set = True
        elif sid == "GS" and group is None:
            group = text[match.end() : stop].split(element, 1)[0]
        elif sid == "GE" and group is not None:
            group = None
        elif sid == "IEA" and group is None:
            return sets, stop + 1
        elif sid not in OUTSIDE_SET:
            raise _IrregularError
        expected = stop + 1
    raise _IrregularError  # no IEA, or the input ended inside a set


def _read_fully(data: bytes, source: str | None) -> EnvelopeScan:
    """The reader's verdict, for files the fast path does not follow (one read, sets dropped as read)."""
    reader = X12Reader(data, source=source)
    found: list[tuple[list[str], Delimiters, int, list[tuple[str, str, str]]]] = []
    for ts in reader.transaction_sets():
        if not found or found[-1][0] is not ts.isa.elements:
            found.append((ts.isa.elements, ts.delimiters, ts.isa.offset or 0, []))
        found[-1][3].append((ts.functional_id, ts.set_id, ts.control_number))
    interchanges = tuple(ScannedInterchange(isa, delimiters, at, tuple(sets)) for isa, delimiters, at, sets in found)
    return EnvelopeScan(interchanges, full_read=True)
