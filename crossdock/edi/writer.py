"""Render segments to X12 bytes, with envelopes whose counts and control numbers are always right.

PUBLIC API:

- ``render_segments(segments, delimiters, suffix="") -> bytes``: a value holding a delimiter (or a
  line break) raises :class:`~crossdock.errors.EdiError` naming the segment and element.
- ``build_interchange(profile, functional_id, bodies, allocator, *, now) -> bytes`` where ``bodies`` is
  a list of ``(set_id, segments_between_ST_and_SE)``: one ISA, one GS, one ST..SE per body.
- ``build_interchange_groups(profile, groups, allocator, *, now) -> bytes`` where ``groups`` is a list
  of ``(functional_id, bodies)``: several GS groups in one ISA.
- ``iter_interchange(...)``: the same as chunks of bytes, one per set, for outputs too large to build
  in memory (``bodies`` may then be any iterable, e.g. a generator).
- ``profile_delimiters(profile) -> Delimiters``.

ISA13, GS06 and ST02 come from the :class:`~crossdock.edi.control.ControlNumberAllocator`; SE01, GE01
and IEA01 are counted here. ISA fields are padded to their fixed widths; ISA11 is the repetition
separator for 00403 and later (005010) and ``U`` before (004010).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from crossdock.edi.control import ControlKind, ControlNumberAllocator
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.segment import Delimiters, Segment
from crossdock.edi.tokenizer import SEGMENT_ID
from crossdock.errors import EdiError

__all__ = [
    "build_interchange",
    "build_interchange_groups",
    "isa_segment",
    "iter_interchange",
    "profile_delimiters",
    "render_segments",
]

GS_VERSION = {"004010": "00401", "005010": "00501"}
ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
Body = tuple[str, Sequence[Segment]]


def profile_delimiters(profile: PartnerProfile) -> Delimiters:
    """The partner's delimiters; no repetition separator before 005010 (ISA11 is then ``U``)."""
    repetition = profile.repetition_separator if GS_VERSION[profile.version] >= "00403" else None
    return Delimiters(
        element=profile.element_separator,
        component=profile.component_separator,
        segment=profile.segment_terminator,
        repetition=repetition,
    )


def render_segments(segments: Iterable[Segment], delimiters: Delimiters, suffix: str = "") -> bytes:
    """Join segments with ``delimiters``; trailing spaces of a segment's last element are suppressed (X12's
    rule for AN values; a reader takes spaces before a line-break terminator as line padding) and trailing
    empty elements are dropped. A value holding the
    element separator, segment terminator, repetition separator or a line break is an error
    (composites may hold the component separator). ISA11 and ISA16 hold separators by definition."""
    forbidden = {delimiters.element, delimiters.segment, "\r", "\n"}
    if delimiters.repetition:
        forbidden.add(delimiters.repetition)
    isa_forbidden = {delimiters.element, delimiters.segment, "\r", "\n"}
    out: list[str] = []
    for number, seg in enumerate(segments):
        if not SEGMENT_ID.fullmatch(seg.id):
            raise EdiError(f"{seg.id!r} is not a segment id (2-3 capitals and digits)", segment_index=number)
        elements = list(seg.elements)
        while len(elements) > 1 and seg.id != "ISA":
            elements[-1] = elements[-1].rstrip(" ")
            if elements[-1]:
                break
            elements.pop()
        banned = isa_forbidden if seg.id == "ISA" else forbidden
        for position, value in enumerate(elements):
            if banned.intersection(value):
                clash = "".join(sorted(banned.intersection(value)))
                raise EdiError(f"{seg.id}{position:02d} value {value!r} contains a delimiter {clash!r}",
                               segment_index=number, segment_id=seg.id or None, element=position or None)
        out.append(delimiters.element.join(elements) + delimiters.segment + suffix)
    return "".join(out).encode("utf-8")


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise EdiError(f"{name} {value!r} is longer than {width} characters", segment_id="ISA",
                       element=int(name[3:]))
    return value.ljust(width)


