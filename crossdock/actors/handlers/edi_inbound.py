"""``edi.inbound``: one stored X12 file → validated, acknowledged (997), translated, and handed on.

* The file is read from the raw store and validated (:mod:`crossdock.edi.validate`); a 997 for each
  functional group (and a TA1 for each interchange that asked for one or has envelope errors) goes
  back to the sender's outbound (its SFTP profile or folder): control numbers taken and the
  acknowledgment recorded in the outbox inside the step's transaction, delivered after its commit.
* Each set that validated and translated goes on: an 850's Order to ``orders.to_erp`` (a cancel or
  change 850 / an 860 to ``orders.amend``, :func:`~crossdock.actors.handlers.lifecycle.route`), a 945's
  Shipment to ``shipments.to_erp``; an inbound 997 is reconciled against the group it acknowledges,
  an inbound TA1 against the interchange it acknowledges (anything but accepted is a problem).
* An 846's stock levels and a 947's adjustments go to ``inventory.apply``
  (:mod:`crossdock.actors.handlers.inventory`).
* Sets that failed validation or mapping (and sets no flow handles) are not handed on: ONE exception
  work item per file lists them, pointing at the stored raw payload. The 997 already told the sender.
  Sets are translated one at a time as they are read; a set over the size limits
  (``FlowPorts.edi_limits``) stops reading there and an HL hierarchy too deep fails its set: both are
  problems on that exception item, never a retry.
* A file that cannot be read at all, or from an unknown sender, raises :class:`BusinessError`
  (parked as an exception work item); nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from crossdock.actors import graph
from crossdock.actors.context import StepContext, StepControlNumbers
from crossdock.actors.handlers import erp_view, inventory, lifecycle
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.handlers.x12_out import record_x12
from crossdock.actors.steps import Outgoing
from crossdock.broker.codec import business_keys
from crossdock.canonical import (
    FunctionalAcknowledgment,
    InterchangeAcknowledgment,
    InventoryAdjustment,
    InventoryAdvice,
    Order,
    Shipment,
    idempotency_key,
)
from crossdock.canonical.acknowledgment import AckStatus
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inbound import InboundPayload
from crossdock.edi import ack, validate
from crossdock.edi.control import ControlKind
from crossdock.edi.reader import X12Reader
from crossdock.edi.report import InterchangeReport, SetReport, ValidationReport
from crossdock.edi.translate import SetResult, iter_translations, translate_ta1
from crossdock.errors import BusinessError, EdiError, Owner
from crossdock.store import DocRef, DocType, RawRef

STEP = graph.EDI_INBOUND
ACKNOWLEDGMENT = DocType.ACKNOWLEDGMENT
"""Doc type of an inbound 997 in the cross-references."""


@dataclass
class InboundOutcome:
    """What the step did with one file (for logs, tests and the demo)."""

    acks: list[str] = field(default_factory=list)
    handed_on: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def handle(ports: FlowPorts, ctx: StepContext, document: InboundPayload) -> list[Outgoing]:
    return process(ports, ctx, document)[0]


def process(ports: FlowPorts, ctx: StepContext, ref: InboundPayload) -> tuple[list[Outgoing], InboundOutcome]:
    envelope = ctx.envelope
    key = f"raw-payload:{ref.payload_id}"
    stored = ports.store.raw.get(ref.payload_id)
    if stored is None:
        raise BusinessError(f"raw payload {ref.payload_id} ({ref.source} {ref.name}) is not in the store", key=key)
    data = stored.content
    try:
        report = validate.validate(data, source=ref.name)
    except EdiError as exc:
        raise BusinessError(f"{ref.source} file {ref.name} is not readable X12: {exc}", key=key) from exc
    if not report.interchanges:
        raise BusinessError(f"{ref.source} file {ref.name} holds no X12 interchange", key=key)
    partners = {ic.sender_id.strip(): ports.partner_for_sender(ic.sender_id) for ic in report.interchanges}
    if not any(partners.values()):
        raise BusinessError(
            f"{ref.source} file {ref.name}: no trading partner has ISA id {', '.join(map(repr, partners))} "
            f"(configured: {', '.join(ports.names)})",
            key=key,
        )
    reader = X12Reader(data, source=ref.name, max_set_segments=ports.edi_limits[0], max_set_bytes=ports.edi_limits[1])
    read_error: EdiError | None = None
    outcome = InboundOutcome()
    outgoing: list[Outgoing] = []
    where_from = _interchanges(report)
    session = ctx.session
    for interchange in report.interchanges:
        partner = partners[interchange.sender_id.strip()]
        if partner is None:
            sender = interchange.sender_id.strip()
            outcome.problems.append(f"interchange {interchange.control_number} from {sender}: no trading partner")
            continue
        single = replace(report, interchanges=(interchange,), issues=())
        outgoing += _send_acks(ports, ctx, partner, single, outcome, stored.ref)
    verdicts = _validation_problems(report)
    try:
        for item in iter_translations(reader):  # one set at a time: memory stays flat for big files
            partner = partners.get(item.sender_id)
            if partner is None:
                continue  # reported with its interchange above
            at = (item.sender_id, item.set_id, item.control_number)
            problem = verdicts.get(at) or _translation_problem(item)
            if problem is not None:
                outcome.problems.append(f"{item.set_id} {item.control_number} from {item.sender_id}: {problem}")
                _keep_keys(ports, envelope, item, session)  # `crossdock trace PO` finds the rejected set
                continue
            interchange_ref = _interchange_ref(ports, stored.ref, item.sender_id, where_from.get(at, "?"))
            out = _hand_on(ports, partner, item, interchange_ref, envelope, session, outcome)
            if out is not None:
                outgoing.append(out)
    except EdiError as exc:  # a set over the size limits: what was read before it goes on
        read_error = exc
    for answer in (translate_ta1(isa, segment) for isa, segment in reader.interchange_acks):
        partner = partners.get(answer.sender_id)
        if partner is None:
            continue  # reported with its interchange above
        if answer.document is None:
            problems = "; ".join(f"{where}: {what}" for where, what in answer.errors)
            outcome.problems.append(f"TA1 {answer.control_number} from {answer.sender_id}: {problems}")
            continue
        reconcile_interchange(ports, partner, answer.document, envelope, session, outcome)
    if read_error is not None:
        outcome.problems.append(f"reading stopped: {read_error}")
    if outcome.problems:
        ports.store.exceptions.open(
            owner=Owner.INTEGRATION,
            error_class="EdiRejected",
            error_message=f"{ref.source} file {ref.name}: " + "; ".join(outcome.problems),
            business_key=key,
            message_id=envelope.message_id,
            correlation_id=envelope.correlation_id,
            actor=STEP.name,
            queue=STEP.lane.value,
            raw_payload_id=ref.payload_id,
            session=session,
        )
    return outgoing, outcome


def _send_acks(
    ports: FlowPorts,
    ctx: StepContext,
    partner: TradingPartner,
    report: ValidationReport,
    outcome: InboundOutcome,
    stored: RawRef,
) -> list[Outgoing]:
    """Record the 997s (and TA1s) for ``report`` in the outbox in the step's transaction; returns their
    deliveries, sent after the commit."""
    envelope, session, numbers = ctx.envelope, ctx.session, ctx.control_numbers()
    acks = ack.build_acknowledgments(report, numbers, now=envelope.created_at, partner=partner.name,
                                     suffix=partner.edi.segment_suffix)  # fmt: skip
    deliveries = []
    for (holds, data), controls in zip(acks, _per_interchange(numbers), strict=True):
        answered = ",".join(f"{ic.sender_id.strip()}:{ic.control_number}" for ic in report.interchanges)
        recorded = record_x12(ports, partner, holds, data, controls, at=envelope.created_at, session=session,
                              step=STEP, message_id=envelope.message_id,
                              business_keys={"answers": answered, "raw_payload": str(stored.id)})  # fmt: skip
        outcome.acks.append(f"outbox:{recorded.outbox_id}")
        deliveries.append(recorded.delivery)
    return deliveries


def _per_interchange(numbers: StepControlNumbers) -> list[tuple[int, int | None, int | None]]:
    """(ISA13, first GS06, first ST02) of each interchange, in the order the numbers were taken."""
    out: list[list[int | None]] = []
    for _, kind, value in numbers.taken:
        if kind is ControlKind.INTERCHANGE:
            out.append([value, None, None])
        elif kind is ControlKind.GROUP and out[-1][1] is None:
            out[-1][1] = value
        elif kind is ControlKind.SET and out[-1][2] is None:
            out[-1][2] = value
    return [(int(isa or 0), gs, st) for isa, gs, st in out]


SetKey = tuple[str, str, str]
"""(ISA06 sender, ST01, ST02): a set within a file."""


def _set_reports(report: ValidationReport) -> Iterator[tuple[InterchangeReport, SetReport]]:
    for interchange in report.interchanges:
        for group in interchange.groups:
            for set_report in group.sets:
                yield interchange, set_report


def _interchanges(report: ValidationReport) -> dict[SetKey, str]:
    """Each set's ISA13."""
    return {(ic.sender_id.strip(), s.set_id, s.control_number): ic.control_number for ic, s in _set_reports(report)}


