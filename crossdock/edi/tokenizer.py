"""Streaming X12 tokenizer: binary stream in, :class:`Segment` objects out, one chunk at a time.

Each interchange is tokenized with the delimiters its own ISA declares. Chunks (4 KiB) are split with
``str.split`` on whole chunks; a chunk whose line breaks all sit right after a terminator (the common
``~\\n`` or ``~\\r\\n`` layout) is split on terminator+line break in one call, any other layout goes
through a slower path that strips blank lines and line breaks inside segments (wrapped files). Only
the current chunk and the unfinished segment at its end are held in memory.

What was tolerated is appended to ``warnings`` (once per interchange and code); what cannot be read
raises :class:`~crossdock.errors.EdiSyntaxError` with the offset and segment index.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import itemgetter
from typing import BinaryIO

from crossdock.edi.delimiters import ISA_HEAD, MAX_ISA_CHARS, parse_isa
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.tolerance import ReadWarning, WarningCode
from crossdock.errors import EdiSyntaxError

__all__ = [
    "CHUNK_SIZE",
    "ENVELOPE_ALL",
    "SEGMENT_ID",
    "Batch",
    "Tokenizer",
]

CHUNK_SIZE = 4 * 1024  # measured: larger batches keep more objects alive through GC passes (4-8 KiB best)
MAX_PREAMBLE = 1024 * 1024  # characters searched for an ISA before giving up
MAX_SEGMENT = 4 * 1024 * 1024  # characters without a terminator before giving up
LINE_BREAKS = "\r\n"
IGNORABLE = " \t\r\n\x00\x1a"  # whitespace, NUL and ctrl-Z (DOS end of file)
BOMS = ("\ufeff", "\xef\xbb\xbf")
ISA_START = ISA_HEAD
SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")

NORMAL, IEA, ISA, SKIP, ENVELOPE = 0, 1, 2, 3, 4
ENVELOPE_IDS = frozenset({"ST", "SE", "GS", "GE", "TA1"})
ENVELOPE_ALL = ENVELOPE_IDS | {"ISA", "IEA"}
_first = itemgetter(0)

Batch = tuple[list[Segment], list[int]]
"""Segments of one chunk, and the positions in that list of envelope segments (ISA, IEA, GS, GE, ST,
SE, TA1): consumers slice the set bodies between them instead of looking at every segment."""
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Tokenizer:
    """Iterate to get segments, or call :meth:`batches`; ``delimiters`` holds those of the current
    interchange."""

    def __init__(self, stream: BinaryIO, warnings: list[ReadWarning], *, chunk_size: int = CHUNK_SIZE) -> None:
        self._stream = stream
        self._warnings = warnings
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._latin1 = False
        self._eof = False
        self._buf = ""
        self._base = 0  # offset of _buf[0] in the input
        self._index = 0  # index of the next segment
        self._warned: set[WarningCode] = set()
        self._known: dict[str, int] = {}
        self.delimiters: Delimiters | None = None

    # -- input -------------------------------------------------------------------------------
    def _fill(self) -> None:
        if self._eof:
            return
        chunk = self._stream.read(self._chunk_size)
        if self._base == 0 and not self._buf and chunk.startswith(UTF16_BOMS) and not self._latin1:
            self._decoder = codecs.getincrementaldecoder("utf-16")()  # the BOM says which byte order
            self._warn(WarningCode.UTF16, "input is UTF-16 (byte order mark): decoded; offsets count characters", 0)
        if not chunk:
            self._eof = True
            pending = self._decoder.getstate()[0]
            if pending and not self._latin1:
                self._switch_to_latin1()
                self._buf += pending.decode("latin-1")
            return
        if self._latin1:
            self._buf += chunk.decode("latin-1")
            return
        try:
            self._buf += self._decoder.decode(chunk)
        except UnicodeDecodeError:
            pending = self._decoder.getstate()[0]
            self._switch_to_latin1()
            self._buf += (pending + chunk).decode("latin-1")

    def _switch_to_latin1(self) -> None:
        self._latin1 = True
        self._warn(WarningCode.NOT_UTF8, "input is not UTF-8; read as Latin-1 from here", self._base + len(self._buf))

    def _consume(self, count: int) -> None:
        self._buf = self._buf[count:]
        self._base += count

    def _warn(self, code: WarningCode, message: str, offset: int | None, segment_id: str | None = None) -> None:
        if code in self._warned:
            return
        self._warned.add(code)
        self._warnings.append(ReadWarning(message, offset, self._index, segment_id, code.value))

    # -- interchanges ------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Segment]:
        for segments, _ in self.batches():
            yield from segments

    def batches(self) -> Iterator[Batch]:
        """Segments chunk by chunk, with the positions of the envelope segments in each batch."""
        first = True
        while self._seek_isa(first):
            first = False
            yield from self._interchange()

    def _seek_isa(self, first: bool) -> bool:
        """Drop what precedes the next ISA (warning about it); False when the input is exhausted."""
        self._warned = set()
        while True:
            match = ISA_START.search(self._buf)
            if match is not None:
                break
            if self._eof:
                self._finish(first)
                return False
            if len(self._buf) > MAX_PREAMBLE:
                raise EdiSyntaxError(f"no ISA segment within {MAX_PREAMBLE} characters", offset=self._base)
            self._fill()
        skipped = self._buf[: match.start()]
        if first and skipped.startswith(BOMS):
            chars = 1 if skipped.startswith(BOMS[0]) else 3
            self._warn(WarningCode.BOM, "UTF-8 byte order mark before ISA ignored", self._base)
            self._buf = self._buf[chars:]
            self._base += 3  # offsets stay byte offsets: the BOM is 3 bytes however it was decoded
            skipped = skipped[chars:]
        if skipped.strip(LINE_BREAKS):
            self._warn(WarningCode.LEADING_DATA, f"skipped {len(skipped)} characters before ISA", self._base)
        self._consume(len(skipped))
        while not self._eof and len(self._buf) < MAX_ISA_CHARS:
            self._fill()
        return True

    def _finish(self, first: bool) -> None:
        rest = self._buf
        if first:
            what = "input is empty" if not rest.strip(IGNORABLE) else "no ISA segment found"
            raise EdiSyntaxError(what, offset=0)
        if not rest.strip(LINE_BREAKS):
            return
        element = self.delimiters.element if self.delimiters else "*"
        if rest.strip(IGNORABLE) and element in rest:
            raise EdiSyntaxError("data after IEA is not an ISA interchange", offset=self._base,
                                 segment_index=self._index)
        self._warn(WarningCode.TRAILING_DATA, f"ignored {len(rest)} characters after the last IEA", self._base)

    def _interchange(self) -> Iterator[Batch]:
        header = parse_isa(self._buf, 0, base=self._base)
        delimiters = header.delimiters
        self.delimiters = delimiters
        for code, message in header.notes:
            self._warn(code, message, self._base, "ISA")
        isa = Segment(header.elements, self._index, self._base, delimiters.component, delimiters.repetition)
        yield [isa], [0]
        self._index += 1
        terminator = delimiters.segment
        end = header.end
        if terminator not in LINE_BREAKS:
            stop = end + 2
            while end < stop and end < len(self._buf) and self._buf[end] in LINE_BREAKS:
                end += 1
        self._consume(end)
        while True:
            while not self._eof and len(self._buf) < self._chunk_size:
                self._fill()
            if not self._buf:
                return
            cut = self._cut(terminator)
            if cut < 0:
                if len(self._buf) > MAX_SEGMENT:
                    raise EdiSyntaxError(f"no segment terminator {terminator!r} within {MAX_SEGMENT} characters",
                                         offset=self._base, segment_index=self._index)
                self._fill()
                continue
            segments: list[Segment] = []
            marks: list[int] = []
            text = self._buf[:cut]
            sep = self._separator(text, terminator)
            if sep is None:
                boundary = self._pieces_slow(text, delimiters, segments, marks)
            else:
                boundary = self._pieces(text, sep, delimiters, segments, marks)
            if segments:
                yield segments, marks
            if boundary is not None:
                self._consume(boundary)
                return
            self._consume(cut)

    def _cut(self, terminator: str) -> int:
        """Length of the buffer prefix made of whole segments (with the line break after the last)."""
        buf = self._buf
        if self._eof:
            return len(buf)
        end = buf.rfind(terminator, 0, len(buf) - 2)
        if end < 0:
            return -1
        end += 1
        if terminator not in LINE_BREAKS:
            stop = end + 2
            while end < stop and buf[end] in LINE_BREAKS:
                end += 1
        return end

    # -- segments ----------------------------------------------------------------------------
    def _separator(self, text: str, terminator: str) -> str | None:
        """The separator every segment of ``text`` ends with, when the layout is uniform."""
        count = text.count(terminator)
        crs = text.count("\r")
        lfs = text.count("\n")
        if terminator == "\n":
            if crs == 0:
                return "\n"
            return "\r\n" if crs == count == text.count("\r\n") else None
        if terminator == "\r":
            return "\r" if lfs == 0 else None
        if crs == 0 and lfs == 0:
            return terminator
        for suffix in ("\n", "\r\n"):
            sep = terminator + suffix
            wanted_cr = count if "\r" in suffix else 0
            if lfs == count and crs == wanted_cr and text.count(sep) == count:
                self._warn(WarningCode.LINE_BREAK_AFTER_TERMINATOR,
                           f"line break after each segment terminator {terminator!r}", self._base)
                return sep
        return None

    def _pieces(self, text: str, sep: str, delimiters: Delimiters, out: list[Segment], marks: list[int]) -> int | None:
        """Split ``text`` (every segment ends with ``sep``) into ``out``; return the length consumed
        when an interchange ends inside it.

        The per-segment work runs in C (``map``, ``accumulate``, ``compress``); anything unusual (an
        empty segment, an id not seen before that is not a valid one) goes to :meth:`_pieces_slow`.
        """
        if not text:
            return None
        step = len(sep)
        body = text[:-step] if text.endswith(sep) else text
        pieces = body.split(sep)
        if "" in pieces:
            return self._pieces_slow(text, delimiters, out, marks)
        cut = pieces
        if delimiters.segment in LINE_BREAKS and (" " + sep in text or body.endswith(" ")):
            # spaces before a newline terminator are line padding, not data ('USD ' is no currency)
            cut = [piece.rstrip(" ") for piece in pieces]
            self._warn(WarningCode.SPACE_BEFORE_TERMINATOR, "spaces before the line break ending a segment skipped",
                       self._base)
            if "" in cut:
                return self._pieces_slow(text, delimiters, out, marks)
        rows = list(map(str.split, cut, repeat(delimiters.element)))
        ids = list(map(_first, rows))
        seen = set(ids)
        known = self._known
        for segment_id in seen.difference(known):
            kind = _checked_kind(segment_id)
            if kind is None:
                return self._pieces_slow(text, delimiters, out, marks)
            known[segment_id] = kind
        # the interchange ends inside this text at an IEA (taken) or at an ISA with no IEA before it (left)
        ends = [ids.index(name) for name in ("ISA", "IEA") if name in seen]
        end = min(ends) if ends else -1
        stop = len(rows) if end < 0 else end + 1 if ids[end] == "IEA" else end
        # starts[i] is the offset of piece i; starts[stop] the offset just past the last one taken
        starts = list(accumulate(map(step.__add__, map(len, pieces[:stop])), initial=self._base))
        boundary: int | None = None
        if end >= 0:
            boundary = min(starts[stop] - self._base, len(text))
            if ids[end] == "ISA":
                self._warn(WarningCode.MISSING_IEA, "ISA before the previous interchange's IEA", starts[stop])
        index = self._index
        out.extend(map(Segment, rows[:stop], range(index, index + stop), starts,
                       repeat(delimiters.component, stop), repeat(delimiters.repetition, stop)))
        marks.extend(compress(range(stop), map(ENVELOPE_ALL.__contains__, ids[:stop])))
        self._index = index + stop
        if body is text and self._eof and stop == len(rows):
            self._warn(WarningCode.UNTERMINATED_SEGMENT, "the last segment has no terminator", starts[stop - 1])
        return boundary

    def _pieces_slow(self, text: str, delimiters: Delimiters, out: list[Segment], marks: list[int]) -> int | None:
        """As :meth:`_pieces`, for text with blank lines, wrapped lines or mixed line breaks."""
        terminator = delimiters.segment
        element, component, repetition = delimiters.element, delimiters.component, delimiters.repetition
        newline_terminated = terminator in LINE_BREAKS
        pieces = text.split(terminator)
        last = len(pieces) - 1
        offset = self._base
        for position, raw in enumerate(pieces):
            start = offset
            offset += len(raw) + 1
            piece = raw
            if newline_terminated:
                piece = piece.strip(LINE_BREAKS)
                if piece.endswith(" "):
                    piece = piece.rstrip(" ")
                    self._warn(WarningCode.SPACE_BEFORE_TERMINATOR,
                               "spaces before the line break ending a segment skipped", start)
            elif piece and piece[0] in IGNORABLE:
                stripped = piece.lstrip(IGNORABLE)
                lead = piece[: len(piece) - len(stripped)]
                if lead.count("\n") > 1 or lead.count("\r") > 1:
                    self._warn(WarningCode.BLANK_LINE, "blank lines between segments skipped", start)
                elif "\n" in lead or "\r" in lead:
                    self._warn(WarningCode.LINE_BREAK_AFTER_TERMINATOR, "line breaks after segment terminators",
                               start)
                if lead.strip(LINE_BREAKS) and stripped:
                    self._warn(WarningCode.WHITESPACE_BEFORE_SEGMENT, "whitespace before a segment id skipped", start)
                start += len(lead)
                piece = stripped
            if position == last and self._eof:
                piece = piece.rstrip(IGNORABLE)  # the end of the file, not a wrapped line
            if not piece:
                if position != last:
                    self._warn(WarningCode.BLANK_LINE, "empty segment or blank line skipped", start)
                continue
            if not newline_terminated and ("\n" in piece or "\r" in piece):
                if not piece.strip(IGNORABLE):
                    continue
                self._warn(WarningCode.WRAPPED_LINES, "line breaks inside segments removed (wrapped lines)", start)
                piece = piece.replace("\r", "").replace("\n", "")
            elements = piece.split(element)
            kind = self._known.get(elements[0])
            if kind is None:
                elements, kind, lead_chars = self._classify(piece, elements, start, element)
                if kind == SKIP:
                    continue
                start += lead_chars
            if kind == ISA:
                self._warn(WarningCode.MISSING_IEA, "ISA before the previous interchange's IEA", start)
                return start - self._base
            if position == last and self._eof:
                self._warn(WarningCode.UNTERMINATED_SEGMENT, "the last segment has no terminator", start)
            if kind:
                marks.append(len(out))
            out.append(Segment(elements, self._index, start, component, repetition))
            self._index += 1
            if kind == IEA:
                return min(offset, self._base + len(text)) - self._base
        return None

    def _classify(self, piece: str, elements: list[str], offset: int, element: str) -> tuple[list[str], int, int]:
        """Check an unseen segment id; returns the elements, the segment kind and leading characters
        skipped. Raises when the segment id is not X12."""
        segment_id = elements[0]
        if SEGMENT_ID.fullmatch(segment_id):
            kind = _kind(segment_id)
            self._known[segment_id] = kind
            return elements, kind, 0
        stripped = piece.lstrip(IGNORABLE)
        if not stripped.strip(IGNORABLE):
            self._warn(WarningCode.BLANK_LINE, "whitespace-only segment skipped", offset)
            return elements, SKIP, 0
        lead = len(piece) - len(stripped)
        fixed = stripped.split(element)
        if lead and SEGMENT_ID.fullmatch(fixed[0]):
            self._warn(WarningCode.WHITESPACE_BEFORE_SEGMENT, "whitespace before a segment id skipped",
                       offset, fixed[0])
            return fixed, _kind(fixed[0]), lead
        if ISA_START.match(stripped):
            return fixed, ISA, lead
        shown = segment_id[:12]
        raise EdiSyntaxError(f"{shown!r} is not a segment id (expected 2-3 letters and digits)", offset=offset,
                             segment_index=self._index)


@lru_cache(maxsize=1024)
def _checked_kind(segment_id: str) -> int | None:
    """The kind of a valid segment id, ``None`` for anything else; cached across readers (a file of
    one small set is read in a few tens of microseconds, of which checking each id would be a tenth)."""
    return _kind(segment_id) if SEGMENT_ID.fullmatch(segment_id) else None


def _kind(segment_id: str) -> int:
    if segment_id == "IEA":
        return IEA
    if segment_id == "ISA":
        return ISA
    return ENVELOPE if segment_id in ENVELOPE_IDS else NORMAL
