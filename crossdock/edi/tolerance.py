"""What the X12 reader tolerated, and where: :class:`ReadWarning` and its codes.

A warning is reported once per interchange and code (at its first occurrence), so a 100 MB file
with a line break after every terminator yields one warning, not a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ReadWarning",
    "WarningCode",
]


class WarningCode(StrEnum):
    BOM = "bom"  # a UTF-8 byte order mark before the first ISA
    LEADING_DATA = "leading-data"  # bytes (whitespace or garbage) before an ISA
    TRAILING_DATA = "trailing-data"  # whitespace, ctrl-Z or NUL after an IEA
    ISA_NOT_PADDED = "isa-not-padded"  # ISA fields not at their fixed widths
    ISA11_NOT_REPETITION = "isa11-not-repetition"  # ISA12 >= 00403 but ISA11 is not a separator
    NEWLINE_TERMINATOR = "newline-terminator"  # segments end at a line break
    LINE_BREAK_AFTER_TERMINATOR = "line-break-after-terminator"  # CR, LF or CRLF after each terminator
    BLANK_LINE = "blank-line"  # empty lines between segments
    WRAPPED_LINES = "wrapped-lines"  # line breaks inside segments (fixed-width wrapping), removed
    WHITESPACE_BEFORE_SEGMENT = "whitespace-before-segment"  # spaces or tabs before a segment id
    UNTERMINATED_SEGMENT = "unterminated-segment"  # the input ended without a final terminator
    NOT_UTF8 = "not-utf8"  # bytes are not UTF-8; read as Latin-1
    UTF16 = "utf-16"  # the input is UTF-16 (a byte order mark first), decoded as such
    MISSING_IEA = "missing-iea"  # a new ISA began before the previous interchange's IEA
    SPACE_BEFORE_TERMINATOR = "space-before-terminator"  # spaces between ISA16 and the segment terminator


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """Something the reader tolerated, and where (offset counts characters from the start of the
    input; it equals the byte offset for ASCII and Latin-1 input)."""

    message: str
    offset: int | None = None
    segment_index: int | None = None
    segment_id: str | None = None
    code: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "segment_id": self.segment_id,
        }
