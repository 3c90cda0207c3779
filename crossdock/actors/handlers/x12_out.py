"""Send one canonical document to a trading partner as X12: render it with the store's control
numbers inside the step's transaction (used up only if the step commits), deliver it, and return the
interchange, group and set it went out as, for the step to link."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from crossdock.actors.handlers.ports import FlowPorts, StepControlNumbers, TradingPartner
from crossdock.canonical.envelope import Envelope
from crossdock.edi.control import ControlKind
from crossdock.edi.translate import render
from crossdock.store import DocRef, DocType


def send_x12(
    ports: FlowPorts, partner: TradingPartner, set_id: str, document: BaseModel, envelope: Envelope, session: Session
) -> list[DocRef]:
    """Render ``document`` as X12 ``set_id`` for ``partner`` and deliver it. The time written is the
    message's (``envelope.created_at``), so a retried step renders the same file under the same name,
    which the outbound does not deliver twice."""
    numbers = StepControlNumbers(ports.store, session)
    at = envelope.created_at
    data = render(set_id, document, partner.edi, numbers, now=at)
    isa, gs, st = (numbers.first(kind) for kind in (ControlKind.INTERCHANGE, ControlKind.GROUP, ControlKind.SET))
    partner.outbound.deliver(data, set_id=set_id, control=isa, at=at)
    return [
        DocRef(DocType.INTERCHANGE, f"{partner.name}:{isa:09d}"),
        DocRef(DocType.GROUP, f"{partner.name}:{gs}"),
        DocRef(DocType.TRANSACTION_SET, f"{partner.name}:{gs}:{st:04d}"),
    ]
