"""Find the delimiters of an interchange by parsing its ISA segment.

The ISA is read by counting its 16 element separators rather than by fixed offsets, so an ISA whose
fields are not padded to their fixed widths, or one wrapped across lines, still reads (and is
reported). ISA16 is the component separator, the character after it the segment terminator (spaces
a writer padded the ISA with are skipped, and reported), and ISA11 the repetition separator when
ISA12 is 00403 or later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossdock.edi.segment import Delimiters
from crossdock.edi.tolerance import WarningCode
from crossdock.errors import EdiSyntaxError

__all__ = [
    "ISA_HEAD",
    "ISA_LENGTH",
    "ISA_WIDTHS",
    "IsaHeader",
    "detect_delimiters",
    "parse_isa",
]

ISA_LENGTH = 106
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
MAX_ISA_CHARS = 512  # an unpadded, wrapped ISA is still far shorter than this
LINE_BREAKS = "\r\n"
ISA_HEAD = re.compile(r"I[\r\n]{0,2}S[\r\n]{0,2}A[\r\n]{0,2}[^0-9A-Za-z \t\r\n\x0b\x0c]")
"""An ISA tag and its element separator, allowing the line breaks of a wrapped file between them
(not ``\\s``: that would also exclude the \\x1c-\\x1f delimiters)."""


@dataclass(frozen=True, slots=True)
class IsaHeader:
    """A parsed ISA: its elements (``elements[0] == "ISA"``), the delimiters it declares, and where
    it ends in the text it was parsed from (just past its terminator)."""

    elements: list[str]
    delimiters: Delimiters
    end: int
    notes: tuple[tuple[WarningCode, str], ...] = ()


SPACES = " \t\n\r\x0b\x0c"  # not str.isspace(): that also counts \x1c-\x1f, which are real delimiters


def _usable(char: str) -> bool:
    return len(char) == 1 and not char.isalnum() and char not in SPACES


def _terminator(text: str, start: int, element: str, component: str, offset: int) -> tuple[str, int]:
    """The terminator character at ``text[start]`` and the position just past it (and past a CRLF)."""
    if start >= len(text):
        raise EdiSyntaxError("ISA segment is truncated before its terminator", offset=offset, segment_id="ISA")
    char = text[start]
    if char not in LINE_BREAKS:
        return char, start + 1
    after = start
    while after < len(text) and text[after] in LINE_BREAKS:
        after += 1
    follower = text[after] if after < len(text) else ""
    if _usable(follower) and follower not in (element, component):
        return follower, after + 1  # a wrapped file whose line break fell just before the terminator
    if char == "\r" and start + 1 < len(text) and text[start + 1] == "\n":
        return "\n", start + 2
    return char, start + 1


def parse_isa(text: str, start: int = 0, *, base: int = 0) -> IsaHeader:
    """Parse the ISA beginning at ``text[start]``; ``base`` is the absolute offset of ``text[0]``."""
    offset = base + start
    head = ISA_HEAD.match(text, start)
    if head is None:
        if text.startswith("ISA", start) and start + 3 < len(text):
            raise EdiSyntaxError(f"ISA element separator {text[start + 3]!r} is a letter, digit or space",
                                 offset=offset, segment_id="ISA")
        raise EdiSyntaxError("expected an ISA segment", offset=offset, segment_id="ISA")
    first = position = head.end() - 1
    element = text[position]
    count = 0
    wrapped = position != start + 3  # a line break inside "ISA" itself (a file wrapped at a fixed width)
    limit = min(len(text), start + MAX_ISA_CHARS)
    while count < 16:  # the 16 element separators, found in C
        found = text.find(element, position + (count > 0), limit)
        if found < 0:
            break
        count += 1
        position = found
    if not wrapped and ("\n" in text[first:position] or "\r" in text[first:position]):
        wrapped = True  # a line break between ISA01 and ISA16
    if count < 16:
        raise EdiSyntaxError(f"ISA segment is incomplete: {count} of 16 element separators", offset=offset,
                             segment_id="ISA", element=count + 1)
    position += 1
    after = position
    while after < len(text) and text[after] in LINE_BREAKS:
        after += 1
    if after > position and after < len(text) and (wrapped or _usable(text[after])):
        position, wrapped = after, True  # the line break fell just before ISA16
    if position >= len(text) or text[position] in LINE_BREAKS:
        raise EdiSyntaxError("ISA16 (component separator) is missing", offset=offset, segment_id="ISA", element=16)
    component = text[position]
    after_component = position + 1
    while after_component < len(text) and text[after_component] == " " and after_component - position <= 8:
        after_component += 1  # a writer that pads the ISA with spaces after ISA16: the terminator follows
    notes: list[tuple[WarningCode, str]] = []
    if after_component > position + 1:
        notes.append((WarningCode.SPACE_BEFORE_TERMINATOR, "spaces between ISA16 and the segment terminator"))
    terminator, end = _terminator(text, after_component, element, component, offset)
    if terminator not in LINE_BREAKS and text[after_component] in LINE_BREAKS:
        wrapped = True  # a line break between ISA16 and the terminator
    _check_distinct(element, component, terminator, offset)
    raw = text[start : position + 1]
    if wrapped:
        raw = raw.replace("\r", "").replace("\n", "")
    elements = raw.split(element)
    if wrapped:
        notes.append((WarningCode.WRAPPED_LINES, "line breaks inside the ISA segment were removed"))
    widths = tuple(len(value) for value in elements[1:])
    if widths != ISA_WIDTHS:
        bad = [f"ISA{n:02d}" for n, (got, want) in enumerate(zip(widths, ISA_WIDTHS, strict=True), 1) if got != want]
        notes.append((WarningCode.ISA_NOT_PADDED, f"ISA fields not at their fixed widths: {', '.join(bad)}"))
    repetition = _repetition(elements, (element, component, terminator), notes)
    if terminator in LINE_BREAKS:
        notes.append((WarningCode.NEWLINE_TERMINATOR, "segments end at a line break (no terminator character)"))
    return IsaHeader(elements, Delimiters(element, component, terminator, repetition), end, tuple(notes))


def _check_distinct(element: str, component: str, terminator: str, offset: int) -> None:
    if not _usable(component) or component in (element, terminator):
        raise EdiSyntaxError(f"ISA16 component separator {component!r} is not usable", offset=offset,
                             segment_id="ISA", element=16)
    if terminator == element or (terminator not in LINE_BREAKS and not _usable(terminator)):
        raise EdiSyntaxError(f"segment terminator {terminator!r} after ISA16 is not usable", offset=offset,
                             segment_id="ISA", element=16)


def _repetition(elements: list[str], used: tuple[str, str, str], notes: list[tuple[WarningCode, str]]) -> str | None:
    isa11, isa12 = elements[11], elements[12]
    if not (isa12.isascii() and isa12.isdigit() and isa12 >= "00403"):
        return None
    if _usable(isa11) and isa11 not in used:
        return isa11
    notes.append((WarningCode.ISA11_NOT_REPETITION,
                  f"ISA12 {isa12} calls for a repetition separator in ISA11, found {isa11!r}; none used"))
    return None


def detect_delimiters(isa: bytes, offset: int = 0) -> Delimiters:
    """Delimiters from the bytes of an ISA segment (padded or not; the terminator included)."""
    return parse_isa(isa[: MAX_ISA_CHARS + 8].decode("latin-1"), base=offset).delimiters
