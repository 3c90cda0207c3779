"""Render segments to X12 bytes, with envelopes whose counts and control numbers are always right.

PUBLIC API:

- ``render_segments(segments, delimiters, suffix="") -> bytes``
- ``build_interchange(profile, functional_id, bodies, allocator, *, now) -> bytes`` where ``bodies`` is a
  list of ``(set_id, segments_between_ST_and_SE)``; ST/SE, GS/GE and ISA/IEA are added here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from crossdock.edi.control import ControlKind, ControlNumberAllocator
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.segment import Delimiters, Segment
from crossdock.errors import EdiError

GS_VERSION = {"004010": "00401", "005010": "00501"}


def profile_delimiters(profile: PartnerProfile) -> Delimiters:
    return Delimiters(
        element=profile.element_separator,
        component=profile.component_separator,
        segment=profile.segment_terminator,
        repetition=profile.repetition_separator,
    )


def render_segments(segments: Iterable[Segment], delimiters: Delimiters, suffix: str = "") -> bytes:
    """Join segments with ``delimiters``; trailing empty elements are dropped. A value holding the
    element separator, segment terminator or repetition separator is an error (composites may hold
    the component separator)."""
    forbidden = {delimiters.element, delimiters.segment}
    if delimiters.repetition:
        forbidden.add(delimiters.repetition)
    out: list[str] = []
    for seg in segments:
        elements = list(seg.elements)
        while len(elements) > 1 and elements[-1] == "":
            elements.pop()
        if seg.id != "ISA":
            for position, value in enumerate(elements[1:], start=1):
                if forbidden.intersection(value):
                    raise EdiError(f"value {value!r} contains a delimiter", segment_id=seg.id, element=position)
        out.append(delimiters.element.join(elements) + delimiters.segment + suffix)
    return "".join(out).encode("latin-1")


def _isa(profile: PartnerProfile, control: int, now: datetime, delimiters: Delimiters) -> Segment:
    isa12 = GS_VERSION[profile.version]
    return Segment.of(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        profile.sender_qualifier,
        profile.sender_id.ljust(15),
        profile.receiver_qualifier,
        profile.receiver_id.ljust(15),
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        delimiters.repetition if isa12 >= "00403" and delimiters.repetition else "U",
        isa12,
        f"{control:09d}",
        "1" if profile.ack_requested else "0",
        profile.usage,
        delimiters.component,
    )


def build_interchange(
    profile: PartnerProfile,
    functional_id: str,
    bodies: Sequence[tuple[str, Sequence[Segment]]],
    allocator: ControlNumberAllocator,
    *,
    now: datetime,
) -> bytes:
    """One ISA with one GS holding one ST..SE per body, counts and control numbers filled in."""
    delimiters = profile_delimiters(profile)
    isa_control = allocator.next(profile.name, ControlKind.INTERCHANGE)
    gs_control = allocator.next(profile.name, ControlKind.GROUP)
    segments: list[Segment] = [
        _isa(profile, isa_control, now, delimiters),
        Segment.of(
            "GS",
            functional_id,
            profile.gs_sender_id or profile.sender_id,
            profile.gs_receiver_id or profile.receiver_id,
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            str(gs_control),
            "X",
            profile.version,
        ),
    ]
    for set_id, body in bodies:
        st_control = f"{allocator.next(profile.name, ControlKind.SET):04d}"
        segments.append(Segment.of("ST", set_id, st_control))
        segments.extend(body)
        segments.append(Segment.of("SE", str(len(body) + 2), st_control))
    segments.append(Segment.of("GE", str(len(bodies)), str(gs_control)))
    segments.append(Segment.of("IEA", "1", f"{isa_control:09d}"))
    return render_segments(segments, delimiters, profile.segment_suffix)
