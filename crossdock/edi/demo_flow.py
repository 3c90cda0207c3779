"""The embedded demo flow, pure: a buyer's 850 becomes an Order, the Order a 940 for the 3PL, the 3PL's
945 a Shipment, the Shipment an 856 ASN for the buyer, and the 850 gets its 997. Takes bytes and
profiles, returns what happened at each step; the CLI reads the files and prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from crossdock.canonical import Order, PartyRole, Shipment
from crossdock.edi import ack, validate
from crossdock.edi.control import ControlNumberAllocator
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.report import ValidationReport
from crossdock.edi.sets import x940
from crossdock.edi.sets.mapping import is_reference_qualifier
from crossdock.edi.translate import FileResult, render, translate
from crossdock.errors import CrossdockError

StepStatus = Literal["ok", "warning", "failed"]


@dataclass
class DemoStep:
    title: str
    status: StepStatus = "ok"
    lines: list[str] = field(default_factory=list)
    payload: bytes | None = None


@dataclass
class DemoInputs:
    order_850: bytes
    advice_945: bytes
    threepl: PartnerProfile
    buyer: PartnerProfile
    warehouse_code: str | None = None


def run_demo(inputs: DemoInputs, allocator: ControlNumberAllocator, *, now: datetime) -> list[DemoStep]:
    steps: list[DemoStep] = []
    report_850 = _validate(steps, "Validate the buyer's 850 (pyx12)", inputs.order_850)
    order = _translate(steps, "Translate the 850 to an Order", inputs.order_850, Order)
    if isinstance(order, Order):
        wso = x940.warehouse_order(order, warehouse_code=inputs.warehouse_code)
        _render(steps, f"Render the 940 for {inputs.threepl.name}", "940", wso, inputs.threepl, allocator, now)
    _validate(steps, "Validate the 3PL's 945 (pyx12)", inputs.advice_945)
    shipment = _translate(steps, "Translate the 945 to a Shipment", inputs.advice_945, Shipment)
    if isinstance(shipment, Shipment):
        outbound = _for_buyer(shipment, order if isinstance(order, Order) else None)
        _render(steps, f"Render the 856 ASN for {inputs.buyer.name}", "856", outbound, inputs.buyer, allocator, now)
    step = DemoStep("Acknowledge the 850 with a 997")
    if report_850 is None:
        step.status, step.lines = "failed", ["the 850 was not validated"]
    else:
        acks = ack.build_acks(report_850, allocator, now=now, partner=inputs.buyer.name)
        step.payload = b"".join(acks)
        step.lines.append(f"{len(acks)} acknowledgment interchange(s)")
    steps.append(step)
    return steps


def _validate(steps: list[DemoStep], title: str, data: bytes) -> ValidationReport | None:
    step = DemoStep(title)
    steps.append(step)
    try:
        report = validate.validate(data)
    except CrossdockError as exc:
        step.status, step.lines = "failed", [str(exc)]
        return None
    for set_report in report.sets():
        step.lines.append(f"{set_report.set_id} {set_report.control_number}: {set_report.status.value}")
        step.lines += [f"  {issue.segment_id or ''} {issue.message}" for issue in set_report.issues]
    if not report.valid:  # inbound: still translated; the 997 reports the errors to the sender
        step.status = "warning"
    return report


def _translate(steps: list[DemoStep], title: str, data: bytes, kind: type) -> object | None:
    step = DemoStep(title)
    steps.append(step)
    result: FileResult = translate(data)
    if result.read_error is not None:
        step.status, step.lines = "failed", [f"unreadable: {result.read_error}"]
        return None
    found = next((s for s in result.sets if isinstance(s.document, kind)), None)
    for item in result.sets:
        step.lines.append(f"{item.set_id} {item.control_number}: {item.status}")
        step.lines += [f"  error {where}: {what}" for where, what in item.errors]
        step.lines += [f"  warning {w.location}: {w.message}" for w in item.warnings]
        step.lines += [f"  unmapped {u.location}: {u.raw}" for u in item.unmapped]
    if found is None or found.document is None:
        step.status = "failed"
        return None
    step.lines.insert(0, _summary(found.document))
    return found.document


def _summary(document: object) -> str:
    if isinstance(document, Order):
        units = sum(line.quantity for line in document.lines)
        return f"Order {document.external_id}: {len(document.lines)} lines, {units} units, {document.currency}"
    if isinstance(document, Shipment):
        lines = [line for order in document.orders for line in order.all_lines]
        shipped = sum(line.quantity_shipped for line in lines)
        packages = sum(len(order.packages) for order in document.orders)
        partial = " (partial)" if document.partial else ""
        return f"Shipment {document.shipment_id}: {packages} packages, {shipped} units shipped{partial}"
    return type(document).__name__


def _for_buyer(shipment: Shipment, order: Order | None) -> Shipment:
    """The ASN ships from the warehouse when the 945 named no ship-from, and each of its orders carries
    the buyer's order references (department, vendor number ...) and PO date from the 850 it answers."""
    update: dict[str, object] = {}
    warehouse = shipment.party(PartyRole.WAREHOUSE)
    if shipment.ship_from is None and warehouse is not None:
        update["ship_from"] = warehouse.model_copy(update={"role": PartyRole.SHIP_FROM})
    if order is not None:
        refs = {k: v for k, v in order.references.items() if is_reference_qualifier(k) and k != "VN"}
        po_date = order.ordered_at.date() if order.ordered_at else None
        update["orders"] = [
            o.model_copy(update={"references": {**refs, **o.references}, "po_date": o.po_date or po_date})
            if o.po_number == order.external_id
            else o
            for o in shipment.orders
        ]
    return shipment.model_copy(update=update)


def _render(steps: list[DemoStep], title: str, set_id: str, document: BaseModel, profile: PartnerProfile,
            allocator: ControlNumberAllocator, now: datetime) -> None:  # fmt: skip
    step = DemoStep(title)
    steps.append(step)
    try:
        step.payload = render(set_id, document, profile, allocator, now=now)
    except CrossdockError as exc:
        step.status, step.lines = "failed", [str(exc)]
        return
    report = validate.validate(step.payload)
    segments = step.payload.count(profile.segment_terminator.encode("latin-1"))
    step.lines.append(f"{segments} segments; validation: {report.status.value}")
    for issue in report.all_issues():
        if issue.is_error:
            step.lines.append(f"  {issue.segment_id or ''} {issue.message}")
            step.status = "failed"
