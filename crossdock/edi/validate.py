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
come from :mod:`crossdock.edi.envelope`, merged in by :mod:`crossdock.edi.report_envelope`; pyx12's
HL numbering check is kept. Unreadable input raises the reader's ``EdiError``; a missing or broken
map directory raises ``ConfigError``; any pyx12 failure on odd data becomes an error in the report.

This module is a little over 400 lines on purpose: it is the only one that touches pyx12, so every
pyx12 call (map index, loader, walker, segment validators, HL check) stays behind this one boundary.

pyx12's logger is disabled while a validation runs (it logs every finding; we report them). That
switch is process-wide, so concurrent validations in threads share it harmlessly.
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

from crossdock.edi.envelope import EnvelopeChecker
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
from crossdock.edi.report_envelope import merge_envelopes
from crossdock.edi.segment import Delimiters, Segment
from crossdock.errors import ConfigError

__all__ = [
    "MAX_ISSUES_PER_SET",
    "X12Validator",
    "default_validator",
    "validate",
]

_GS_PATH = "/ISA_LOOP/GS_LOOP/GS"
MAX_ISSUES_PER_SET = 1000  # a set this broken is rejected anyway; keep reports (and 997s) readable


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
    """pyx12's reader-side checks without its file reader (which accepts only ISA12 00401 and 00501).
    Only its HL numbering check is used: counts and control numbers are :mod:`crossdock.edi.envelope`'s."""
    checker = pyx12.x12file.X12Reader.__new__(pyx12.x12file.X12Reader)
    pyx12.x12file.X12Base.__init__(checker)
    return checker


_ISA_WIDTHS = {2: 10, 4: 10, 6: 15, 8: 15}


def _fixed(value: str, width: int) -> str:
    return value.ljust(width) if len(value) <= width or value[width:].strip() else value[:width]


def _to_pyx12(seg: Segment, delimiters: Delimiters) -> Any:
    elements = seg.elements
    if seg.id == "ISA":  # the reader tolerated (and warned about) under- or over-padded ID fields
        elements = [_fixed(value, _ISA_WIDTHS[i]) if i in _ISA_WIDTHS else value for i, value in enumerate(elements)]
    line = delimiters.element.join(elements)
    return pyx12.segment.Segment(line, delimiters.segment, delimiters.element, delimiters.component)


def _gs_with_century(seg: Segment, delimiters: Delimiters) -> Any:
    """Before 004010 GS04 is a YYMMDD date (DT 6/6; the control maps have 004010's CCYYMMDD): such a
    GS is checked with the century added (two-digit years below 50 are 20YY), so the date itself is
    still checked. ``None`` for any other GS."""
    elements = seg.elements
    if len(elements) < 9 or len(elements[4]) != 6 or not elements[8][:6].isdigit() or elements[8][:6] >= "004010":
        return None
    date = elements[4]
    century = "20" if date[:2].isdigit() and int(date[:2]) < 50 else "19"
    line = delimiters.element.join([*elements[:4], century + date, *elements[5:]])
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
    hl_stack: list[int] = field(default_factory=list)
    hl_count: int = 0
    approximate: bool = False  # validated against the nearest version's map: findings are warnings


