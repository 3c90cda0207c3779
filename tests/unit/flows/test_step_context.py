"""The step context: a handler's transaction is given to it by the runner, committed when it returns
outside a worker (rolled back when it raises), joined inside one; the document is decoded once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.actors.context import StepContext
from crossdock.actors.graph import Step
from crossdock.actors.steps import FlowStep, Outgoing, call, run_step
from crossdock.broker import codec
from crossdock.broker import hop as hops
from crossdock.broker.hop import Hop
from crossdock.broker.lanes import Lane
from crossdock.canonical import Envelope, InventoryLevel
from crossdock.errors import TransientError
from crossdock.store import DocRef, DocType, Store

LINK = Step("test.link", Lane.INVENTORY, InventoryLevel)
NEXT = Step("test.next", Lane.INVENTORY, InventoryLevel)
ELSEWHERE = Step("test.elsewhere", Lane.INVENTORY, InventoryLevel)


def level(sku: str = "SKU-1") -> InventoryLevel:
    return InventoryLevel(sku=sku, location="WH1", on_hand=Decimal(5), available=Decimal(4), as_of=datetime.now(UTC))


def envelope(key: str = "k-1") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type="inventory_level")


def linked(store: Store, sku: str) -> list[DocRef]:
    return store.links.neighbours(DocRef(DocType.PACKAGE, sku), DocType.SHIPMENT)


def linking(store: Store, *, then: str = "return", to: Step[InventoryLevel] = NEXT) -> FlowStep[InventoryLevel]:
    """A step that links its document's SKU in its context's session, then returns, raises or sends
    to ``to``."""

    def handle(ctx: StepContext, document: InventoryLevel) -> list[Outgoing]:
        assert ctx.step is LINK and ctx.envelope.idempotency_key.startswith("k-")
        ref = DocRef(DocType.SHIPMENT, f"SHP-{document.sku}")
        store.links.link(DocRef(DocType.PACKAGE, document.sku), ref, message_id="m", session=ctx.session)
        if then == "raise":
            raise TransientError("the step failed after its effect")
        return [Outgoing(to, document, "k-next")] if then == "send" else []

    return FlowStep(LINK, handle, sends=frozenset({NEXT}), store=store)


def test_outside_a_worker_the_effects_commit_when_the_handler_returns(sqlite_store: Store) -> None:
    assert call(linking(sqlite_store, then="send"), envelope(), level("A"))[0].step is NEXT
    assert linked(sqlite_store, "A") == [DocRef(DocType.SHIPMENT, "SHP-A")]


def test_outside_a_worker_a_failing_handler_leaves_no_effect(sqlite_store: Store) -> None:
    with pytest.raises(TransientError):
        call(linking(sqlite_store, then="raise"), envelope(), level("B"))
    assert linked(sqlite_store, "B") == []
    # and the store is usable again: the transaction was closed
    call(linking(sqlite_store), envelope(), level("B"))
    assert linked(sqlite_store, "B") == [DocRef(DocType.SHIPMENT, "SHP-B")]


def test_a_send_outside_the_edges_rolls_the_effects_back(sqlite_store: Store) -> None:
    with pytest.raises(Exception, match="not one of its edges"):
        call(linking(sqlite_store, then="send", to=ELSEWHERE), envelope(), level("C"))
    assert linked(sqlite_store, "C") == []


def test_inside_a_worker_the_handler_writes_in_the_hops_transaction(sqlite_store: Store) -> None:
    # Given the hop's transaction, open as the hop lifecycle holds it
    with pytest.raises(RuntimeError, match="rolled back by the test"), sqlite_store.db.write() as session:
        call(linking(sqlite_store), envelope(), level("D"), session=session)
        # Then the effect is not committed by the runner: the hop lifecycle decides
        raise RuntimeError("rolled back by the test")
    assert linked(sqlite_store, "D") == []


def test_a_handler_that_never_uses_its_session_opens_no_transaction(sqlite_store: Store) -> None:
    def own_writes(ctx: StepContext, document: InventoryLevel) -> None:
        # a write of its own (as outbox.deliver records a delivery): no step transaction holds SQLite's lock
        with sqlite_store.db.write() as session:
            sqlite_store.links.link(DocRef(DocType.PACKAGE, document.sku), DocRef(DocType.SHIPMENT, "SHP-E"),
                                    message_id="m", session=session)  # fmt: skip

    call(FlowStep(LINK, own_writes, store=sqlite_store), envelope(), level("E"))
    assert linked(sqlite_store, "E") == [DocRef(DocType.SHIPMENT, "SHP-E")]


def test_in_a_worker_the_runner_takes_the_document_the_hop_read_with_the_envelope(sqlite_store: Store) -> None:
    # Given the hop built from the message (envelope read and document parsed once)
    payload = codec.encode(envelope(), level("F"))
    message = envelope()
    hop = Hop("m-1", LINK.name, LINK.lane.value, message, payload.encode(), document=level("F").model_dump(mode="json"))
    hops.enter(hop)
    try:
        # When the actor body runs with a payload it must not parse again
        run_step(linking(sqlite_store), "not parsed a second time", lambda *_: None)
    finally:
        hops.leave()
    # Then the step ran on the hop's document
    assert linked(sqlite_store, "F") == [DocRef(DocType.SHIPMENT, "SHP-F")]
