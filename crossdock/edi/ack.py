"""Build 997 functional acknowledgments from a validation report.

PUBLIC API:

- ``ack_body(interchange, group) -> list[Segment]``: AK1, AK2/AK3/AK4/AK5 per set, AK9 for one group.
- ``build_acks(report, allocator, *, now, partner=None) -> list[bytes]``: one interchange per inbound
  interchange that has something to acknowledge, one FA group (one 997) per inbound group, sender and
  receiver swapped, version (ISA12, GS08, AK103/AK203 in 005010) and delimiters matched to the inbound;
  a TA1 after the ISA when the inbound asked for one (ISA14 = 1) or its envelope has errors
  (:func:`crossdock.edi.ta1.for_interchange`).
- ``build_acknowledgments(...)``: the same, each with what it holds (``"997"``, or ``"TA1"`` for an
  interchange holding only a TA1), for naming the files.

Never an ack of an ack: FA groups (997, 999) and groups holding only 997/999/TA1 are skipped.
Error codes come straight from the report: AK304 (segment), AK403 (element), AK502 (set), AK905 (group).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import datetime

from crossdock.edi import ta1 as interchange_ack
from crossdock.edi.control import ControlKind, ControlNumberAllocator
from crossdock.edi.maps import versions
from crossdock.edi.report import GroupReport, InterchangeReport, Issue, Level, SetReport, ValidationReport
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.writer import render_segments

__all__ = [
    "ACK_SETS",
    "ack_body",
    "build_acknowledgments",
    "build_acks",
    "needs_ack",
]

ACK_SETS = frozenset({"997", "999", "TA1"})
_AK502 = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18",
                    "19", "23", "24", "25", "26", "27"})
_AK905 = frozenset({"1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
                    "21", "22", "23", "24", "25", "26"})
_AK304 = frozenset({"1", "2", "3", "4", "5", "6", "7", "8"})
_TABLE_NAMES = frozenset({"HEADER", "DETAIL", "FOOTER"})
# X12's extended character set (004010; 005010 adds ^ and `, which serve as delimiters here anyway).
_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!\"&'()*+,-./:;?= %~@[]_{}\\|<>#$")


def needs_ack(group: GroupReport) -> bool:
    """Whether ``group`` gets a 997: not an FA group (never an ack of an ack), and not one whose GS01
    cannot be echoed in AK101 (ID 2/2)."""
    if group.functional_id == "FA" or not _functional_id(group.functional_id):
        return False
    return not group.sets or any(s.set_id not in ACK_SETS for s in group.sets)


def _functional_id(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalnum()


def _is_005(version: str) -> bool:
    return version.startswith("005")


def _clean(value: str, delimiters: Delimiters, width: int = 99) -> str:
    """``value`` as 997 data: without delimiters or characters outside X12's extended character set
    (a partner's curly apostrophe in a copied bad value would make the 997 itself invalid), cut to ``width``."""
    forbidden = {delimiters.element, delimiters.segment, delimiters.component, delimiters.repetition}
    return "".join(ch for ch in value if ch in _CHARACTERS and ch not in forbidden)[:width]


def _application_id(value: str, isa_id: str, delimiters: Delimiters) -> str:
    """GS02/GS03 (AN 2/15) for the 997: the inbound's, cut to 15; the ISA's id when it is missing or shorter."""
    value = _clean(value, delimiters, 15).strip()
    return value if len(value) >= 2 else isa_id.strip()


def _qualifier(value: str) -> str:
    """ISA05/ISA07 (ID 2/2); ZZ (mutually defined) when the inbound's is not two characters."""
    value = value.strip()
    return value if len(value) == 2 and value.isalnum() else "ZZ"


def _control_version(interchange: InterchangeReport, groups: Sequence[GroupReport]) -> str:
    """ISA12 for the 997: the inbound's, or, when that is no X12 control version (a partner's
    ``00040`` or ``99999``), the one of the first group's GS08 (``004010`` -> ``00401``), else 00401."""
    if interchange.version in versions.ICVNS:
        return interchange.version
    derived = groups[0].version.strip()[:5] if groups else ""
    return derived if derived in versions.ICVNS else "00401"


def _group_version(group: GroupReport, control_version: str) -> str:
    """GS08 for the 997: the inbound's (trailing spaces dropped), or 004010/005010 after the ISA12 when
    the inbound's is no X12 release (``5010``, ``21``, ``999999``)."""
    version = group.version.strip()
    if versions.is_release(version):
        return version[:12]
    return "005010" if control_version >= "00501" else "004010"


def _loop_code(loop_id: str | None) -> bool:
    """AK303 is a loop identifier (AN 1/6, e.g. ``N1`` or HIPAA's ``2000A``); a map's own loop names
    (pyx12's ``LIN_LOOP``, ``HEADER``) are not, and are left out."""
    return bool(loop_id) and len(loop_id or "") <= 6 and (loop_id or "").isalnum() and loop_id not in _TABLE_NAMES


def _number(value: str, width: int) -> bool:
    return value.isdigit() and len(value) <= width


def _segment_notes(set_report: SetReport, delimiters: Delimiters) -> list[Segment]:
    """AK3 (and its AK4s) for every segment with errors, in the order found."""
    by_segment: dict[tuple[int | None, str | None], list[Issue]] = {}
    for issue in set_report.errors:
        if issue.level in (Level.SEGMENT, Level.ELEMENT):
            by_segment.setdefault((issue.segment_position, issue.segment_id), []).append(issue)
    out: list[Segment] = []
    for (position, segment_id), issues in by_segment.items():
        segment_codes = [i for i in issues if i.level is Level.SEGMENT and i.code in _AK304]
        code = segment_codes[0].code if segment_codes else "8"
        loop = next((i.loop_id for i in issues if _loop_code(i.loop_id)), None)
        out.append(Segment.of("AK3", segment_id or "", str(position or ""), loop, code))
        for issue in issues:
            if issue.level is not Level.ELEMENT or issue.element is None:
                continue
            where = str(issue.element)
            if issue.component is not None:
                where += f"{delimiters.component}{issue.component}"
            bad = _clean(issue.bad_value, delimiters) if issue.bad_value else None
            reference = issue.data_element if issue.data_element and _number(issue.data_element, 4) else None
            out.append(Segment.of("AK4", where, reference, issue.code, bad))
    return out


def _set_response(set_report: SetReport, group_version: str, delimiters: Delimiters) -> tuple[list[Segment], bool]:
    ak2 = Segment.of("AK2", set_report.set_id, set_report.control_number.strip(),
                     set_report.implementation if _is_005(group_version) else None)
    notes = _segment_notes(set_report, delimiters)
    codes = [i.code for i in set_report.errors if i.level is Level.SET and i.code in _AK502]
    if notes:
        codes.append("5")
    if not set_report.errors:
        return [ak2, Segment.of("AK5", "A")], True
    unique = list(dict.fromkeys(codes or ["5"]))[:5]
    return [ak2, *notes, Segment.of("AK5", "R", *unique)], False


def _group_status(accepted: int, received: int, group_errors: bool) -> str:
    """AK901: A accepted, E accepted with group-level errors noted, P partially accepted, R rejected."""
    if accepted == received:
        return "E" if group_errors else "A"
    return "P" if accepted else "R"


def ack_body(interchange: InterchangeReport, group: GroupReport) -> list[Segment]:
    """The 997 segments between ST and SE acknowledging ``group``."""
    delimiters = interchange.delimiters
    version = group.version.strip()
    # AK103/AK203 exist from 005010 on: whether to send them depends on the 997's own GS08, which is
    # the inbound's unless that is no version (a GS08 of "00501X092A1" gets a 004010 997).
    ack_version = _group_version(group, _control_version(interchange, [group]))
    body = [Segment.of("AK1", group.functional_id, group.control_number.strip(),
                       version[:12] if _is_005(ack_version) else None)]
    accepted = 0
    for set_report in group.sets:
        if set_report.set_id in ACK_SETS or not 4 <= len(set_report.control_number.strip()) <= 9:
            continue  # an ST02 AK202 (AN 4/9) cannot carry is counted below as received, not accepted
        segments, ok = _set_response(set_report, ack_version, delimiters)
        body.extend(segments)
        accepted += ok
    received = sum(1 for s in group.sets if s.set_id not in ACK_SETS)
    # AK905 codes come from group-level issues only: an element error on the GS itself carries an
    # AK403 code (GS04 "too short" is 4, which as an AK905 would say "GE02 does not match GS06").
    group_errors = [i for i in group.issues if i.is_error]
    group_codes = list(dict.fromkeys(i.code for i in group_errors if i.level is Level.GROUP and i.code in _AK905))
    status = _group_status(accepted, received, bool(group_errors))
    included = group.declared_sets if group.declared_sets is not None else received
    body.append(Segment.of("AK9", status, str(included), str(received), str(accepted), *group_codes[:5]))
    return body


def _interchange_segments(interchange: InterchangeReport, groups: Sequence[GroupReport],
                          allocator: ControlNumberAllocator, partner: str, now: datetime,
                          ta1: Segment | None = None) -> list[Segment]:
    delimiters = interchange.delimiters
    isa_control = allocator.next(partner, ControlKind.INTERCHANGE)
    version = _control_version(interchange, groups)
    repetition = delimiters.repetition if version >= "00403" and delimiters.repetition else "U"
    # Sender and receiver swapped; an id the inbound wrote too long (or with characters X12 does not
    # have) is cut to its field, a missing or one-character GS02/GS03 is the ISA's: the 997 itself
    # must be valid X12.
    sender, receiver = _clean(interchange.sender_id, delimiters, 15), _clean(interchange.receiver_id, delimiters, 15)
    segments = [Segment.of(
        "ISA", "00", " " * 10, "00", " " * 10,
        _qualifier(interchange.receiver_qualifier), receiver.ljust(15),
        _qualifier(interchange.sender_qualifier), sender.ljust(15),
        now.strftime("%y%m%d"), now.strftime("%H%M"), repetition, version, f"{isa_control:09d}",
        "0", interchange.usage if interchange.usage in ("P", "T", "I") else "P", delimiters.component,
    )]
    if ta1 is not None:
        segments.append(ta1)
    for group in groups:
        gs_control = allocator.next(partner, ControlKind.GROUP)
        st_control = f"{allocator.next(partner, ControlKind.SET):04d}"
        body = ack_body(interchange, group)
        segments += [
            Segment.of("GS", "FA", _application_id(group.receiver_id, receiver, delimiters),
                       _application_id(group.sender_id, sender, delimiters),
                       now.strftime("%Y%m%d"), now.strftime("%H%M"), str(gs_control), "X",
                       _group_version(group, version)),
            Segment.of("ST", "997", st_control),
            *body,
            Segment.of("SE", str(len(body) + 2), st_control),
            Segment.of("GE", "1", str(gs_control)),
        ]
    segments.append(Segment.of("IEA", str(len(groups)), f"{isa_control:09d}"))
    return segments


def build_acknowledgments(report: ValidationReport, allocator: ControlNumberAllocator, *, now: datetime,
                          partner: str | None = None, suffix: str = "\n") -> list[tuple[str, bytes]]:
    """One interchange per inbound interchange with groups to acknowledge or a TA1 due, as
    ``("997", data)``, or ``("TA1", data)`` when it holds only a TA1. ``partner`` keys the control
    numbers (default: the inbound sender, ``qualifier:id``)."""
    out: list[tuple[str, bytes]] = []
    for interchange in report.interchanges:
        groups = [g for g in interchange.groups if needs_ack(g)]
        ta1 = interchange_ack.for_interchange(interchange, now)
        if not groups and ta1 is None:
            continue
        key = partner or f"{interchange.sender_qualifier}:{interchange.sender_id}"
        segments = _interchange_segments(interchange, groups, allocator, key, now, ta1)
        delimiters = interchange.delimiters
        terminator_suffix = "" if delimiters.segment == "\n" else suffix
        out.append(("997" if groups else "TA1", render_segments(segments, delimiters, terminator_suffix)))
    return out


def build_acks(report: ValidationReport, allocator: ControlNumberAllocator, *, now: datetime,
               partner: str | None = None, suffix: str = "\n") -> list[bytes]:
    """The interchanges of :func:`build_acknowledgments`, without what they hold."""
    return [data for _, data in build_acknowledgments(report, allocator, now=now, partner=partner, suffix=suffix)]
