"""X12 segments and delimiters: the data every other edi module passes around."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_DELIMITERS",
    "Delimiters",
    "Segment",
]


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators. ``repetition`` is ISA11 from 00403 on, ``None`` before.

    ``segment`` is ``"\\n"`` for files whose segments end at a line break (CRLF included).
    """

    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = None

    def as_tuple(self) -> tuple[str, str, str, str | None]:
        return (self.element, self.component, self.segment, self.repetition)


DEFAULT_DELIMITERS = Delimiters(element="*", component=":", segment="~", repetition="^")


@dataclass(slots=True)
class Segment:
    """One segment. ``elements[0]`` is the segment id, so ``seg[1]`` is the first data element (as in
    ``BEG01``). Composite and repeated elements stay as one string; use :meth:`component` and
    :meth:`repeats` to split them.

    ``index`` is the segment's 0-based position in the input and ``offset`` the offset of its first
    character (a byte offset for ASCII and Latin-1 input), for error messages; both are ``None`` for
    segments built in memory.
    """

    elements: list[str]
    index: int | None = None
    offset: int | None = None
    component_separator: str = ":"
    repetition_separator: str | None = None

    @property
    def id(self) -> str:
        return self.elements[0]

    def __getitem__(self, position: int) -> str:
        """Element ``position`` (1-based), or ``""`` when the segment is shorter."""
        try:  # the hot path of every translator: no length check when the element exists
            return self.elements[position]
        except IndexError:
            return ""

    def get(self, position: int) -> str | None:
        """Element ``position`` (1-based), or ``None`` when absent or empty."""
        value = self[position]
        return value or None

    def component(self, position: int, part: int) -> str:
        """Component ``part`` (1-based) of composite element ``position``; ``""`` when absent."""
        parts = self[position].split(self.component_separator)
        return parts[part - 1] if part - 1 < len(parts) else ""

    def repeats(self, position: int) -> list[str]:
        """The repetitions of element ``position`` (one item when the interchange has no repetition
        separator or the element does not repeat); ``[]`` when the element is empty."""
        value = self[position]
        if not value:
            return []
        if self.repetition_separator is None:
            return [value]
        return value.split(self.repetition_separator)

    def __len__(self) -> int:
        return len(self.elements)

    @classmethod
    def of(cls, segment_id: str, *values: str | None) -> Segment:
        """Build a segment for writing: ``Segment.of("BEG", "00", "SA", po_number)``; ``None`` → empty."""
        return cls([segment_id, *("" if value is None else value for value in values)])