def _validation_problems(report: ValidationReport) -> dict[SetKey, str]:
    return {
        (ic.sender_id.strip(), s.set_id, s.control_number): _describe(s) for ic, s in _set_reports(report) if s.errors
    }


def _describe(set_report: SetReport) -> str:
    issues = [f"{i.segment_id or ''}{'' if i.element is None else f'{i.element:02d}'} {i.message}".strip()
              for i in set_report.errors[:5]]  # fmt: skip
    more = len(set_report.errors) - len(issues)
    return "rejected by validation: " + "; ".join(issues) + (f"; and {more} more" if more > 0 else "")


def _translation_problem(item: SetResult) -> str | None:
    if item.status == "failed":
        return "mapping failed: " + "; ".join(f"{where}: {what}" for where, what in item.errors)
    if item.status == "unsupported":
        return f"no translator for set {item.set_id}"
    handled = Order | Shipment | FunctionalAcknowledgment | InventoryAdvice | InventoryAdjustment
    if not isinstance(item.document, handled):
        return f"no inbound flow for a {type(item.document).__name__} ({item.set_id})"
    return None


def _keep_keys(ports: FlowPorts, envelope: Envelope, item: SetResult, session: Session) -> None:
    """The business keys of a rejected set (its document's ids, when translation got that far) on the
    message that carried it, so a trace by PO number finds the file and its exception item."""
    document = item.document.model_dump(mode="json") if item.document is not None else {}
    keys = business_keys(document)
    if keys:
        ports.store.journal.add_keys(envelope.message_id, envelope.correlation_id, keys, session=session)


