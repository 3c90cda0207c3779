"""Envelope checks as data: ISA/IEA, GS/GE and ST/SE counts, control numbers and identifiers.

PUBLIC API::

    check_envelopes(stream_or_bytes) -> list[InterchangeEnvelope]

    checker = EnvelopeChecker()           # when you already iterate the reader yourself
    for seg in reader.segments():
        checker.add(seg, reader.delimiters)
    reports = checker.finish(reader.warnings)

Each :class:`~crossdock.edi.envelope_report.InterchangeEnvelope` holds its groups, each group its
sets; every level carries its identifiers (ISA05-08/12/13/14/15, GS01-08, ST01-03), counts as found and
as declared, its start offset and segment index, and its :class:`Issue` list (codes in
:class:`EnvelopeCode`, with the TA105/AK905/AK502 code that acknowledges each). Missing trailers
(SE, GE, IEA) are issues, not exceptions: a report comes back for every interchange that starts.
Only input that is not X12 at all raises (:class:`~crossdock.errors.EdiSyntaxError` from the reader).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from crossdock.edi.delimiters import ISA_WIDTHS
from crossdock.edi.envelope_report import EnvelopeCode, GroupEnvelope, InterchangeEnvelope, SetEnvelope
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import Issue, Level, Severity
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.tokenizer import ENVELOPE_ALL
from crossdock.edi.tolerance import ReadWarning

__all__ = ["EnvelopeChecker", "check_envelopes"]

GS08_VERSION = re.compile(r"\d{6}")
C = EnvelopeCode


def check_envelopes(stream: BinaryIO | bytes, source: str | None = None) -> list[InterchangeEnvelope]:
    """Read ``stream`` once and report the envelopes of every interchange in it."""
    reader = X12Reader(stream, source)
    checker = EnvelopeChecker()
    for segments, marks in reader.batches():
        checker.add_batch(segments, marks, reader.delimiters)
    return checker.finish(reader.warnings)


def _issue(code: EnvelopeCode, level: Level, message: str, ack: str | None, seg: Segment | None,
           element: int | None = None, severity: Severity = Severity.ERROR) -> Issue:
    """An issue of the validation report: coded with the X12 acknowledgment code that reports it (TA105,
    AK905, AK502) when there is one, else with the check's own; the check's code is kept in ``check``
    and named in the message."""
    return Issue(severity, level, ack or code.value, f"{message} [{code.value}]", segment_id=seg.id if seg else None,
                 segment_index=seg.index if seg else None, offset=seg.offset if seg else None, element=element,
                 check=code.value)  # fmt: skip


INTERCHANGE_SERVICE = frozenset({"ISB", "ISE"})


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()  # str.isdigit() alone accepts "²" and other digits


def _number(value: str) -> int | None:
    value = value.strip()
    return int(value) if _digits(value) else None


@dataclass
class _Set:
    st: Segment
    count: int = 1
    issues: list[Issue] = field(default_factory=list)


@dataclass
class _Group:
    gs: Segment | None
    sets: list[SetEnvelope] = field(default_factory=list)
    st02s: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    outside_reported: bool = False


@dataclass
class _Interchange:
    isa: Segment
    delimiters: Delimiters
    groups: list[GroupEnvelope] = field(default_factory=list)
    gs06s: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    outside_reported: bool = False


class EnvelopeChecker:
    """Feed segments in input order (:meth:`add` or :meth:`add_batch`), then call :meth:`finish`."""

    def __init__(self) -> None:
        self._done: list[InterchangeEnvelope] = []
        self._isa13s: set[str] = set()
        self._interchange: _Interchange | None = None
        self._group: _Group | None = None
        self._set: _Set | None = None
        self._last: Segment | None = None

    # -- feeding ---------------------------------------------------------------------------------
    def add(self, seg: Segment, delimiters: Delimiters | None = None) -> None:
        if seg.id in ENVELOPE_ALL:
            self._envelope(seg, delimiters)
        elif not self._interchange_service(seg.id):
            self._body(seg, 1)
        self._last = seg

    def add_batch(self, segments: Sequence[Segment], marks: Sequence[int], delimiters: Delimiters | None) -> None:
        """A tokenizer batch: ``marks`` are the positions of the envelope segments in ``segments``."""
        start = 0
        for mark in marks:
            while start < mark and self._interchange_service(segments[start].id):
                start += 1
            if mark > start:
                self._body(segments[start], mark - start)
            self._envelope(segments[mark], delimiters)
            start = mark + 1
        while start < len(segments) and self._interchange_service(segments[start].id):
            start += 1
        if len(segments) > start:
            self._body(segments[start], len(segments) - start)
        if segments:
            self._last = segments[-1]

    def _interchange_service(self, segment_id: str) -> bool:
        """ISB (grade of service) and ISE (deferred delivery) requests: interchange control segments
        that X12.5 places between the ISA and the first GS; not data outside a set there."""
        interchange = self._interchange
        return segment_id in INTERCHANGE_SERVICE and self._group is None and interchange is not None \
            and not interchange.groups

    def finish(self, warnings: Sequence[ReadWarning] = ()) -> list[InterchangeEnvelope]:
        """Close what is still open (reporting the missing trailers) and return the reports, with the
        reader's ``warnings`` attached to the interchange they occurred in."""
        if self._interchange is not None:
            self._close_interchange(None, self._last)
        done = self._done
        if not done or not warnings:
            return list(done)
        starts = [report.offset or 0 for report in done]
        shares: list[list[ReadWarning]] = [[] for _ in done]
        for warning in warnings:
            position = bisect_right(starts, warning.offset or 0) - 1
            shares[max(position, 0)].append(warning)
        return [dataclasses.replace(report, warnings=tuple(share)) for report, share in zip(done, shares, strict=True)]

    # -- segments ----------------------------------------------------------------------------------
    def _body(self, first: Segment, count: int) -> None:
        if self._set is not None:
            self._set.count += count
            return
        owner = self._group or self._interchange
        if owner is None or owner.outside_reported:
            return
        owner.outside_reported = True
        level = Level.GROUP if self._group else Level.INTERCHANGE
        owner.issues.append(_issue(C.SEGMENT_OUTSIDE_SET, level, f"{first.id} segment outside a transaction set",
                                   None, first))

    def _envelope(self, seg: Segment, delimiters: Delimiters | None) -> None:
        sid = seg.id
        if sid == "ISA":
            if self._interchange is not None:
                self._close_interchange(None, seg)
            self._open_interchange(seg, delimiters or Delimiters())
            return
        if self._interchange is None:
            return  # the reader always starts at an ISA; nothing to attach to otherwise
        if sid == "TA1":
            if self._set is not None:
                self._set.count += 1
        elif sid == "ST":
            self._open_set(seg)
        elif sid == "SE":
            self._close_set(seg, seg)
        elif sid == "GS":
            if self._group is not None:
                self._close_group(None, seg)
            self._open_group(seg)
        elif sid == "GE":
            self._ge(seg)
        elif sid == "IEA":
            self._close_interchange(seg, seg)

    # -- interchange -------------------------------------------------------------------------------
    def _open_interchange(self, isa: Segment, delimiters: Delimiters) -> None:
        current = _Interchange(isa, delimiters)
        self._interchange, self._group, self._set = current, None, None
        issues = current.issues
        lvl = Level.INTERCHANGE
        widths = tuple(len(value) for value in isa.elements[1:17])
        if widths != ISA_WIDTHS:
            bad = [f"ISA{n:02d}" for n, (got, want) in enumerate(zip(widths, ISA_WIDTHS, strict=False), 1)
                   if got != want]
            issues.append(_issue(C.ISA_FIELD_WIDTH, lvl, f"ISA fields not at their fixed widths: {', '.join(bad)}",
                                 None, isa, severity=Severity.WARNING))
        if not (len(isa[12]) == 5 and _digits(isa[12])):
            issues.append(_issue(C.ISA_VERSION, lvl, f"ISA12 {isa[12]!r} is not a 5-digit version", "017", isa, 12))
        control = isa[13]
        if not (len(control) == 9 and _digits(control)):
            issues.append(_issue(C.ISA_CONTROL_NUMBER, lvl, f"ISA13 {control!r} is not 9 digits", "018", isa, 13))
        if isa[14] not in ("0", "1"):
            issues.append(_issue(C.ISA_ACK_REQUESTED, lvl, f"ISA14 {isa[14]!r} is not 0 or 1", "019", isa, 14))
        if isa[15] not in ("P", "T", "I"):
            issues.append(_issue(C.ISA_USAGE, lvl, f"ISA15 {isa[15]!r} is not P, T or I", "020", isa, 15))
        if control in self._isa13s:
            issues.append(_issue(C.DUPLICATE_ISA13, lvl, f"ISA13 {control} already used in this input", "025", isa,
                                 13, Severity.WARNING))
        self._isa13s.add(control)

    def _close_interchange(self, iea: Segment | None, at: Segment | None) -> None:
        current = self._interchange
        assert current is not None
        if self._group is not None:
            self._close_group(None, at)
        isa = current.isa
        lvl = Level.INTERCHANGE
        if iea is None:
            current.issues.append(_issue(C.MISSING_IEA, lvl, f"interchange {isa[13]} has no IEA", "023", at))
        else:
            if iea[2] != isa[13]:
                current.issues.append(_issue(C.IEA_CONTROL_MISMATCH, lvl,
                                             f"IEA02 {iea[2]!r} does not match ISA13 {isa[13]!r}", "001", iea, 2))
            if _number(iea[1]) != len(current.groups):
                current.issues.append(_issue(C.IEA_GROUP_COUNT, lvl,
                                             f"IEA01 {iea[1]!r} but {len(current.groups)} groups counted", "021",
                                             iea, 1))
        self._done.append(InterchangeEnvelope(
            isa[5].strip(), isa[6].strip(), isa[7].strip(), isa[8].strip(), isa[9], isa[10], isa[12], isa[13],
            isa[14], isa[15], current.delimiters, iea[1] if iea else None, isa.offset, isa.index,
            tuple(current.groups), tuple(current.issues)))
        self._interchange = None

    # -- group -------------------------------------------------------------------------------------
    def _open_group(self, gs: Segment) -> None:
        interchange = self._interchange
        assert interchange is not None
        group = _Group(gs)
        self._group = group
        lvl = Level.GROUP
        missing = [f"GS{n:02d}" for n in range(1, 9) if not gs[n]]
        if missing:
            group.issues.append(_issue(C.GS_MISSING_ELEMENT, lvl, f"GS is missing {', '.join(missing)}", "1", gs,
                                       int(missing[0][2:])))
        control = gs[6]
        if not (1 <= len(control) <= 9 and _digits(control)):
            group.issues.append(_issue(C.GS_CONTROL_NUMBER, lvl, f"GS06 {control!r} is not 1-9 digits", "6", gs, 6))
        elif control in interchange.gs06s:
            group.issues.append(_issue(C.DUPLICATE_GS06, lvl, f"GS06 {control} repeats in this interchange", "19",
                                       gs, 6))
        interchange.gs06s.add(control)
        version = gs[8]
        if not GS08_VERSION.match(version):
            group.issues.append(_issue(C.GS_VERSION, lvl, f"GS08 {version!r} is not an X12 version", "2", gs, 8))
        elif interchange.isa[12][:3] != version[:3]:  # 00400 over 004010 is normal; 00501 over 004010 is odd
            group.issues.append(_issue(
                C.GS_ISA_VERSION_MISMATCH, lvl, f"GS08 {version} and ISA12 {interchange.isa[12]} differ", None, gs, 8,
                Severity.WARNING))

    def _ge(self, ge: Segment) -> None:
        group = self._group
        if group is None or group.gs is None:
            assert self._interchange is not None
            if group is not None:
                self._close_group(None, ge)
            self._interchange.issues.append(_issue(C.GE_WITHOUT_GS, Level.INTERCHANGE, "GE without GS", "024", ge))
            return
        self._close_group(ge, ge)

    def _close_group(self, ge: Segment | None, at: Segment | None) -> None:
        group = self._group
        interchange = self._interchange
        assert group is not None and interchange is not None
        if self._set is not None:
            self._close_set(None, at)
        gs = group.gs
        lvl = Level.GROUP
        if gs is not None and ge is None:
            group.issues.append(_issue(C.MISSING_GE, lvl, f"group {gs[6]} has no GE", "3", at))
        if gs is not None and ge is not None:
            if ge[2] != gs[6]:
                group.issues.append(_issue(C.GE_CONTROL_MISMATCH, lvl, f"GE02 {ge[2]!r} does not match GS06 {gs[6]!r}",
                                           "4", ge, 2))
            if _number(ge[1]) != len(group.sets):
                group.issues.append(_issue(C.GE_SET_COUNT, lvl, f"GE01 {ge[1]!r} but {len(group.sets)} sets counted",
                                           "5", ge, 1))
        head = gs or Segment([""])
        interchange.groups.append(GroupEnvelope(
            head[1], head[2], head[3], head[4], head[5], head[6], head[7], head[8], ge[1] if ge else None,
            gs.offset if gs else None, gs.index if gs else None, tuple(group.sets), tuple(group.issues),
            implicit=gs is None))
        self._group = None

    # -- set ---------------------------------------------------------------------------------------
    def _open_set(self, st: Segment) -> None:
        if self._set is not None:
            self._close_set(None, st)
        if self._group is None:
            assert self._interchange is not None
            self._interchange.issues.append(_issue(C.ST_OUTSIDE_GS, Level.INTERCHANGE, "ST outside a GS group", "024",
                                                   st))
            self._group = _Group(None)
        current = _Set(st)
        self._set = current
        lvl = Level.SET
        if not (len(st[1]) == 3 and _digits(st[1])):
            current.issues.append(_issue(C.ST_SET_ID, lvl, f"ST01 {st[1]!r} is not a 3-digit set id", "6", st, 1))
        control = st[2]
        if not 4 <= len(control) <= 9:
            current.issues.append(_issue(C.ST_CONTROL_NUMBER, lvl, f"ST02 {control!r} is not 4-9 characters", "7", st,
                                         2))
        elif control in self._group.st02s:
            current.issues.append(_issue(C.DUPLICATE_ST02, lvl, f"ST02 {control} repeats in this group", "23", st, 2))
        self._group.st02s.add(control)

    def _close_set(self, se: Segment | None, at: Segment | None) -> None:
        current = self._set
        group = self._group
        if current is None:
            owner = group or self._interchange
            assert owner is not None
            level = Level.GROUP if group else Level.INTERCHANGE
            owner.issues.append(_issue(C.SE_WITHOUT_ST, level, "SE without ST", None, se))
            return
        assert group is not None
        st = current.st
        lvl = Level.SET
        if se is None:
            current.issues.append(_issue(C.MISSING_SE, lvl, f"set {st[2]} has no SE", "2", at))
        else:
            current.count += 1
            if se[2] != st[2]:
                current.issues.append(_issue(C.SE_CONTROL_MISMATCH, lvl,
                                             f"SE02 {se[2]!r} does not match ST02 {st[2]!r}", "3", se, 2))
            if _number(se[1]) != current.count:
                current.issues.append(_issue(C.SE_SEGMENT_COUNT, lvl,
                                             f"SE01 {se[1]!r} but {current.count} segments counted", "4", se, 1))
        group.sets.append(SetEnvelope(st[1], st[2], st[3], current.count, se[1] if se else None, st.offset, st.index,
                                      tuple(current.issues)))
        self._set = None
