"""One event of a return as a canonical document (``return_event``), the message the ``returns.apply``
step takes on the returns lane: an authorization, a marketplace refund, the 3PL's receipt with a
disposition per line, or the 3PL's rejection."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from crossdock.canonical.base import CanonicalModel, Money, NonEmptyStr, Quantity
from crossdock.canonical.finance.returns_flow import (
    Authorized,
    Disposition,
    Received,
    ReceivedLine,
    Refunded,
    Rejected,
    ReturnEvent,
)
from crossdock.canonical.order import Channel
from crossdock.canonical.returns import ReturnAuthorization


class ReceivedItem(CanonicalModel):
    sku: NonEmptyStr
    quantity: Quantity
    disposition: Disposition


class ReturnEventDocument(CanonicalModel):
    channel: Channel
    rma_number: NonEmptyStr
    kind: Literal["authorized", "refunded", "received", "rejected"]
    authorization: ReturnAuthorization | None = None
    refund_id: str | None = None
    amount: Money | None = None
    lines: list[ReceivedItem] = Field(default_factory=list)
    reason: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> ReturnEventDocument:
        needs = {
            "authorized": self.authorization is not None and self.authorization.rma_number == self.rma_number,
            "refunded": bool(self.refund_id) and self.amount is not None,
            "received": bool(self.lines),
            "rejected": bool(self.reason),
        }
        if not needs[self.kind]:
            what = {"authorized": "an authorization with the same rma_number", "refunded": "refund_id and amount",
                    "received": "lines", "rejected": "a reason"}[self.kind]  # fmt: skip
            raise ValueError(f"a {self.kind!r} return event needs {what}")
        return self

    def to_event(self) -> ReturnEvent:
        if self.kind == "authorized":
            assert self.authorization is not None
            return Authorized(self.authorization)
        if self.kind == "refunded":
            assert self.refund_id is not None and self.amount is not None
            return Refunded(self.rma_number, self.refund_id, Decimal(self.amount))
        if self.kind == "received":
            lines = tuple(ReceivedLine(line.sku, Decimal(line.quantity), line.disposition) for line in self.lines)
            return Received(self.rma_number, lines)
        return Rejected(self.rma_number, self.reason or "")