def isa_segment(profile: PartnerProfile, control: int, now: datetime, delimiters: Delimiters) -> Segment:
    """The fixed-width ISA for ``profile`` with control number ``control``."""
    isa12 = GS_VERSION[profile.version]
    return Segment.of(
        "ISA",
        _fixed(profile.authorization_qualifier, 2, "ISA01"),
        _fixed(profile.authorization_info, 10, "ISA02"),
        _fixed(profile.security_qualifier, 2, "ISA03"),
        _fixed(profile.security_info, 10, "ISA04"),
        _fixed(profile.sender_qualifier, 2, "ISA05"),
        _fixed(profile.sender_id, 15, "ISA06"),
        _fixed(profile.receiver_qualifier, 2, "ISA07"),
        _fixed(profile.receiver_id, 15, "ISA08"),
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        delimiters.repetition if isa12 >= "00403" and delimiters.repetition else "U",
        isa12,
        f"{control:09d}",
        "1" if profile.ack_requested else "0",
        profile.usage,
        delimiters.component,
    )


def iter_interchange(
    profile: PartnerProfile,
    groups: Iterable[tuple[str, Iterable[Body]]],
    allocator: ControlNumberAllocator,
    *,
    now: datetime,
) -> Iterator[bytes]:
    """Render one interchange piece by piece: the ISA, then each set (with the GS before the first
    set of a group and the GE after its last), then the IEA."""
    delimiters = profile_delimiters(profile)
    suffix = "" if delimiters.segment in "\r\n" else profile.segment_suffix
    isa_control = allocator.next(profile.name, ControlKind.INTERCHANGE)
    yield render_segments([isa_segment(profile, isa_control, now, delimiters)], delimiters, suffix)
    group_count = 0
    for functional_id, bodies in groups:
        group_count += 1
        gs_control = allocator.next(profile.name, ControlKind.GROUP)
        yield render_segments([Segment.of(
            "GS",
            functional_id,
            profile.gs_sender_id or profile.sender_id,
            profile.gs_receiver_id or profile.receiver_id,
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            str(gs_control),
            "X",
            profile.gs_version or profile.version,
        )], delimiters, suffix)
        set_count = 0
        for set_id, body in bodies:
            set_count += 1
            yield _render_set(profile, set_id, body, allocator, delimiters, suffix)
        yield render_segments([Segment.of("GE", str(set_count), str(gs_control))], delimiters, suffix)
    yield render_segments([Segment.of("IEA", str(group_count), f"{isa_control:09d}")], delimiters, suffix)


def _render_set(profile: PartnerProfile, set_id: str, body: Sequence[Segment], allocator: ControlNumberAllocator,
                delimiters: Delimiters, suffix: str) -> bytes:
    for seg in body:
        if seg.id in ENVELOPE_IDS:
            raise EdiError(f"a set body must not contain {seg.id}: envelopes are added by the writer",
                           segment_id=seg.id)
    control = f"{allocator.next(profile.name, ControlKind.SET):04d}"
    segments = [Segment.of("ST", set_id, control), *body, Segment.of("SE", str(len(body) + 2), control)]
    try:
        return render_segments(segments, delimiters, suffix)
    except EdiError as exc:
        where = f" in {set_id} set {control}"
        raise EdiError(exc.message + where, segment_index=exc.segment_index, segment_id=exc.segment_id,
                       element=exc.element) from exc


def build_interchange_groups(
    profile: PartnerProfile,
    groups: Sequence[tuple[str, Sequence[Body]]],
    allocator: ControlNumberAllocator,
    *,
    now: datetime,
) -> bytes:
    """One ISA holding one GS per ``(functional_id, bodies)``, one ST..SE per body."""
    return b"".join(iter_interchange(profile, groups, allocator, now=now))


def build_interchange(
    profile: PartnerProfile,
    functional_id: str,
    bodies: Sequence[Body],
    allocator: ControlNumberAllocator,
    *,
    now: datetime,
) -> bytes:
    """One ISA with one GS holding one ST..SE per body, counts and control numbers filled in."""
    return build_interchange_groups(profile, [(functional_id, bodies)], allocator, now=now)
