"""The optional steps of a return, run as the worker runs ``returns.apply`` (encoded messages, real
SQLite store, the outbox): an ERP return authorization, an X12 180 telling the 3PL what to expect, and
the refund a channel expects the seller to issue. Whatever the order and however often the events come,
each happens once; a receipt before its authorization is not announced; a rejected return is not
refunded."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import flow_steps
from crossdock.actors.handlers import returns
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing, run_step
from crossdock.bridges.soap import ErpPort
from crossdock.broker import codec
from crossdock.canonical import Channel, ReturnAuthorization, ReturnLine
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.finance.returns_flow import ReceivedLine, ReturnPolicy
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.validate import validate
from crossdock.store import Store
from crossdock.store.returns_book import ReturnsBook
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled


class ReturnsErp(MemoryErp):
    """The ERP's return documents, one per external document number (as the ERP dedupes)."""

    def __init__(self) -> None:
        super().__init__()
        self.rmas: dict[str, dict[str, Any]] = {}
        self.memos: dict[str, dict[str, Any]] = {}

    def create_return_authorization(self, authorization: Mapping[str, Any]) -> dict[str, Any]:
        key = str(authorization["external_document_no"])
        self.rmas.setdefault(key, {"document_no": f"RMA-{len(self.rmas) + 1:06d}", "request": dict(authorization)})
        return {"document_no": self.rmas[key]["document_no"]}

    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]:
        key = str(credit_memo["external_document_no"])
        self.memos.setdefault(key, {"document_no": f"CM-{len(self.memos) + 1:06d}", "request": dict(credit_memo)})
        return {"document_no": self.memos[key]["document_no"]}


class MemoryRefunds:
    """A channel that expects the seller to refund (Walmart's behaviour: a refunded return is not
    refunded again)."""

    def __init__(self) -> None:
        self.calls = 0
        self.refunded: dict[str, tuple[str, Decimal]] = {}

    def refund_return(self, authorization: ReturnAuthorization, lines: Sequence[ReceivedLine]) -> tuple[str, Decimal]:
        self.calls += 1
        amount = -sum((line.refund_amount or Decimal(0) for line in authorization.lines), Decimal(0))
        return self.refunded.setdefault(authorization.rma_number, (f"walmart:{authorization.rma_number}", amount))


RA = ReturnAuthorization(
    rma_number="WM-77310",
    channel=Channel.WALMART,
    order_external_id="1796277083022",
    created_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    lines=[ReturnLine(line_number="1", sku="CD-TEE-BLK-M", quantity=Decimal(2), refund_amount=Decimal("48.00"))],
)
AUTHORIZED = {"kind": "authorized", "authorization": RA.model_dump(mode="json")}
RECEIVED = {"kind": "received", "lines": [
    {"sku": "CD-TEE-BLK-M", "quantity": "1", "disposition": "restock"},
    {"sku": "CD-TEE-BLK-M", "quantity": "1", "disposition": "damaged"},
]}  # fmt: skip
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
REJECTED = {"kind": "rejected", "reason": "no record of this return"}


def ports(store: Store, erp: ReturnsErp, refunds: MemoryRefunds, outbox: Path) -> FlowPorts:
    base = flow_ports(store, erp, outbox)
    policy = ReturnPolicy(erp_authorization=True, warehouse_notice=True)
    return replace(base, erp=cast(ErpPort, erp), channel_customers={"walmart": "C20000"}, returns=policy,
                   refunds={"walmart": refunds})  # fmt: skip


def run(flow: FlowPorts, events: list[dict[str, Any]]) -> list[Outgoing]:
    [step] = [s for s in flow_steps(flow) if s.name == returns.STEP]
    sent: list[Outgoing] = []
    for n, event in enumerate(events):
        document = ReturnEventDocument.model_validate({"channel": "walmart", "rma_number": "WM-77310", **event})
        envelope = Envelope(idempotency_key=f"WM-77310:{event['kind']}:{n}", source="test",
                            document_type="return_event", created_at=AT)  # fmt: skip
        outgoing: list[Outgoing] = []

        def collect(step_name: str, env: Envelope, doc: Any, into: list[Outgoing] = outgoing) -> None:
            into.append(Outgoing(graph.FLOWS.step(step_name), doc, env.idempotency_key, after_commit=True))

        run_step(step, codec.encode(envelope, document), collect)
        sent += outgoing
        settled(flow, outgoing)  # the deliveries, as outbox.deliver does after the commit
    return sent


@pytest.mark.parametrize("order", list(itertools.permutations([AUTHORIZED, RECEIVED])))
def test_each_step_happens_once_whatever_the_order(
    sqlite_store: Store, tmp_path: Path, order: tuple[dict[str, Any], ...]
) -> None:
    erp, refunds = ReturnsErp(), MemoryRefunds()
    flow = ports(sqlite_store, erp, refunds, tmp_path)
    run(flow, [*order, *order])  # out of order, each delivered twice
    [rma] = erp.rmas.values()
    assert rma["request"]["external_document_no"] == "RMA-walmart-WM-77310"
    assert rma["request"]["lines"] == [{"item_no": "ITEM-1", "quantity": Decimal(2)}]
    assert rma["request"]["location_code"] == "MAIN" and rma["request"]["customer_no"] == "C20000"
    [memo] = erp.memos.values()
    assert memo["request"]["lines"] == [{"item_no": "ITEM-1", "quantity": Decimal(1)}] * 2
    with sqlite_store.db.read() as s:
        state = ReturnsBook.load_for_update(s, "walmart", "WM-77310")
    assert state is not None and state.status == "credited" and state.erp_rma_no == "RMA-000001"
    assert state.refunds == (("walmart:WM-77310", Decimal("-48.00")),) and state.refund_confirmed == "walmart:WM-77310"
    assert refunds.calls == 1
    notices = sqlite_store.outbox.entries(partner="northstar-3pl")
    files = sorted((tmp_path / "northstar-3pl").glob("*"))
    if order[0] is RECEIVED:  # the 3PL had it before the authorization: nothing to announce
        assert notices == [] and files == [] and state.warehouse_notice is None
        return
    [notice] = notices
    assert notice.set_id == "180" and notice.delivered_at is not None and state.warehouse_notice == notice.id
    [file] = files
    data = file.read_bytes()
    assert validate(data).valid
    (ts,) = read_transaction_sets(data)
    assert ["BGN", "00", "WM-77310", "20261122", "0930", "UT"] in [seg.elements for seg in ts.segments]


def test_a_rejected_return_is_neither_credited_nor_refunded(sqlite_store: Store, tmp_path: Path) -> None:
    erp, refunds = ReturnsErp(), MemoryRefunds()
    run(ports(sqlite_store, erp, refunds, tmp_path), [AUTHORIZED, REJECTED, RECEIVED, AUTHORIZED])
    assert len(erp.rmas) == 1 and erp.memos == {} and refunds.calls == 0
    with sqlite_store.db.read() as s:
        state = ReturnsBook.load_for_update(s, "walmart", "WM-77310")
    assert state is not None and state.status == "rejected"
