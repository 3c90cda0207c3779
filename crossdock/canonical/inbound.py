"""A reference to raw bytes crossdock received and stored (an EDI file, a webhook body).

The first message of an inbound flow carries this reference, never the bytes themselves: the payload
stays in the raw store, where a person can inspect and replay it.
"""

from __future__ import annotations

from pydantic import Field

from crossdock.canonical.base import CanonicalModel, NonEmptyStr


class InboundPayload(CanonicalModel):
    payload_id: int = Field(ge=1, description="Id of the stored raw payload.")
    source: NonEmptyStr = Field(description="Where it came from: sftp:<partner>, webhook:<channel>, poll:<channel>.")
    name: NonEmptyStr = Field(description="The file name or request id.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    sender_id: str | None = Field(default=None, description="ISA06 of an X12 interchange, when known.")
    interchange_control_number: str | None = Field(default=None, description="ISA13, when known.")


class OutboxDelivery(CanonicalModel):
    """A reference to one outbound document in the outbox, to deliver (the bytes stay in the store)."""

    outbox_id: int = Field(ge=1, description="Id of the outbox row.")
