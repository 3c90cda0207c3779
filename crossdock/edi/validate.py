"""Validate X12 with pyx12 against crossdock's maps (and pyx12's own HIPAA ones). The ONE pyx12 user.

PUBLIC API:

- ``X12Validator(map_dir=None, cache_root=None)``: no IO when built; the map directory is built (see
  :mod:`crossdock.edi.maps.cache`) and maps are loaded on the first ``validate`` and kept.
- ``X12Validator.validate(data: bytes | BinaryIO, *, source=None) -> ValidationReport``
- ``validate(data, *, source=None)``: the same with a process-wide validator.

Segments come from crossdock's tolerant :class:`~crossdock.edi.reader.X12Reader` (so partner quirks
are read, and reported as reader warnings) and are handed one by one to pyx12's map walker and
segment validators, the way pyx12's ``x12n_document`` drives them. We drive them ourselves because
pyx12's own reader rejects every ISA12 other than 00401/00501 and its driver picks one map per
group by exact GS08; here the map is chosen per set (ST01) with GS08 suffixes and releases
normalised (:func:`crossdock.edi.maps.versions.base_version`). Envelope counts and control numbers
are checked with pyx12's ``X12Base`` rules. Unreadable input raises the reader's ``EdiError``; any
pyx12 failure becomes an error in the report, never an exception.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.segment
import pyx12.x12file
from pyx12.map_walker import walk_tree

from crossdock.edi.maps import versions
from crossdock.edi.maps.cache import map_directory
from crossdock.edi.maps.compiler import control_file_name
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import (
    GroupReport,
    InterchangeReport,
    Issue,
    Level,
    SetReport,
    Severity,
    ValidationReport,
)
from crossdock.edi.segment import Delimiters, Segment
from crossdock.errors import EdiError

_LEVELS = {"isa": Level.INTERCHANGE, "gs": Level.GROUP, "st": Level.SET, "seg": Level.SEGMENT}
_GS_PATH = "/ISA_LOOP/GS_LOOP/GS"


@contextlib.contextmanager
def _quiet_pyx12() -> Iterator[None]:
    """pyx12 logs every error it finds; crossdock reports them instead. Silence its logger meanwhile."""
    logger = logging.getLogger("pyx12")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def _envelope_checker() -> Any:
    """pyx12's reader-side envelope checks (SE/GE/IEA counts and control numbers, duplicates, HL
    numbering) without its file reader, which only accepts ISA12 00401 and 00501."""
    checker = pyx12.x12file.X12Reader.__new__(pyx12.x12file.X12Reader)
    pyx12.x12file.X12Base.__init__(checker)
    return checker


_ISA_WIDTHS = {2: 10, 4: 10, 6: 15, 8: 15}
# Duplicate control numbers (TA105 025, pyx12's GS "6", AK502 23) are resends, not bad X12: the store's
# idempotency decides what to do with them. Reported as warnings.
_DUPLICATES = {("isa", "025"), ("gs", "6"), ("st", "23")}


def _to_pyx12(seg: Segment, delimiters: Delimiters) -> Any:
    elements = seg.elements
    if seg.id == "ISA":  # the reader tolerated (and warned about) unpadded fixed-width fields
        elements = [value.ljust(_ISA_WIDTHS.get(i, 0)) for i, value in enumerate(elements)]
    line = delimiters.element.join(elements)
    return pyx12.segment.Segment(line, delimiters.segment, delimiters.element, delimiters.component)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@dataclass
class _SetState:
    report: SetReport
    issues: list[Issue]
    map_root: Any = None
    node: Any = None
    walker: Any = None
    position: int = 1
    approximate: bool = False  # validated against the nearest version's map: findings are warnings


@dataclass
class _GroupState:
    gs: Segment
    issues: list[Issue] = field(default_factory=list)
    sets: list[SetReport] = field(default_factory=list)
    declared: int | None = None


@dataclass
class _InterchangeState:
    isa: Segment
    delimiters: Delimiters
    issues: list[Issue] = field(default_factory=list)
    groups: list[GroupReport] = field(default_factory=list)


class X12Validator:
    def __init__(self, map_dir: Path | None = None, cache_root: Path | None = None) -> None:
        self._map_dir = map_dir
        self._cache_root = cache_root
        self._maps: dict[str, Any] = {}
        self._index: Any = None
        self._params = pyx12.params.ParamsBase()

    # -- maps -------------------------------------------------------------------------------------
    def _directory(self) -> Path:
        if self._map_dir is None:
            self._map_dir = map_directory(self._cache_root)
        return self._map_dir

    def _load(self, name: str) -> Any:
        if name not in self._maps:
            self._maps[name] = pyx12.map_if.load_map_file(name, self._params, str(self._directory()))
        return self._maps[name]

    def _resolve(self, isa: Segment, gs: Segment, set_id: str) -> tuple[str | None, list[str], bool]:
        """The map file for a set, warnings about how it was chosen, and whether the map is only the
        nearest version's (GS08 004030 checked with the 004010 map)."""
        if self._index is None:
            self._index = pyx12.map_index.map_index(str(self._directory()))
        icvn, fic, gs08 = isa[12], gs[1], gs[8]
        exact = self._index.get_filename(icvn, gs08, fic)
        if exact and self._load(exact).id == set_id:
            return exact, [], False
        family = versions.base_version(gs08)
        if family is None:
            return None, [f"no implementation guide for version {gs08!r}: {set_id} read and checked only"], False
        notes: list[str] = []
        approximate = not gs08.startswith(family)
        if approximate:
            notes.append(f"GS08 {gs08} has no map of its own: checked against the {family} map, "
                         "differences reported as warnings")
        known = {m.SET_ID: m for m in versions.SET_MODULES}
        module = known.get(set_id)
        if module is None:
            note = f"no implementation guide available for {set_id} ({gs08}): read and envelope-checked only"
            return None, [note], False
        if fic != module.FUNCTIONAL_ID:
            notes.append(f"GS01 {fic!r} is not the functional identifier of {set_id} ({module.FUNCTIONAL_ID})")
        return versions.map_file_name(set_id, family), notes, approximate

    # -- driving ----------------------------------------------------------------------------------
    def validate(self, data: bytes | BinaryIO, *, source: str | None = None) -> ValidationReport:
        stream: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        reader = X12Reader(stream, source=source)
        with _quiet_pyx12():
            return _Run(self, reader, source).run()


