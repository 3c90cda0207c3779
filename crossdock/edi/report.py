"""The validation report: one frozen tree (file -> interchanges -> groups -> sets) of what was found.

Built by :mod:`crossdock.edi.validate`; read by the CLI (``to_dict()`` is its ``--json``), by
:mod:`crossdock.edi.ack` (the 997) and by the exception queue. Every :class:`Issue` says where: the
segment's index in the input (0-based), its position in the set (ST = 1, as AK302 counts), its byte
offset, and the element/component position (1-based, as in ``PO102``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from crossdock.edi.segment import Delimiters

__all__ = [
    "GroupReport",
    "InterchangeReport",
    "Issue",
    "Level",
    "SetReport",
    "Severity",
    "Status",
    "ValidationReport",
]


class Status(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    NOT_VALIDATED = "not-validated-no-map"


class Level(StrEnum):
    """Which X12 code list ``Issue.code`` comes from."""

    READER = "reader"  # crossdock's reader tolerated something (ReadWarning codes)
    INTERCHANGE = "interchange"  # TA105 interchange note codes (001 ... 031)
    GROUP = "group"  # AK905 functional group syntax error codes
    SET = "set"  # AK502 transaction set syntax error codes
    SEGMENT = "segment"  # AK304 segment syntax error codes
    ELEMENT = "element"  # AK403 data element syntax error codes
    GUIDE = "guide"  # about the implementation guide (map) itself: none available, nearest version


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    level: Level
    code: str
    message: str
    segment_id: str | None = None
    segment_index: int | None = None
    segment_position: int | None = None
    offset: int | None = None
    loop_id: str | None = None
    element: int | None = None
    component: int | None = None
    data_element: str | None = None
    bad_value: str | None = None
    check: str | None = None
    """The stable code of crossdock's own check that found it (an envelope check's ``EnvelopeCode``), when
    ``code`` is the X12 acknowledgment code that reports it."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "severity": self.severity.value,
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
        }
        for key in ("segment_id", "segment_index", "segment_position", "offset", "loop_id", "element",
                    "component", "data_element", "bad_value", "check"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def _status(issues: tuple[Issue, ...], children: tuple[Status, ...], validated: bool) -> Status:
    if any(issue.is_error for issue in issues) or Status.INVALID in children:
        return Status.INVALID
    if validated or Status.VALID in children:
        return Status.VALID
    return Status.NOT_VALIDATED


@dataclass(frozen=True, slots=True)
class SetReport:
    set_id: str
    control_number: str
    implementation: str | None  # ST03 (005010)
    map_name: str | None  # the pyx12 map it was validated against; None when there is none
    issues: tuple[Issue, ...] = ()
    segment_count: int = 0  # ST..SE inclusive, as counted
    segment_index: int | None = None  # of the ST

    @property
    def status(self) -> Status:
        return _status(self.issues, (), self.map_name is not None)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.is_error)

    def to_dict(self) -> dict[str, object]:
        return {
            "set_id": self.set_id,
            "control_number": self.control_number,
            "implementation": self.implementation,
            "status": self.status.value,
            "map": self.map_name,
            "segment_count": self.segment_count,
            "segment_index": self.segment_index,
            "errors": [i.to_dict() for i in self.issues if i.is_error],
            "warnings": [i.to_dict() for i in self.issues if not i.is_error],
        }


@dataclass(frozen=True, slots=True)
class GroupReport:
    functional_id: str
    control_number: str
    version: str  # GS08
    sender_id: str  # GS02
    receiver_id: str  # GS03
    declared_sets: int | None  # GE01
    sets: tuple[SetReport, ...] = ()
    issues: tuple[Issue, ...] = ()
    segment_index: int | None = None  # of the GS

    @property
    def status(self) -> Status:
        return _status(self.issues, tuple(s.status for s in self.sets), False)

    def to_dict(self) -> dict[str, object]:
        return {
            "functional_id": self.functional_id,
            "control_number": self.control_number,
            "version": self.version,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "status": self.status.value,
            "errors": [i.to_dict() for i in self.issues if i.is_error],
            "warnings": [i.to_dict() for i in self.issues if not i.is_error],
            "sets": [s.to_dict() for s in self.sets],
        }


@dataclass(frozen=True, slots=True)
class InterchangeReport:
    control_number: str
    version: str  # ISA12
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    usage: str  # ISA15
    delimiters: Delimiters = field(default_factory=Delimiters)
    groups: tuple[GroupReport, ...] = ()
    issues: tuple[Issue, ...] = ()
    segment_index: int | None = None
    date: str = ""  # ISA09, YYMMDD
    time: str = ""  # ISA10, HHMM
    ack_requested: str = ""  # ISA14: "1" when the sender asks for a TA1

    @property
    def status(self) -> Status:
        # An interchange without groups (one holding only a TA1) is fully checked by its envelope.
        return _status(self.issues, tuple(g.status for g in self.groups), not self.groups)

    def to_dict(self) -> dict[str, object]:
        return {
            "control_number": self.control_number,
            "version": self.version,
            "sender": f"{self.sender_qualifier}:{self.sender_id}",
            "receiver": f"{self.receiver_qualifier}:{self.receiver_id}",
            "usage": self.usage,
            "status": self.status.value,
            "errors": [i.to_dict() for i in self.issues if i.is_error],
            "warnings": [i.to_dict() for i in self.issues if not i.is_error],
            "groups": [g.to_dict() for g in self.groups],
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    source: str | None
    interchanges: tuple[InterchangeReport, ...] = ()
    issues: tuple[Issue, ...] = ()  # reader warnings and problems outside any interchange

    @property
    def status(self) -> Status:
        return _status(self.issues, tuple(i.status for i in self.interchanges), False)

    @property
    def valid(self) -> bool:
        return self.status is not Status.INVALID

    def sets(self) -> list[SetReport]:
        return [s for i in self.interchanges for g in i.groups for s in g.sets]

    def all_issues(self) -> list[Issue]:
        out = list(self.issues)
        for interchange in self.interchanges:
            out.extend(interchange.issues)
            for group in interchange.groups:
                out.extend(group.issues)
                for set_report in group.sets:
                    out.extend(set_report.issues)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "status": self.status.value,
            "errors": [i.to_dict() for i in self.issues if i.is_error],
            "warnings": [i.to_dict() for i in self.issues if not i.is_error],
            "interchanges": [i.to_dict() for i in self.interchanges],
        }
