"""TA1 Interchange Acknowledgment, both ways.

A TA1 sits between an ISA and its first GS (or alone in an interchange with no group). It answers for
one interchange's envelope: TA101 the ISA13 acknowledged, TA102/TA103 that interchange's date and
time, TA104 A / E / R, and TA105 the interchange note code (the I18 code list below).

- :func:`to_canonical`: an inbound TA1 -> :class:`~crossdock.canonical.InterchangeAcknowledgment`;
  problems are a :class:`~crossdock.errors.MappingError` naming the element (``TA1/TA104``).
- :func:`for_interchange`: the TA1 crossdock sends for an inbound interchange, or ``None`` when none is
  due: one is sent when the sender asked (ISA14 = 1) or when the envelope has errors. crossdock
  processes the groups of an interchange whatever its envelope says, so it answers A (no envelope
  error) or E (accepted, errors noted: TA105 is the first error's note code), never R.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from crossdock.canonical import AckStatus, InterchangeAcknowledgment
from crossdock.edi.report import InterchangeReport, Level
from crossdock.edi.segment import Segment
from crossdock.edi.sets import values
from crossdock.errors import MappingError

STATUS = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED_WITH_ERRORS, "R": AckStatus.REJECTED}

NOTE_CODES = {
    "000": "No error",
    "001": "The interchange control number in the header and trailer do not match",
    "002": "This standard as noted in the control standards identifier is not supported",
    "003": "This version of the controls is not supported",
    "004": "The segment terminator is invalid",
    "005": "Invalid interchange ID qualifier for sender",
    "006": "Invalid interchange sender ID",
    "007": "Invalid interchange ID qualifier for receiver",
    "008": "Invalid interchange receiver ID",
    "009": "Unknown interchange receiver ID",
    "010": "Invalid authorization information qualifier value",
    "011": "Invalid authorization information value",
    "012": "Invalid security information qualifier value",
    "013": "Invalid security information value",
    "014": "Invalid interchange date value",
    "015": "Invalid interchange time value",
    "016": "Invalid interchange standards identifier value",
    "017": "Invalid interchange version ID value",
    "018": "Invalid interchange control number value",
    "019": "Invalid acknowledgment requested value",
    "020": "Invalid test indicator value",
    "021": "Invalid number of included groups value",
    "022": "Invalid control structure",
    "023": "Improper (premature) end-of-file (transmission)",
    "024": "Invalid interchange content (e.g. invalid GS segment)",
    "025": "Duplicate interchange control number",
    "026": "Invalid data element separator",
    "027": "Invalid component element separator",
    "028": "Invalid delivery date in deferred delivery request",
    "029": "Invalid delivery time in deferred delivery request",
    "030": "Invalid delivery time code in deferred delivery request",
    "031": "Invalid grade of service code",
}
"""X12 code list I18, Interchange Note Code (TA105)."""


def to_canonical(ta1: Segment, isa: Segment) -> InterchangeAcknowledgment:
    """The TA1 ``ta1`` found in the interchange whose ISA is ``isa``."""
    problems: list[tuple[str, str]] = []
    number = ta1[1].strip()
    if not (number.isdigit() and len(number) == 9):
        problems.append(("TA1/TA101", f"{number!r} is not a 9-digit interchange control number"))
    day = clock = None
    try:
        day = values.parse_date(ta1[2].strip()) if ta1[2].strip() else None
    except ValueError as exc:
        problems.append(("TA1/TA102", str(exc)))
    try:
        clock = values.parse_time(ta1[3].strip()) if ta1[3].strip() else None
    except ValueError as exc:
        problems.append(("TA1/TA103", str(exc)))
    status = STATUS.get(ta1[4].strip())
    if status is None:
        problems.append(("TA1/TA104", f"acknowledgment code {ta1[4]!r} is not A, E or R"))
    code = ta1[5].strip()
    if not (code.isdigit() and len(code) == 3):
        problems.append(("TA1/TA105", f"note code {code!r} is not 3 digits"))
    if problems or status is None:
        raise MappingError(f"TA1 for interchange {number or '(none)'} cannot be read", problems, key=number or None)
    return InterchangeAcknowledgment(
        interchange_control_number=number,
        interchange_date=day,
        interchange_time=clock,
        status=status,
        note_code=code,
        note=NOTE_CODES.get(code),
        sender_id=isa[6].strip() or None,
        receiver_id=isa[8].strip() or None,
    )


def for_interchange(interchange: InterchangeReport, now: datetime) -> Segment | None:
    """The TA1 answering ``interchange`` (``now`` stands in for an ISA09/ISA10 that is not a valid
    date or time, so the TA1 itself stays valid X12), or ``None`` when none is due."""
    errors = [i for i in interchange.issues if i.is_error and i.level is Level.INTERCHANGE]
    if interchange.ack_requested != "1" and not errors:
        return None
    codes = [i.code for i in errors if i.code in NOTE_CODES and i.code != "000"]
    note = codes[0] if codes else ("022" if errors else "000")
    number = interchange.control_number.strip()
    number = number.zfill(9) if number.isdigit() and len(number) <= 9 else "000000000"
    day = interchange.date if _valid(interchange.date, values.parse_date, 6) else now.strftime("%y%m%d")
    clock = interchange.time if _valid(interchange.time, values.parse_time, 4) else now.strftime("%H%M")
    return Segment.of("TA1", number, day, clock, "E" if errors else "A", note)


def _valid(text: str, parse: Callable[[str], object], width: int) -> bool:
    if len(text) != width or not text.isdigit():
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True