def _interchange_ref(ports: FlowPorts, stored: RawRef, sender: str, control: str) -> DocRef:
    """``<sender>:<ISA13>``; for an ISA13 the sender reused with other content (its raw payload is not
    the first accepted one with it), ``<sender>:<ISA13>:raw-<payload id>``, so the two interchanges'
    documents are never linked to each other (a 945 finds its own order's ERP order)."""
    earlier = ports.store.raw.interchange_reused(sender, control, stored.sha256, before=stored.id)
    suffix = "" if earlier is None else f":raw-{stored.id}"
    return DocRef(DocType.INTERCHANGE, f"{sender}:{control}{suffix}")


def _hand_on(
    ports: FlowPorts,
    partner: TradingPartner,
    item: SetResult,
    interchange: DocRef,
    envelope: Envelope,
    session: Session,
    outcome: InboundOutcome,
) -> Outgoing | None:
    document = item.document
    links = ports.store.links
    if isinstance(document, Order):
        erp_keys = {erp_view.ERP_CUSTOMER: partner.erp_customer_no}
        order = document.model_copy(update={"references": erp_view.with_references(document.references, erp_keys)})
        links.link(interchange, DocRef(DocType.PURCHASE_ORDER, order.external_id),
                   message_id=envelope.message_id, session=session)  # fmt: skip
        out = lifecycle.route(ports, order, envelope, session, step=graph.EDI_INBOUND,
                              version=f"{interchange.doc_id}:{item.control_number}")  # fmt: skip
        outcome.handed_on.append(f"order {order.external_id} → {out.step if out else 'recorded, not handed on'}")
        return out
    if isinstance(document, Shipment):
        links.link(interchange, DocRef(DocType.SHIPMENT, document.shipment_id),
                   message_id=envelope.message_id, session=session)  # fmt: skip
        outcome.handed_on.append(f"shipment {document.shipment_id} → {graph.SHIPMENTS_TO_ERP}")
        key = idempotency_key("shipment", partner.name, document.shipment_id)
        return Outgoing(graph.SHIPMENTS_TO_ERP, document, key)
    if isinstance(document, FunctionalAcknowledgment):
        reconcile(ports, partner, document, interchange, envelope, session, outcome)
    if isinstance(document, InventoryAdvice):
        return inventory.advice_received(ports, partner, document, interchange, outcome.handed_on)
    if isinstance(document, InventoryAdjustment):
        return inventory.adjustment_received(ports, partner, document, interchange, item.control_number,
                                             outcome.handed_on)  # fmt: skip
    return None


