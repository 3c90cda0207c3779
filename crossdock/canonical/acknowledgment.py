"""Acknowledgments partners send about what we sent, for reconciling it: a functional acknowledgment
(an inbound 997/999, per group and set) and an interchange acknowledgment (a TA1, per interchange)."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import Field

from crossdock.canonical.base import CanonicalModel, NonEmptyStr


class AckStatus(StrEnum):
    """AK501 / AK901: A accepted, E accepted with errors, R rejected, P partially accepted (groups only)."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class AckError(CanonicalModel):
    segment_id: str | None = None
    segment_position: int | None = Field(default=None, description="AK302: position within the set, ST = 1.")
    loop_id: str | None = None
    element_position: int | None = None
    component_position: int | None = None
    code: str = Field(description="AK304 / AK403 / AK502 error code.")
    description: str | None = None
    bad_value: str | None = None


class SetAcknowledgment(CanonicalModel):
    set_id: NonEmptyStr = Field(description="AK201: 850, 940, 856 ...")
    control_number: NonEmptyStr = Field(description="AK202: the ST02 acknowledged.")
    status: AckStatus
    errors: list[AckError] = Field(default_factory=list)


class FunctionalAcknowledgment(CanonicalModel):
    functional_id: NonEmptyStr = Field(description="AK101: PO, OW, SH, SW ...")
    group_control_number: NonEmptyStr = Field(description="AK102: the GS06 acknowledged.")
    version: str | None = Field(default=None, description="AK103 when present (005010 and later).")
    status: AckStatus
    sets: list[SetAcknowledgment] = Field(default_factory=list)
    included: int | None = Field(default=None, ge=0, description="AK902")
    received: int | None = Field(default=None, ge=0, description="AK903")
    accepted: int | None = Field(default=None, ge=0, description="AK904")
    errors: list[str] = Field(default_factory=list, description="AK905-AK909 group error codes.")
    sender_id: str | None = None
    receiver_id: str | None = None


class InterchangeAcknowledgment(CanonicalModel):
    """A TA1: the partner's verdict on one of our interchanges as a whole (its envelope), before any
    group in it is looked at."""

    interchange_control_number: NonEmptyStr = Field(description="TA101: the ISA13 acknowledged.")
    interchange_date: date | None = Field(default=None, description="TA102: that interchange's ISA09.")
    interchange_time: time | None = Field(default=None, description="TA103: that interchange's ISA10.")
    status: AckStatus = Field(description="TA104: A accepted, E accepted with errors, R rejected.")
    note_code: str = Field(description="TA105: 000 no error, else what was wrong with the envelope.")
    note: str | None = Field(default=None, description="What TA105 means, from the standard's code list.")
    sender_id: str | None = Field(default=None, description="Who acknowledges: the TA1's own ISA06.")
    receiver_id: str | None = None
