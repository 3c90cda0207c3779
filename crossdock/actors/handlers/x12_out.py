"""Send one X12 document to a trading partner through the outbox.

In the step's transaction: take the control numbers (:class:`StepControlNumbers`), render, and record
the document in the outbox (partner, set, ISA/GS/ST numbers, its own file name, the bytes, their hash,
the business keys). The step links the numbers it returns in the same transaction, so the links name
the interchange that holds the document. The step returns the delivery of that row as an
:class:`Outgoing` sent only after its commit (``after_commit``): nothing leaves before the numbers,
the row and the links are committed, and a rolled-back step leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.graph import OUTBOX_DELIVER, Step
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.steps import Outgoing
from crossdock.canonical.inbound import OutboxDelivery
from crossdock.edi.control import ControlKind
from crossdock.edi.translate import render
from crossdock.store import DocRef, DocType

OUTBOX = "outbox"
"""Doc type of an outbox row in the cross-references (``outbox:<id>``)."""


@dataclass(frozen=True)
class Recorded:
    """One document in the outbox: what to link, and its delivery to send after the commit."""

    outbox_id: int
    refs: list[DocRef]
    delivery: Outgoing


def delivery_of(outbox_id: int) -> Outgoing:
    """The message that delivers outbox row ``outbox_id``, sent once the step committed."""
    return Outgoing(OUTBOX_DELIVER, OutboxDelivery(outbox_id=outbox_id), f"outbox:{outbox_id}", after_commit=True)


def record_x12(
    ports: FlowPorts,
    partner: TradingPartner,
    set_id: str,
    data: bytes,
    controls: tuple[int, int | None, int | None],
    *,
    at: datetime,
    session: Session,
    step: Step[Any],
    message_id: str,
    business_keys: Mapping[str, str] | None = None,
) -> Recorded:
    """Record ``data`` (an interchange holding ``controls`` = ISA13, first GS06, first ST02) in the
    outbox in ``session``; returns the refs to link and the delivery."""
    isa = controls[0]
    entry = ports.store.outbox.record(
        session,
        partner=partner.name,
        set_id=set_id,
        controls=controls,
        content=data,
        name_for=lambda doc_id: partner.outbound.file_name(set_id=set_id, control=isa, at=at, doc_id=doc_id),
        business_keys=business_keys,
        step=step.name,
        message_id=message_id,
    )
    return Recorded(entry.id, outbound_refs(partner.name, controls, entry.id), delivery_of(entry.id))


def outbound_refs(partner: str, controls: tuple[int, int | None, int | None], outbox_id: int) -> list[DocRef]:
    """What an outbound document is linked to: its interchange, outbox row, group and set (the group is
    what a partner's 997 and the deadlines read)."""
    isa, gs, st = controls
    refs = [DocRef(DocType.INTERCHANGE, f"{partner}:{isa:09d}"), DocRef(OUTBOX, str(outbox_id))]
    if gs is not None:
        refs.append(DocRef(DocType.GROUP, f"{partner}:{gs}"))
        if st is not None:
            refs.append(DocRef(DocType.TRANSACTION_SET, f"{partner}:{gs}:{st:04d}"))
    return refs


def send_x12(
    ports: FlowPorts,
    ctx: StepContext,
    partner: TradingPartner,
    set_id: str,
    document: BaseModel,
    *,
    business_keys: Mapping[str, str] | None = None,
) -> Recorded:
    """Render ``document`` as X12 ``set_id`` for ``partner`` with control numbers taken in the step's
    transaction and record it in the outbox there. The time written is the message's
    (``envelope.created_at``)."""
    numbers = ctx.control_numbers()
    at = ctx.envelope.created_at
    data = render(set_id, document, partner.edi, numbers, now=at)
    isa, gs, st = (numbers.first(kind) for kind in (ControlKind.INTERCHANGE, ControlKind.GROUP, ControlKind.SET))
    return record_x12(ports, partner, set_id, data, (isa, gs, st), at=at, session=ctx.session, step=ctx.step,
                      message_id=ctx.envelope.message_id, business_keys=business_keys)  # fmt: skip
