"""What every X12 ⇄ canonical translation shares: the result it returns and the context that collects
warnings, unmapped segments and field-level errors with their X12 positions while it runs.

A position reads ``PO1[3]/PO102``: the third PO1 segment of the set, element 02. Each warning and
unmapped segment also carries the segment's 0-based index in the input file (``segment_index``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import values
from crossdock.errors import MappingError

DocumentT = TypeVar("DocumentT", bound=BaseModel)
Position = tuple[Segment, int | None, Mapping[str, int] | None]
"""Where a canonical field came from: a segment, its element (or ``None``), and for a :meth:`SetContext.row`
the elements of its sub-fields."""


@dataclass(frozen=True, slots=True)
class Lookups:
    """Reference data a mapping may use; passed in, never queried. ``sku_map`` maps a GTIN, buyer part
    number or vendor part number to our SKU, for lines that do not carry one."""

    sku_map: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MappingWarning:
    message: str
    location: str
    segment_index: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"message": self.message, "location": self.location, "segment_index": self.segment_index}


@dataclass(frozen=True, slots=True)
class UnmappedSegment:
    """A segment the translation kept but could not place in the canonical document."""

    segment_id: str
    location: str
    segment_index: int | None
    raw: str

    def to_dict(self) -> dict[str, object]:
        return {
            "segment_id": self.segment_id,
            "location": self.location,
            "segment_index": self.segment_index,
            "raw": self.raw,
        }


@dataclass(frozen=True, slots=True)
class Translation(Generic[DocumentT]):
    """The canonical document of one transaction set, what was tolerated, and what was not mapped."""

    document: DocumentT
    warnings: tuple[MappingWarning, ...] = ()
    unmapped: tuple[UnmappedSegment, ...] = ()


_NO_LOOKUPS = Lookups()


class SetContext:
    """Collects the outcome of mapping one transaction set. Mappings call :meth:`warn`, :meth:`keep`,
    :meth:`error` and the typed readers; :meth:`build` raises :class:`MappingError` with every field
    error at once, or returns the :class:`Translation`."""

    def __init__(self, ts: TransactionSet, lookups: Lookups | None = None) -> None:
        self.ts = ts
        self.lookups = lookups or _NO_LOOKUPS
        self.warnings: list[MappingWarning] = []
        self.unmapped: list[UnmappedSegment] = []
        self.errors: list[tuple[str, str]] = []
        self.positions: dict[str, Position] = {}
        self._occurrence: dict[int, int] | None = None  # built once many positions are reported
        self._ids: list[str] | None = None
        self._asked = 0
        self._pending: list[Callable[[SetContext], None]] = []

    # --- positions -------------------------------------------------------------------------------
    # Positions are recorded as (segment, element) and only spelled out (``PO1[3]/PO102``) when a
    # warning, an unmapped segment or an error is reported: most sets report nothing.
    def where(self, seg: Segment, element: int | None = None) -> str:
        sid = seg.elements[0]
        ref = f"{sid}[{self._occurrence_of(seg)}]"
        return ref if element is None else f"{ref}/{sid}{element:02d}"

    def _occurrence_of(self, seg: Segment) -> int:
        """1-based occurrence of ``seg`` among the set's segments with its id (1 when not in the set).
        The first few are counted in C over a list of ids; a set reporting more gets a full index."""
        if self._occurrence is not None:
            return self._occurrence.get(id(seg), 1)
        segments = self.ts.segments
        self._asked += 1
        if self._asked > _COUNTED_LOOKUPS:
            self._occurrence = _occurrences(segments)
            return self._occurrence.get(id(seg), 1)
        position = _position(segments, seg)
        if position is None:
            return 1
        if self._ids is None:
            self._ids = list(map(_segment_id, segments))
        return self._ids[: position + 1].count(seg.elements[0])

    def at(self, canonical_field: str, seg: Segment, element: int | None = None) -> None:
        """Remember where ``canonical_field`` came from, so a model error on it names the X12 position."""
        self.positions[canonical_field] = (seg, element, None)

    def row(self, canonical_field: str, seg: Segment, elements: Mapping[str, int]) -> None:
        """Remember that ``canonical_field`` (a line, say) came from ``seg``, and that its sub-fields
        ``elements`` came from those elements of it (``{"quantity": 2}``: ``lines[3].quantity`` is
        ``PO1[4]/PO102``), in one entry. A later :meth:`at` on a sub-field wins."""
        self.positions[canonical_field] = (seg, None, elements)

    def later(self, record: Callable[[SetContext], None]) -> None:
        """Run ``record(self)`` (which calls :meth:`at`) only if a position is ever looked up.

        ``record`` is handed the context rather than closing over it: a closure kept here that held the
        context would make a reference cycle, and every set (its segments included) would then wait
        for the cyclic garbage collector instead of being freed when its translation is dropped."""
        self._pending.append(record)

    def locate(self, path: str) -> str:
        """The X12 position of ``path`` or of its nearest recorded parent (``lines[2]`` for
        ``lines[2].gtin``); the set itself when nothing is recorded."""
        pending, self._pending = self._pending, []
        for record in pending:
            record(self)
        child = ""
        while path:
            entry = self.positions.get(path)
            if entry is not None:
                seg, element, elements = entry
                if elements is not None:
                    element = elements.get(child)
                return self.where(seg, element)
            cut = max(path.rfind("."), path.rfind("["))
            child = path[cut + 1 :] if cut > 0 else ""
            path = path[:cut] if cut > 0 else ""
        return f"ST[{self.ts.control_number}]"

    def raw(self, seg: Segment) -> str:
        return self.ts.delimiters.element.join(seg.elements)

    # --- outcomes --------------------------------------------------------------------------------
    def warn(self, seg: Segment, message: str, element: int | None = None) -> None:
        self.warnings.append(MappingWarning(message, self.where(seg, element), seg.index))

    def keep(self, seg: Segment, reason: str | None = None) -> None:
        """Keep ``seg`` as unmapped (and say why, as a warning, when there is a reason)."""
        self.unmapped.append(UnmappedSegment(seg.id, self.where(seg), seg.index, self.raw(seg)))
        if reason:
            self.warn(seg, reason)

    def error(self, location: str, canonical_field: str, message: str) -> None:
        self.errors.append((location, f"{canonical_field}: {message}"))

    def used(self, seg: Segment, *positions: int) -> None:
        """Warn about each non-empty element of ``seg`` outside ``positions`` (read but not mapped).
        ``positions`` are in ascending order."""
        elements = seg.elements
        last = len(elements) - 1
        if last <= len(positions) and (last < 1 or positions[last - 1] == last):
            return  # ascending positions whose first ``last`` are 1..last: every element is listed
        filled = last - elements.count("") + (not elements[0])  # non-empty elements after the id, counted in C
        if filled <= len(positions):
            listed = 0
            for position in positions:
                if position <= last and elements[position]:
                    listed += 1
            if listed == filled:
                return  # every non-empty element is at a listed position (the usual PID*F****TEXT)
        for position in range(1, last + 1):
            value = elements[position]
            if value and position not in positions:
                self.warn(seg, f"{elements[0]}{position:02d}={value!r} not mapped", position)

    def expect(self, seg: Segment, position: int, *defaults: str) -> None:
        """Warn when element ``position`` holds something other than ``defaults`` (a code the canonical
        document cannot carry, such as a collect payment method)."""
        value = seg[position]
        if value and value not in defaults:
            self.warn(seg, f"{seg.id}{position:02d}={value!r} not mapped", position)

    # --- typed element readers (record an error and return None on bad input) -------------------
    def decimal(
        self, seg: Segment, position: int, canonical_field: str, *, required: bool = False, record: bool = True
    ) -> Decimal | None:
        """Element ``position`` as a Decimal; ``record=False`` when a :meth:`row` already locates the field."""
        if record:
            self.positions[canonical_field] = (seg, position, None)
        elements = seg.elements
        text = elements[position] if position < len(elements) else ""
        if text.replace(".", "", 1).isdecimal():  # digits with at most one point: the common case
            return Decimal(text)
        text = text.strip()
        if not text:
            if required:
                self.error(self.where(seg, position), canonical_field, f"{elements[0]}{position:02d} is required")
            return None
        try:
            return values.parse_decimal(text)
        except ValueError as exc:
            self.error(self.where(seg, position), canonical_field, str(exc))
            return None

    def date(self, seg: Segment, position: int, canonical_field: str, *, required: bool = False) -> date | None:
        self.at(canonical_field, seg, position)
        text = seg[position].strip()
        if not text:
            if required:
                self.error(self.where(seg, position), canonical_field, f"{seg.id}{position:02d} is required")
            return None
        try:
            return values.parse_date(text)
        except ValueError as exc:
            self.error(self.where(seg, position), canonical_field, str(exc))
            return None

    def moment(
        self, seg: Segment, date_pos: int, time_pos: int | None, code_pos: int | None, canonical_field: str
    ) -> datetime | None:
        """Date + optional time + optional time code → aware datetime (UTC when no code)."""
        day = self.date(seg, date_pos, canonical_field)
        if day is None:
            return None
        clock = None
        if time_pos and seg[time_pos]:
            try:
                clock = values.parse_time(seg[time_pos] if time_pos else "")
            except ValueError as exc:
                self.error(self.where(seg, time_pos), canonical_field, str(exc))
                return None
        code = seg[code_pos] if code_pos else ""
        zone = values.time_zone(code)
        if zone is None:
            self.warn(seg, f"time code {code!r} unknown or local: time taken as UTC", code_pos)
            zone = values.time_zone(None)
        assert zone is not None
        return values.combine(day, clock, zone)

    # --- result ----------------------------------------------------------------------------------
    def build(self, model: type[DocumentT], data: dict[str, Any], key: str | None = None) -> Translation[DocumentT]:
        if not self.errors:
            try:
                document = model.model_validate(data)
            except ValidationError as exc:
                for err in exc.errors():
                    path = _field_path(err["loc"])
                    self.errors.append((self.locate(path), f"{path}: {err['msg']}"))
            else:
                return Translation(document, tuple(self.warnings), tuple(self.unmapped))
        raise MappingError(
            f"{self.ts.set_id} {self.ts.control_number} cannot be mapped to {model.__name__}", self.errors, key=key
        )


_COUNTED_LOOKUPS = 16


def _segment_id(seg: Segment) -> str:
    return seg.elements[0]


def _position(segments: list[Segment], seg: Segment) -> int | None:
    """Index of ``seg`` (by identity) in ``segments``: from the input indexes when they are consecutive."""
    if segments and seg.index is not None and segments[0].index is not None:
        guess = seg.index - segments[0].index
        if 0 <= guess < len(segments) and segments[guess] is seg:
            return guess
    return next((i for i, s in enumerate(segments) if s is seg), None)


def _occurrences(segments: list[Segment]) -> dict[int, int]:
    """id(segment) → its 1-based occurrence among the set's segments with the same id."""
    counts: Counter[str] = Counter()
    occurrence: dict[int, int] = {}
    for seg in segments:
        counts[seg.elements[0]] += 1
        occurrence[id(seg)] = counts[seg.elements[0]]
    return occurrence