class _Run:
    """One validation pass over one input."""

    def __init__(self, validator: X12Validator, reader: X12Reader, source: str | None) -> None:
        self.validator = validator
        self.reader = reader
        self.source = source
        self.issues: list[Issue] = []
        self.interchanges: list[InterchangeReport] = []
        self.interchange: _InterchangeState | None = None
        self.group: _GroupState | None = None
        self.set: _SetState | None = None
        self.checker = _envelope_checker()

    def run(self) -> ValidationReport:
        for seg in self.reader.segments():
            self._segment(seg)
        self.checker.cleanup()
        self._envelope_errors(None)
        if self.set is not None:
            self._close_set()
        if self.group is not None:
            self._close_group(None)
        if self.interchange is not None:
            self._close_interchange(None)
        warnings = [
            Issue(Severity.WARNING, Level.READER, w.code, w.message, segment_id=w.segment_id,
                  segment_index=w.segment_index, offset=w.offset)
            for w in self.reader.warnings
        ]
        return ValidationReport(self.source, tuple(self.interchanges), tuple(warnings + self.issues))

    def _control(self) -> Any:
        icvn = self.interchange.isa[12] if self.interchange else "00401"
        return self.validator._load(control_file_name("005010" if icvn >= "00501" else "004010"))

    def _segment(self, seg: Segment) -> None:
        delimiters = self.reader.delimiters or Delimiters()
        sid = seg.id
        data = _to_pyx12(seg, delimiters)
        if sid == "ISA":
            if self.set is not None:
                self._close_set()
            if self.group is not None:
                self._close_group(None)
            if self.interchange is not None:
                self._close_interchange(None)
            self.interchange = _InterchangeState(seg, delimiters)
        try:
            self.checker._parse_segment(data)
        except pyx12.errors.X12Error as exc:
            self._issue(Level.INTERCHANGE, "000", f"envelope: {exc}", seg)
        if self.set is not None and sid not in ("ISA", "GS", "GE", "IEA", "ST"):
            self.set.position += 1
        if sid == "ISA" and self.interchange is not None:
            self._check_against(self._control().getnodebypath("/ISA_LOOP/ISA"), data, seg, self.interchange.issues)
        elif sid == "GS":
            if self.interchange is None:
                self._issue(Level.GROUP, "3", "GS outside an interchange", seg)
                return
            if self.group is not None:
                self._close_group(None)
            self.group = _GroupState(seg)
            self._check_against(self._control().getnodebypath(_GS_PATH), data, seg, self.group.issues)
        elif sid == "ST":
            if self.set is not None:
                self._close_set()
            if self.group is None or self.interchange is None:
                self._issue(Level.SET, "1", "ST outside a functional group", seg)
                return
            self._open_set(seg, data)
        elif self.set is not None:
            self._walk(seg, data)
            if sid == "SE":
                self._envelope_errors(seg)
                self._close_set()
                return
        elif sid == "GE":
            if self.group is not None:
                self._check_against(self._control().getnodebypath("/ISA_LOOP/GS_LOOP/GE"), data, seg,
                                    self.group.issues)
                self._envelope_errors(seg)
                self._close_group(seg)
                return
        elif sid == "IEA":
            if self.interchange is not None:
                self._check_against(self._control().getnodebypath("/ISA_LOOP/IEA"), data, seg,
                                    self.interchange.issues)
                self._envelope_errors(seg)
                self._close_interchange(seg)
                return
        elif sid != "TA1":
            self._issue(Level.SEGMENT, "2", f"segment {sid} outside a transaction set", seg)
        self._envelope_errors(seg)

    # -- issues -----------------------------------------------------------------------------------
    def _issue(self, level: Level, code: str, message: str, seg: Segment | None,
               severity: Severity = Severity.ERROR, **where: Any) -> None:
        issue = Issue(severity, level, code, message, segment_id=seg.id if seg else None,
                      segment_index=seg.index if seg else None, offset=seg.offset if seg else None,
                      segment_position=self.set.position if self.set and seg else None, **where)
        if level in (Level.SET, Level.SEGMENT, Level.ELEMENT) and self.set is not None:
            self.set.issues.append(issue)
        elif level in (Level.GROUP, Level.SET) and self.group is not None:
            self.group.issues.append(issue)
        elif self.interchange is not None:
            self.interchange.issues.append(issue)
        else:
            self.issues.append(issue)

    def _envelope_errors(self, seg: Segment | None) -> None:
        for kind, code, message, value, _line in self.checker.pop_errors():
            level = _LEVELS.get(kind, Level.SEGMENT)
            if kind == "seg" and code.startswith("HL"):
                code = "8"
            severity = Severity.WARNING if (kind, code) in _DUPLICATES else Severity.ERROR
            self._issue(level, code, message, seg, bad_value=value, severity=severity)

    def _check_against(self, node: Any, data: Any, seg: Segment, into: list[Issue], approximate: bool = False) -> None:
        try:
            _, errors = node.is_valid_errors(data)
        except (pyx12.errors.X12Error, pyx12.errors.EngineError, ValueError, IndexError) as exc:
            into.append(Issue(Severity.ERROR, Level.SEGMENT, "8", f"pyx12 could not check {seg.id}: {exc}",
                              segment_id=seg.id, segment_index=seg.index, offset=seg.offset))
            return
        loop_id = _loop_id(node)
        for err in errors:
            issue = replace(self._element_issue(err, seg), loop_id=loop_id)
            into.append(_downgrade(issue) if approximate else issue)

    def _element_issue(self, err: Any, seg: Segment) -> Issue:
        element, component, data_element = None, None, None
        node = err.map_node
        if node is not None:
            data_element = node.data_ele
            parent = node.parent
            if isinstance(parent, pyx12.map_if.composite_if):
                element, component = parent.seq, node.seq
            else:
                element = node.seq
        elif err.refdes is not None:
            digits = str(err.refdes)[-2:]
            element = int(digits) if digits.isdigit() else None
        return Issue(Severity.ERROR, Level.ELEMENT, err.err_cde, err.err_str, segment_id=seg.id,
                     segment_index=seg.index, offset=seg.offset,
                     segment_position=self.set.position if self.set else None,
                     element=element, component=component, data_element=data_element, bad_value=err.err_val)

    # -- sets -------------------------------------------------------------------------------------
    def _open_set(self, seg: Segment, data: Any) -> None:
        assert self.interchange is not None and self.group is not None
        set_id = seg[1]
        report = SetReport(set_id, seg[2], seg.get(3), None, segment_index=seg.index)
        state = _SetState(report, [])
        self.set = state
        try:
            map_name, notes, state.approximate = self.validator._resolve(self.interchange.isa, self.group.gs, set_id)
            for note in notes:
                state.issues.append(Issue(Severity.WARNING, Level.GUIDE, "guide", note, segment_id="ST",
                                          segment_index=seg.index, segment_position=1, offset=seg.offset))
            if map_name is not None:
                state.map_root = self.validator._load(map_name)
                state.report = SetReport(set_id, seg[2], seg.get(3), map_name, segment_index=seg.index)
                state.walker = walk_tree()
                state.walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
                state.walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", _GS_PATH)
                state.node = state.map_root.getnodebypath(_GS_PATH)
        except (OSError, pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
            raise EdiError(f"the pyx12 maps could not be loaded: {exc}") from exc
        self._walk(seg, data)
        self._envelope_errors(seg)

    def _walk(self, seg: Segment, data: Any) -> None:
        state = self.set
        if state is None or state.map_root is None:
            return
        try:
            node, _pop, _push, walk_errors = state.walker.walk_errors(
                state.node, data, state.position, seg.index or 0, None)
        except (pyx12.errors.EngineError, pyx12.errors.X12Error, ValueError, IndexError, AttributeError) as exc:
            self._issue(Level.SEGMENT, "8", f"pyx12 could not place {seg.id}: {exc}", seg)
            return
        for err in walk_errors:
            missing = err.seg_data is not None and err.err_cde == "3"
            state.issues.append((_downgrade if state.approximate else _same)(Issue(
                Severity.ERROR, Level.SEGMENT, err.err_cde, err.err_str,
                segment_id=err.seg_data.get_seg_id() if missing else seg.id,
                segment_index=seg.index, offset=seg.offset,
                segment_position=err.seg_count if missing and err.seg_count else state.position,
                loop_id=_loop_id(err.map_node))))
        if node is None:
            return
        state.node = node
        self._check_against(node, data, seg, state.issues, state.approximate)

    def _close_set(self) -> None:
        state = self.set
        assert state is not None
        self.set = None
        report = state.report
        count = state.position
        frozen = SetReport(report.set_id, report.control_number, report.implementation, report.map_name,
                           tuple(state.issues), count, report.segment_index)
        if self.group is not None:
            self.group.sets.append(frozen)

    def _close_group(self, ge: Segment | None) -> None:
        group = self.group
        assert group is not None
        self.group = None
        if ge is None:
            group.issues.append(Issue(Severity.ERROR, Level.GROUP, "3", f"GS {group.gs[6]} has no GE trailer",
                                      segment_id="GS", segment_index=group.gs.index, offset=group.gs.offset))
        gs = group.gs
        report = GroupReport(gs[1], gs[6], gs[8], gs[2], gs[3], _int(ge[1]) if ge else None, tuple(group.sets),
                             tuple(group.issues))
        if self.interchange is not None:
            self.interchange.groups.append(report)

    def _close_interchange(self, iea: Segment | None) -> None:
        state = self.interchange
        assert state is not None
        self.interchange = None
        isa = state.isa
        if iea is None:
            state.issues.append(Issue(Severity.ERROR, Level.INTERCHANGE, "023", f"ISA {isa[13]} has no IEA trailer",
                                      segment_id="ISA", segment_index=isa.index, offset=isa.offset))
        self.interchanges.append(InterchangeReport(
            isa[13], isa[12], isa[5].strip(), isa[6].strip(), isa[7].strip(), isa[8].strip(), isa[15],
            state.delimiters, tuple(state.groups), tuple(state.issues), isa.index))


def _downgrade(issue: Issue) -> Issue:
    return replace(issue, severity=Severity.WARNING, message=f"{issue.message} (nearest version's map)")


def _same(issue: Issue) -> Issue:
    return issue


def _loop_id(map_node: Any) -> str | None:
    parent = getattr(map_node, "parent", None)
    if map_node is not None and getattr(map_node, "is_loop", lambda: False)():
        parent = map_node
    loop = getattr(parent, "id", None)
    if loop in (None, "ST_LOOP", "GS_LOOP", "ISA_LOOP"):
        return None
    return str(loop)


@functools.lru_cache(maxsize=1)
def default_validator() -> X12Validator:
    """One validator per process, so maps are loaded once (building it does no IO)."""
    return X12Validator()


def validate(data: bytes | BinaryIO, *, source: str | None = None) -> ValidationReport:
    return default_validator().validate(data, source=source)