@dataclass
class _GroupState:
    gs: Segment
    issues: list[Issue] = field(default_factory=list)
    sets: list[SetReport] = field(default_factory=list)


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

    def _segment_ids(self, map_root: Any) -> frozenset[str]:
        """Every segment id the map knows (cached per map)."""
        key = f"ids:{map_root.id}:{id(map_root)}"
        if key not in self._maps:
            self._maps[key] = frozenset(
                node.id for node in map_root.loop_segment_iterator() if isinstance(node, pyx12.map_if.segment_if)
            )
        ids: frozenset[str] = self._maps[key]
        return ids

    def _resolve(self, isa: Segment, gs: Segment, set_id: str) -> tuple[str | None, list[str], bool]:
        """The map file for a set, warnings about how it was chosen, and whether the map is only the
        nearest version's (GS08 004030 checked with the 004010 map)."""
        if self._index is None:
            self._index = pyx12.map_index.map_index(str(self._directory()))
        icvn, fic, gs08 = isa[12], gs[1], gs[8]
        exact = self._index.get_filename(icvn, gs08, fic)
        if exact and self._load(exact).id == set_id:
            return exact, [], False
        family = versions.base_version(gs08, set_id)
        if family is None:
            return None, [f"no implementation guide for version {gs08!r}: {set_id} read and checked only"], False
        notes: list[str] = []
        approximate = not gs08.startswith(family)
        if approximate:
            notes.append(f"GS08 {gs08} has no map of its own: checked against the {family} map, "
                         "its findings reported as warnings")
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
    """One validation pass over one input: segments go to the envelope checker, to pyx12's HL
    numbering check, and (inside a set with a map) to pyx12's walker and segment validators."""

    def __init__(self, validator: X12Validator, reader: X12Reader, source: str | None) -> None:
        self.validator = validator
        self.reader = reader
        self.source = source
        self.interchanges: list[InterchangeReport] = []
        self.interchange: _InterchangeState | None = None
        self.group: _GroupState | None = None
        self.set: _SetState | None = None
        self.envelope = EnvelopeChecker()
        self.hl_checker = _envelope_checker()

    def run(self) -> ValidationReport:
        for seg in self.reader.segments():
            self.envelope.add(seg, self.reader.delimiters)
            self._segment(seg)
        self._close_interchange(None)
        warnings = tuple(
            Issue(Severity.WARNING, Level.READER, w.code, w.message, segment_id=w.segment_id,
                  segment_index=w.segment_index, offset=w.offset)
            for w in self.reader.warnings
        )
        report = ValidationReport(self.source, tuple(self.interchanges), warnings)
        return merge_envelopes(report, self.envelope.finish())

    def _control(self, path: str) -> Any:
        icvn = self.interchange.isa[12] if self.interchange else "00401"
        return self.validator._load(control_file_name("005010" if icvn >= "00501" else "004010")).getnodebypath(path)

    def _segment(self, seg: Segment) -> None:
        sid = seg.id
        data = _to_pyx12(seg, self.reader.delimiters or Delimiters())
        if sid == "ISA":
            self._close_interchange(None)
            self.interchange = _InterchangeState(seg, self.reader.delimiters or Delimiters())
            self._check_against(self._control("/ISA_LOOP/ISA"), data, seg, self.interchange.issues)
        elif self.interchange is None:
            return  # the reader starts every input at an ISA
        elif sid == "GS":
            self._close_group(None)
            self.group = _GroupState(seg)
            gs = _gs_with_century(seg, self.reader.delimiters or Delimiters())
            self._check_against(self._control(_GS_PATH), gs or data, seg, self.group.issues)
        elif sid == "ST":
            self._close_set()
            if self.group is not None:  # an ST outside any GS is an envelope issue
                self._open_set(seg, data)
        elif sid == "GE":
            self._close_set()  # a set left open has no SE: the envelope checks report it
            if self.group is not None:
                self._check_against(self._control("/ISA_LOOP/GS_LOOP/GE"), data, seg, self.group.issues)
                self._close_group(seg)
        elif sid == "IEA":
            self._check_against(self._control("/ISA_LOOP/IEA"), data, seg, self.interchange.issues)
            self._close_interchange(seg)
        elif self.set is not None:
            self.set.position += 1
            self._hl_numbering(seg, data)
            self._walk(seg, data)
            if sid == "SE":
                self._close_set()

    # -- issues -----------------------------------------------------------------------------------
    def _hl_numbering(self, seg: Segment, data: Any) -> None:
        """pyx12's HL checks: HL01 counts 1, 2, 3 ... within the set and HL02 names an open parent."""
        if seg.id != "HL" or self.set is None:
            return
        checker = self.hl_checker
        checker.hl_stack, checker.hl_count = self.set.hl_stack, self.set.hl_count
        checker._parse_segment(data)
        self.set.hl_count = checker.hl_count
        for _kind, _code, message, value, _line in checker.pop_errors():
            self.set.issues.append(Issue(Severity.ERROR, Level.SEGMENT, "8", message, segment_id="HL",
                                         segment_index=seg.index, offset=seg.offset,
                                         segment_position=self.set.position, bad_value=value))

    def _check_against(self, node: Any, data: Any, seg: Segment, into: list[Issue], approximate: bool = False) -> None:
        try:
            _, errors = node.is_valid_errors(data)
        except Exception as exc:  # pyx12 failing on odd data must not end the run: report it here
            into.append(Issue(Severity.ERROR, Level.SEGMENT, "8", f"pyx12 could not check {seg.id}: {exc!r}",
                              segment_id=seg.id, segment_index=seg.index, offset=seg.offset))
            return
        loop_id = _loop_id(node)
        for err in errors:
            issue = replace(self._element_issue(err, seg), loop_id=loop_id)
            if approximate or (err.err_cde == "6" and "trailing spaces" in err.err_str):
                issue = _downgrade(issue)  # X12 says trailing spaces "should" be suppressed: a warning
            into.append(issue)

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
        state = _SetState(SetReport(set_id, seg[2], seg.get(3), None, segment_index=seg.index), [])
        self.set = state
        try:
            map_name, notes, state.approximate = self.validator._resolve(self.interchange.isa, self.group.gs, set_id)
            if map_name is not None:
                state.map_root = self.validator._load(map_name)
                state.walker = walk_tree()
                state.walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
                state.walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", _GS_PATH)
                state.node = state.map_root.getnodebypath(_GS_PATH)
        except (OSError, pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
            raise ConfigError(f"the pyx12 maps could not be loaded: {exc}") from exc
        state.report = replace(state.report, map_name=map_name)
        for note in notes:
            state.issues.append(Issue(Severity.WARNING, Level.GUIDE, "guide", note, segment_id="ST",
                                      segment_index=seg.index, segment_position=1, offset=seg.offset))
        self._walk(seg, data)

    def _walk(self, seg: Segment, data: Any) -> None:
        state = self.set
        if state is None or state.map_root is None:
            return
        try:
            node, _pop, _push, walk_errors = state.walker.walk_errors(
                state.node, data, state.position, seg.index or 0, None)
        except Exception as exc:  # pyx12 failing on odd data must not end the run: report it here
            state.issues.append(Issue(Severity.ERROR, Level.SEGMENT, "8", f"pyx12 could not place {seg.id}: {exc!r}",
                                      segment_id=seg.id, segment_index=seg.index, offset=seg.offset,
                                      segment_position=state.position))
            return
        for err in walk_errors:
            missing = err.seg_data is not None and err.err_cde == "3"
            code = err.err_cde
            if code == "1" and seg.id in self.validator._segment_ids(state.map_root):
                code = "2"  # AK304: a segment of this set, in the wrong place ("1" is for unknown ids)
            state.issues.append((_downgrade if state.approximate else _same)(Issue(
                Severity.ERROR, Level.SEGMENT, code, err.err_str,
                segment_id=err.seg_data.get_seg_id() if missing else seg.id,
                segment_index=seg.index, offset=seg.offset,
                segment_position=err.seg_count if missing and err.seg_count else state.position,
                loop_id=_loop_id(err.map_node))))
        if node is None:
            return
        state.node = node
        self._check_against(node, data, seg, state.issues, state.approximate)

    def _close_set(self) -> None:
        state, self.set = self.set, None
        if state is None or self.group is None:
            return
        issues = state.issues
        if len(issues) > MAX_ISSUES_PER_SET:
            more = len(issues) - MAX_ISSUES_PER_SET
            first_error = next(i for i in issues if i.is_error) if any(i.is_error for i in issues) else None
            issues = issues[:MAX_ISSUES_PER_SET]
            if first_error is not None and first_error not in issues:
                issues.append(first_error)
            issues.append(Issue(Severity.WARNING, Level.GUIDE, "truncated", f"{more} more findings not listed"))
        self.group.sets.append(replace(state.report, issues=tuple(issues), segment_count=state.position))

    def _close_group(self, ge: Segment | None) -> None:
        self._close_set()
        group, self.group = self.group, None
        if group is None or self.interchange is None:
            return
        gs = group.gs
        self.interchange.groups.append(GroupReport(
            gs[1], gs[6], gs[8], gs[2], gs[3], _int(ge[1]) if ge else None, tuple(group.sets), tuple(group.issues),
            gs.index))

    def _close_interchange(self, iea: Segment | None) -> None:
        self._close_group(None)
        state, self.interchange = self.interchange, None
        if state is None:
            return
        isa = state.isa
        self.interchanges.append(InterchangeReport(
            isa[13], isa[12], isa[5].strip(), isa[6].strip(), isa[7].strip(), isa[8].strip(), isa[15],
            state.delimiters, tuple(state.groups), tuple(state.issues), isa.index,
            date=isa[9].strip(), time=isa[10].strip(), ack_requested=isa[14].strip()))


def _downgrade(issue: Issue) -> Issue:
    return replace(issue, severity=Severity.WARNING)


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