def _field_path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def require(seg: Segment | None, ctx: SetContext, segment_id: str, canonical_field: str) -> Segment | None:
    """Record 'segment missing' when ``seg`` is None."""
    if seg is None:
        ctx.error(segment_id, canonical_field, f"required segment {segment_id} is missing")
    return seg


def mapping_error(message: str, location: str, canonical_field: str, problem: str) -> MappingError:
    """A one-problem :class:`MappingError` for the canonical → X12 direction."""
    return MappingError(message, [(location, f"{canonical_field}: {problem}")])


def locate_tree(ctx: SetContext, orders: list[dict[str, Any]]) -> None:
    """Record the X12 position of each order line and package (their ``_seg`` entries, removed here),
    so model errors under ``orders[i].packages[j].lines[k]`` name the segment they came from. The
    positions are spelled out only if one is ever looked up."""
    tree = [
        (
            [line.pop("_seg", None) for line in order["lines"]],
            [(package.pop("_seg", None), [line.pop("_seg", None) for line in package["lines"]])
             for package in order["packages"]],
        )
        for order in orders
    ]  # fmt: skip

    def record(ctx: SetContext) -> None:
        for oi, (lines, packages) in enumerate(tree):
            groups: list[tuple[str, list[Segment | None]]] = [(f"orders[{oi}]", lines)]
            for pi, (seg, package_lines) in enumerate(packages):
                prefix = f"orders[{oi}].packages[{pi}]"
                if seg is not None:
                    ctx.at(prefix, seg)
                groups.append((prefix, package_lines))
            for prefix, segs in groups:
                for li, line_seg in enumerate(segs):
                    if line_seg is not None:
                        ctx.at(f"{prefix}.lines[{li}]", line_seg)

    ctx.later(record)


def is_reference_qualifier(key: str) -> bool:
    """True for a key that can travel as a REF01 / N901 qualifier (1-3 upper-case letters or digits)."""
    return 1 <= len(key) <= 3 and key.isalnum() and key == key.upper()
