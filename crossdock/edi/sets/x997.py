"""X12 997 Functional Acknowledgment -> :class:`~crossdock.canonical.FunctionalAcknowledgment`.

Reads AK1 (group acknowledged, AK103 version in 005010), each AK2 loop (set, AK3 segment notes with
their AK4 element notes, AK5 status and codes) and AK9 (group status, counts, codes), so what we sent
can be reconciled: accepted / accepted with errors / rejected per set. Problems are reported as a
:class:`~crossdock.errors.MappingError` naming the segment (``AK2[2]/AK5``).
"""

from __future__ import annotations

from crossdock.canonical import AckError, AckStatus, FunctionalAcknowledgment, SetAcknowledgment
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.errors import MappingError

SET_ID = "997"
FUNCTIONAL_ID = "FA"

_SET_STATUS = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED_WITH_ERRORS, "M": AckStatus.REJECTED,
               "R": AckStatus.REJECTED, "W": AckStatus.REJECTED, "X": AckStatus.REJECTED}  # fmt: skip
_GROUP_STATUS = {**_SET_STATUS, "P": AckStatus.PARTIALLY_ACCEPTED}

SEGMENT_CODES = {
    "1": "Unrecognized segment ID", "2": "Unexpected segment", "3": "Mandatory segment missing",
    "4": "Loop occurs over maximum times", "5": "Segment exceeds maximum use", "6": "Segment not in defined set",
    "7": "Segment not in proper sequence", "8": "Segment has data element errors",
}  # fmt: skip
ELEMENT_CODES = {
    "1": "Mandatory data element missing", "2": "Conditional required data element missing",
    "3": "Too many data elements", "4": "Data element too short", "5": "Data element too long",
    "6": "Invalid character in data element", "7": "Invalid code value", "8": "Invalid date", "9": "Invalid time",
    "10": "Exclusion condition violated", "12": "Too many repetitions", "13": "Too many components",
}  # fmt: skip
SET_CODES = {
    "1": "Transaction set not supported", "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count", "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier", "7": "Missing or invalid transaction set control number",
    "23": "Transaction set control number not unique within the functional group",
}  # fmt: skip


def _int(value: str | None, where: str, problems: list[tuple[str, str]]) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append((where, f"{value!r} is not a number"))
        return None


def _status(table: dict[str, AckStatus], code: str, where: str, problems: list[tuple[str, str]]) -> AckStatus:
    status = table.get(code)
    if status is None:
        problems.append((where, f"unknown acknowledgment code {code!r}"))
        return AckStatus.REJECTED
    return status


def _element_note(ak4: Segment, segment: AckError | None) -> AckError:
    position, _, component = ak4[1].partition(ak4.component_separator)
    return AckError(
        segment_id=segment.segment_id if segment else None,
        segment_position=segment.segment_position if segment else None,
        loop_id=segment.loop_id if segment else None,
        element_position=int(position) if position.isdigit() else None,
        component_position=int(component) if component.isdigit() else None,
        code=ak4[3] or "?",
        description=ELEMENT_CODES.get(ak4[3]),
        bad_value=ak4.get(4),
    )


def _set_ack(segments: list[Segment], number: int, problems: list[tuple[str, str]]) -> SetAcknowledgment:
    ak2, where = segments[0], f"AK2[{number}]"
    errors: list[AckError] = []
    current: AckError | None = None
    status: AckStatus | None = None
    for seg in segments[1:]:
        if seg.id == "AK3":
            current = AckError(
                segment_id=seg.get(1),
                segment_position=_int(seg[2], f"{where}/AK302", problems),
                loop_id=seg.get(3),
                code=seg[4] or "8",
                description=SEGMENT_CODES.get(seg[4] or "8"),
            )
            errors.append(current)
        elif seg.id == "AK4":
            errors.append(_element_note(seg, current))
        elif seg.id == "AK5":
            status = _status(_SET_STATUS, seg[1], f"{where}/AK501", problems)
            errors += [AckError(code=code, description=SET_CODES.get(code)) for code in seg.elements[2:7] if code]
    if status is None:
        problems.append((f"{where}/AK5", "AK5 (set response trailer) is missing"))
        status = AckStatus.REJECTED
    if not ak2[1] or not ak2[2]:
        problems.append((f"{where}/AK201", "AK2 must name the set and its control number"))
    return SetAcknowledgment(set_id=ak2[1] or "?", control_number=ak2[2] or "?", status=status, errors=errors)


def to_canonical(ts: TransactionSet) -> FunctionalAcknowledgment:
    """The acknowledgment a 997 set carries. Raises :class:`MappingError` listing every problem."""
    problems: list[tuple[str, str]] = []
    ak1 = next((s for s in ts.segments if s.id == "AK1"), None)
    ak9 = next((s for s in ts.segments if s.id == "AK9"), None)
    if ak1 is None or ak9 is None:
        missing = [name for name, seg in (("AK1", ak1), ("AK9", ak9)) if seg is None]
        raise MappingError(
            f"997 {ts.control_number}: missing {', '.join(missing)}",
            [(name, "mandatory segment missing") for name in missing],
        )
    loops: list[list[Segment]] = []
    for seg in ts.segments:
        if seg.id == "AK2":
            loops.append([seg])
        elif seg.id in ("AK3", "AK4", "AK5") and loops:
            loops[-1].append(seg)
    sets = [_set_ack(loop, number, problems) for number, loop in enumerate(loops, start=1)]
    group_status = _status(_GROUP_STATUS, ak9[1], "AK901", problems)
    ack = dict(
        functional_id=ak1[1],
        group_control_number=ak1[2],
        version=ak1.get(3),
        status=group_status,
        sets=sets,
        included=_int(ak9[2], "AK902", problems),
        received=_int(ak9[3], "AK903", problems),
        accepted=_int(ak9[4], "AK904", problems),
        errors=[code for code in ak9.elements[5:10] if code],
        sender_id=ts.sender_id or None,
        receiver_id=ts.receiver_id or None,
    )
    if not ak1[1] or not ak1[2]:
        problems.append(("AK101", "AK1 must name the functional group and its control number"))
    if problems:
        raise MappingError(f"997 {ts.control_number} cannot be read", problems)
    return FunctionalAcknowledgment.model_validate(ack)
