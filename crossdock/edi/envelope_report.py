"""The envelope report: what :func:`crossdock.edi.envelope.check_envelopes` found, as frozen data.

One :class:`InterchangeEnvelope` per ISA, holding its :class:`GroupEnvelope` (GS) and their
:class:`SetEnvelope` (ST), each with the identifiers a 997/TA1 needs and its own list of issues of
the validation report's one kind (:class:`~crossdock.edi.report.Issue`, with its ``Level`` and
``Severity``): ``code`` is the X12 acknowledgment code that reports it (TA105 for the interchange,
AK905 for a group, AK502 for a set) or, when there is none, the check's own; ``check`` is always the
check's stable code (:class:`EnvelopeCode`); and where: segment id, segment index (0-based in the
input), offset and element position. The validator attaches these issues to its report as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crossdock.edi.report import Issue, Level, Severity
from crossdock.edi.segment import Delimiters
from crossdock.edi.tolerance import ReadWarning

__all__ = [
    "EnvelopeCode",
    "GroupEnvelope",
    "InterchangeEnvelope",
    "Level",
    "SetEnvelope",
    "Severity",
]


class EnvelopeCode(StrEnum):
    # interchange (ISA/IEA); TA105 note codes in brackets
    ISA_FIELD_WIDTH = "isa-field-width"  # a fixed-width ISA field has the wrong width
    ISA_VERSION = "isa12-version"  # ISA12 is not a 5-digit version [017]
    ISA_CONTROL_NUMBER = "isa13-format"  # ISA13 is not 9 digits [018]
    ISA_ACK_REQUESTED = "isa14-value"  # ISA14 is not 0 or 1 [019]
    ISA_USAGE = "isa15-usage"  # ISA15 is not P, T or I [020]
    DUPLICATE_ISA13 = "duplicate-isa13"  # the same ISA13 twice in one input (warning) [025]
    IEA_CONTROL_MISMATCH = "iea02-mismatch"  # IEA02 differs from ISA13 [001]
    IEA_GROUP_COUNT = "iea01-group-count"  # IEA01 differs from the groups counted [021]
    MISSING_IEA = "missing-iea"  # input or next ISA before IEA [023]
    ST_OUTSIDE_GS = "st-outside-gs"  # an ST with no open GS [024]
    GE_WITHOUT_GS = "ge-without-gs"  # a GE with no open GS [024]
    # group (GS/GE); AK905 codes in brackets
    GS_MISSING_ELEMENT = "gs-missing-element"  # GS01..GS08 must all be present [1 or 6]
    GS_VERSION = "gs08-version"  # GS08 does not start with a 6-digit version [2]
    GS_ISA_VERSION_MISMATCH = "gs08-isa12-mismatch"  # GS08 and ISA12 differ in major version (warning)
    GS_CONTROL_NUMBER = "gs06-format"  # GS06 is not 1-9 digits [6]
    DUPLICATE_GS06 = "duplicate-gs06"  # GS06 repeated within the interchange [19]
    GE_CONTROL_MISMATCH = "ge02-mismatch"  # GE02 differs from GS06 [4]
    GE_SET_COUNT = "ge01-set-count"  # GE01 differs from the sets counted [5]
    MISSING_GE = "missing-ge"  # GS closed by IEA, another GS or the end of input [3]
    SEGMENT_OUTSIDE_SET = "segment-outside-set"  # a data segment between sets
    SE_WITHOUT_ST = "se-without-st"  # an SE with no open ST
    # set (ST/SE); AK502 codes in brackets
    ST_SET_ID = "st01-set-id"  # ST01 is not 3 digits [6]
    ST_CONTROL_NUMBER = "st02-format"  # ST02 is not 4-9 characters [7]
    DUPLICATE_ST02 = "duplicate-st02"  # ST02 repeated within the group [23]
    SE_CONTROL_MISMATCH = "se02-mismatch"  # SE02 differs from ST02 [3]
    SE_SEGMENT_COUNT = "se01-segment-count"  # SE01 differs from the segments counted [4]
    MISSING_SE = "missing-se"  # ST closed by another envelope segment or the end of input [2]


@dataclass(frozen=True, slots=True)
class SetEnvelope:
    set_id: str  # ST01
    control_number: str  # ST02
    implementation: str  # ST03 ("" when absent)
    segment_count: int  # ST..SE inclusive, as counted
    declared_count: str | None  # SE01 as written; None without SE
    offset: int | None
    segment_index: int | None
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(issue.is_error for issue in self.issues)

    def to_dict(self) -> dict[str, object]:
        return {
            "set_id": self.set_id,
            "control_number": self.control_number,
            "implementation": self.implementation,
            "segment_count": self.segment_count,
            "declared_count": self.declared_count,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "issues": [issue.to_dict() for issue in self.issues],
        }


@dataclass(frozen=True, slots=True)
class GroupEnvelope:
    functional_id: str  # GS01
    sender_id: str  # GS02
    receiver_id: str  # GS03
    date: str  # GS04
    time: str  # GS05
    control_number: str  # GS06
    agency: str  # GS07
    version: str  # GS08
    declared_sets: str | None  # GE01 as written; None without GE
    offset: int | None
    segment_index: int | None
    sets: tuple[SetEnvelope, ...] = ()
    issues: tuple[Issue, ...] = ()
    implicit: bool = False  # no GS: sets found outside any group are collected here

    @property
    def ok(self) -> bool:
        return not any(issue.is_error for issue in self.issues) and all(s.ok for s in self.sets)

    def to_dict(self) -> dict[str, object]:
        return {
            "functional_id": self.functional_id,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "date": self.date,
            "time": self.time,
            "control_number": self.control_number,
            "agency": self.agency,
            "version": self.version,
            "declared_sets": self.declared_sets,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "implicit": self.implicit,
            "issues": [issue.to_dict() for issue in self.issues],
            "sets": [s.to_dict() for s in self.sets],
        }


@dataclass(frozen=True, slots=True)
class InterchangeEnvelope:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, unpadded
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, unpadded
    date: str  # ISA09
    time: str  # ISA10
    version: str  # ISA12
    control_number: str  # ISA13
    ack_requested: str  # ISA14
    usage: str  # ISA15: P production, T test, I information
    delimiters: Delimiters
    declared_groups: str | None  # IEA01 as written; None without IEA
    offset: int | None
    segment_index: int | None
    groups: tuple[GroupEnvelope, ...] = ()
    issues: tuple[Issue, ...] = ()
    warnings: tuple[ReadWarning, ...] = ()  # what the reader tolerated in this interchange

    @property
    def ok(self) -> bool:
        return not any(issue.is_error for issue in self.issues) and all(g.ok for g in self.groups)

    def all_issues(self) -> list[Issue]:
        out = list(self.issues)
        for group in self.groups:
            out.extend(group.issues)
            for set_envelope in group.sets:
                out.extend(set_envelope.issues)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "sender": f"{self.sender_qualifier}:{self.sender_id}",
            "receiver": f"{self.receiver_qualifier}:{self.receiver_id}",
            "date": self.date,
            "time": self.time,
            "version": self.version,
            "control_number": self.control_number,
            "ack_requested": self.ack_requested,
            "usage": self.usage,
            "declared_groups": self.declared_groups,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "issues": [issue.to_dict() for issue in self.issues],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "groups": [g.to_dict() for g in self.groups],
        }