def reconcile_interchange(
    ports: FlowPorts,
    partner: TradingPartner,
    ack_doc: InterchangeAcknowledgment,
    envelope: Envelope,
    session: Session,
    outcome: InboundOutcome,
) -> None:
    """Link an inbound TA1 to the interchange of ours it answers; anything but "accepted" (a rejected
    envelope, or one accepted with errors) is a problem for a person."""
    number = ack_doc.interchange_control_number
    ours = DocRef(DocType.INTERCHANGE, f"{partner.name}:{number}")
    acknowledgment = DocRef(ACKNOWLEDGMENT, f"{ack_doc.sender_id}:TA1:{number}:{ack_doc.status}")
    ports.store.links.link(ours, acknowledgment, message_id=envelope.message_id, session=session)
    if ack_doc.status is AckStatus.ACCEPTED:
        outcome.handed_on.append(f"TA1 accepted for our interchange {number}")
        return
    note = f"TA105 {ack_doc.note_code}" + (f" ({ack_doc.note})" if ack_doc.note else "")
    outcome.problems.append(f"{partner.name} {ack_doc.status} our interchange {number}: {note}")


def reconcile(
    ports: FlowPorts,
    partner: TradingPartner,
    ack_doc: FunctionalAcknowledgment,
    interchange: DocRef,
    envelope: Envelope,
    session: Session,
    outcome: InboundOutcome,
) -> None:
    """Link an inbound 997 to the group of ours it acknowledges; a rejection is a problem for a person."""
    group = DocRef(DocType.GROUP, f"{partner.name}:{ack_doc.group_control_number}")
    acknowledgment = DocRef(ACKNOWLEDGMENT, f"{interchange.doc_id}:{ack_doc.group_control_number}:{ack_doc.status}")
    ports.store.links.link(group, acknowledgment, message_id=envelope.message_id, session=session)
    if ack_doc.status in (AckStatus.REJECTED, AckStatus.PARTIALLY_ACCEPTED):
        rejected = [f"{s.set_id} {s.control_number}" for s in ack_doc.sets if s.status is AckStatus.REJECTED]
        outcome.problems.append(
            f"{partner.name} {ack_doc.status} our group {ack_doc.group_control_number}"
            + (f" (sets {', '.join(rejected)})" if rejected else "")
        )
    else:
        outcome.handed_on.append(f"997 {ack_doc.status} for our group {ack_doc.group_control_number}")
