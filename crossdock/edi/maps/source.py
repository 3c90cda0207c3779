"""Parse crossdock's compact map sources (:mod:`~crossdock.edi.maps.dictionary` and the ``x850``-style
set tables) into plain frozen definitions the compiler turns into pyx12 map XML."""

from __future__ import annotations

from dataclasses import dataclass

from crossdock.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ElementDef:
    id: str
    data_type: str
    min_len: int
    max_len: int
    name: str


@dataclass(frozen=True, slots=True)
class ElementUse:
    """A data element or composite at one position of a segment (or component of a composite)."""

    ref: str  # data element id ("330") or composite id ("C001")
    mandatory: bool

    @property
    def is_composite(self) -> bool:
        return self.ref.startswith("C")


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    elements: tuple[ElementUse, ...]
    syntax: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentEntry:
    """A segment's place in a transaction set table."""

    id: str
    mandatory: bool
    max_use: str  # "1", "10", ">1"


@dataclass(frozen=True, slots=True)
class LoopEntry:
    id: str
    mandatory: bool
    repeat: str
    children: tuple[SegmentEntry | LoopEntry, ...]


@dataclass(frozen=True, slots=True)
class Dictionary:
    elements: dict[str, ElementDef]
    composites: dict[str, tuple[ElementUse, ...]]
    segments: dict[str, SegmentDef]


def _uses(tokens: list[str]) -> tuple[ElementUse, ...]:
    return tuple(ElementUse(token.rstrip("!"), token.endswith("!")) for token in tokens)


def parse_dictionary(elements: str, composites: str, segments: str) -> Dictionary:
    element_defs: dict[str, ElementDef] = {}
    for line in elements.strip().splitlines():
        parts = line.split(maxsplit=4)
        if len(parts) < 4:
            raise ConfigError(f"map dictionary: bad element line {line!r}")
        ele_id, data_type, min_len, max_len = parts[:4]
        name = parts[4] if len(parts) > 4 else f"Data Element {ele_id}"
        element_defs[ele_id] = ElementDef(ele_id, data_type, int(min_len), int(max_len), name)
    composite_defs: dict[str, tuple[ElementUse, ...]] = {}
    for line in composites.strip().splitlines():
        comp_id, *tokens = line.split()
        composite_defs[comp_id] = _uses(tokens)
    segment_defs: dict[str, SegmentDef] = {}
    for line in segments.strip().splitlines():
        head, _, rest = line.partition(":")
        seg_id, _, name = head.strip().partition(" ")
        refs, _, syntax = rest.partition("|")
        segment_defs[seg_id] = SegmentDef(seg_id, name.strip() or seg_id, _uses(refs.split()), tuple(syntax.split()))
    return Dictionary(element_defs, composite_defs, segment_defs)


def parse_table(table: str, *, where: str) -> tuple[SegmentEntry | LoopEntry, ...]:
    """Parse an indented set table (see :mod:`crossdock.edi.maps.x850`) into entries."""
    lines = [line for line in table.splitlines() if line.strip()]
    entries, index = _parse_block(lines, 0, 0, where)
    if index != len(lines):
        raise ConfigError(f"{where}: bad indentation at {lines[index]!r}")
    return entries


def _parse_block(
    lines: list[str], index: int, depth: int, where: str
) -> tuple[tuple[SegmentEntry | LoopEntry, ...], int]:
    out: list[SegmentEntry | LoopEntry] = []
    while index < len(lines):
        line = lines[index]
        indent = (len(line) - len(line.lstrip(" "))) // 2
        if indent < depth:
            break
        if indent > depth:
            raise ConfigError(f"{where}: unexpected indentation at {line!r}")
        parts = line.split()
        if parts[0] == "LOOP" and len(parts) == 4:
            children, index = _parse_block(lines, index + 1, depth + 1, where)
            if not children or not isinstance(children[0], SegmentEntry):
                raise ConfigError(f"{where}: loop {parts[1]} must start with a segment")
            out.append(LoopEntry(parts[1], parts[2] == "M", parts[3], children))
            continue
        if len(parts) != 3 or parts[1] not in ("M", "O"):
            raise ConfigError(f"{where}: bad table line {line!r}")
        out.append(SegmentEntry(parts[0], parts[1] == "M", parts[2]))
        index += 1
    return tuple(out), index
