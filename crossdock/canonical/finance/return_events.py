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

RMA_PREFIXES = {Channel.SHOPIFY: "SH", Channel.AMAZON: "AZ", Channel.WALMART: "WM"}
"""crossdock's RMA number is ``<prefix>-<the marketplace's return id>``: unique across channels, and the
3PL's receipt (which echoes only the RMA) tells the channel by it."""


def rma_number(channel: Channel, return_id: str) -> str:
    """The RMA number crossdock uses for the marketplace's return ``return_id`` (``SH-8119``)."""
    return f"{RMA_PREFIXES[channel]}-{return_id}"


def channel_of_rma(rma: str) -> Channel | None:
    """The channel whose return ``rma`` is (by its prefix); ``None`` for an RMA crossdock did not issue."""
    prefix, dash, rest = rma.partition("-")
    found = [channel for channel, known in RMA_PREFIXES.items() if known == prefix]
    return found[0] if found and dash and rest else None


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
