"""The order lifecycle through the real handlers (no broker): SQLite store, an in-memory ERP, real folder
outbound. Cancellations before the order, after booking, after release; a 945 after the cancel; stale
and repeated amendments; a shipment counted once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import call
from crossdock.actors.handlers import lifecycle
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Envelope, Order
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.lifecycle import OrderState
from crossdock.errors import Owner
from crossdock.store import Store
from tests.conftest import ROOT
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled

ORDER_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
CANCEL_850 = ORDER_850.replace(b"BEG*00*SA*PO-778812", b"BEG*01*SA*PO-778812")
ADVICE_945 = (ROOT / "examples" / "945_from_3pl.x12").read_bytes()
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PO = "PO-778812"
STEPS = {step.name: step for step in (graph.ORDERS_TO_ERP, graph.ORDERS_TO_WAREHOUSE, graph.ORDERS_AMEND,
                                       graph.SHIPMENTS_TO_ERP, graph.INVOICES_TO_ERP)}


@pytest.fixture
def erp() -> MemoryErp:
    return MemoryErp()


@pytest.fixture
def ports(sqlite_store: Store, erp: MemoryErp, tmp_path: Path) -> FlowPorts:
    return flow_ports(sqlite_store, erp, tmp_path / "out")


def envelope(key: str = "k-1", minutes: int = 0) -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type="x", created_at=AT + timedelta(minutes=minutes))


def receive_file(ports: FlowPorts, data: bytes, name: str) -> list[Outgoing]:
    ref = ports.store.raw.put_once(data, source="sftp:acme-retail", name=name)
    payload = InboundPayload(payload_id=ref.id, source="sftp:acme-retail", name=name, sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    return settled(ports, call(ports, graph.EDI_INBOUND, envelope(name), payload))


def run(ports: FlowPorts, outgoing: Iterable[Outgoing], until: str = "") -> list[Outgoing]:
    """Run what the steps send, as the worker would, up to (not into) the step ``until``; returns
    what was left for it and the steps not run here."""
    left: list[Outgoing] = []
    queue = list(outgoing)
    while queue:
        out = queue.pop(0)
        if out.step.name == until or out.step.name not in STEPS:
            left.append(out)
            continue
        queue += settled(ports, call(ports, STEPS[out.step.name], envelope(out.idempotency_key), out.document))
    return left


def outbox(tmp_path: Path) -> list[bytes]:
    folder = tmp_path / "out" / "northstar-3pl"
    return [f.read_bytes() for f in sorted(folder.iterdir())] if folder.exists() else []


def state(ports: FlowPorts) -> OrderState:
    held = ports.store.orders.get("edi", PO)
    assert held is not None
    return held.state


def test_a_cancellation_before_its_order_books_nothing_and_the_late_original_is_not_booked(
    ports: FlowPorts, erp: MemoryErp, tmp_path: Path
) -> None:
    # Given a buyer's cancel 850 for a PO crossdock never received
    sent = receive_file(ports, CANCEL_850, "cancel.x12")
    assert [o.step.name for o in sent] == ["orders.amend"]
    run(ports, sent)
    assert state(ports) is OrderState.CANCELLED
    # When the original arrives after it
    sent = receive_file(ports, ORDER_850, "order.x12")
    # Then it goes nowhere: nothing booked, no 940, and the timeline says why
    assert sent == [] and run(ports, sent) == []
    assert erp.creates == 0 and outbox(tmp_path) == []
    assert state(ports) is OrderState.CANCELLED
    events = [(t.event, t.note) for t in ports.store.orders.timeline("edi", PO)]
    assert events[0][0] == "cancelled" and events[1] == ("received", "after its cancellation: not booked")
    held = ports.store.orders.get("edi", PO)
    assert held is not None and len(held.status.lines) == 3
    assert all(line.cancelled == line.ordered > 0 for line in held.status.lines)


def test_a_cancellation_after_booking_cancels_the_erp_order_and_the_940_never_leaves(
    ports: FlowPorts, erp: MemoryErp, tmp_path: Path
) -> None:
    # Given the order booked, its 940 not yet sent (orders.to_warehouse still queued)
    pending = run(ports, receive_file(ports, ORDER_850, "order.x12"), until="orders.to_warehouse")
    assert [o.step.name for o in pending] == ["orders.to_warehouse"] and state(ports) is OrderState.BOOKED
    # When the cancellation is applied
    run(ports, receive_file(ports, CANCEL_850, "cancel.x12"))
    # Then the ERP order is cancelled; the queued 940 step sends nothing
    assert erp.cancelled == {"SO00001"}
    assert run(ports, pending) == [] and outbox(tmp_path) == []
    assert state(ports) is OrderState.CANCELLED
    assert [t.event for t in ports.store.orders.timeline("edi", PO)] == [
        "received", "booked", "cancelled", "not_released"]  # fmt: skip


def test_a_cancellation_after_release_cancels_in_the_erp_and_sends_one_940_cancel(
    ports: FlowPorts, erp: MemoryErp, tmp_path: Path
) -> None:
    run(ports, receive_file(ports, ORDER_850, "order.x12"))
    assert state(ports) is OrderState.RELEASED
    [original] = outbox(tmp_path)
    assert b"W05*N*PO-778812" in original
    # When the cancellation arrives, then again in another file
    run(ports, receive_file(ports, CANCEL_850, "cancel.x12"))
    run(ports, receive_file(ports, CANCEL_850.replace(b"000000501", b"000000502"), "cancel-again.x12"))
    # Then: the ERP order cancelled, ONE 940 cancel with the order's lines
    assert erp.cancelled == {"SO00001"}
    files = outbox(tmp_path)
    assert len(files) == 2 and b"W05*C*PO-778812" in files[1] and b"W01*12*EA" in files[1]
    assert state(ports) is OrderState.CANCELLED
    events = [t.event for t in ports.store.orders.timeline("edi", PO)]
    assert events == ["received", "booked", "released", "cancelled", "cancellation_unchanged"]


def test_a_945_after_the_cancel_is_an_item_for_the_warehouse_with_what_shipped(
    ports: FlowPorts, erp: MemoryErp, tmp_path: Path
) -> None:
    run(ports, receive_file(ports, ORDER_850, "order.x12"))
    run(ports, receive_file(ports, CANCEL_850, "cancel.x12"))
    # When the 3PL's 945 arrives after the cancel
    sent = receive_file(ports, ADVICE_945, "945.x12")
    assert run(ports, sent) == []
    # Then nothing is posted or sent on; the warehouse team gets an item naming what shipped
    assert erp.shipments == {}
    [item] = ports.store.exceptions.items(owner=Owner.WAREHOUSE)
    assert item.error_class == lifecycle.SHIPPED_AFTER_CANCEL and item.business_key == PO
    assert "after its cancellation" in item.error_message and "SHP-20261124-01" in item.error_message
    held = ports.store.orders.get("edi", PO)
    assert held is not None and any(line.shipped > 0 for line in held.status.lines)
    assert ports.store.orders.timeline("edi", PO)[-1].event == "shipped_after_cancel"
    # the shipment replayed: still nothing posted, no second item, nothing counted twice
    assert run(ports, sent) == [] and erp.shipments == {}
    assert len(ports.store.exceptions.items(owner=Owner.WAREHOUSE)) == 1
    again = ports.store.orders.get("edi", PO)
    assert again is not None and again.status.lines == held.status.lines


def test_a_shipment_is_counted_once_and_shipping_follows_the_order(ports: FlowPorts, erp: MemoryErp) -> None:
    run(ports, receive_file(ports, ORDER_850, "order.x12"))
    sent = receive_file(ports, ADVICE_945, "945.x12")
    billing = run(ports, sent, until="invoices.to_erp")
    first = ports.store.orders.get("edi", PO)
    assert first is not None and first.state in (OrderState.SHIPPED, OrderState.PARTIALLY_SHIPPED)
    assert all(line.invoiced == 0 for line in first.status.lines) and any(line.shipped for line in first.status.lines)
    # invoiced: invoices.to_erp billed what shipped and recorded it in the book
    run(ports, billing)
    billed = ports.store.orders.get("edi", PO)
    assert billed is not None and billed.state is first.state  # what shipped is billed; the rest is to ship
    assert [line.invoiced for line in billed.status.lines] == [line.shipped for line in billed.status.lines]
    assert ports.store.orders.timeline("edi", PO)[-1].event == "invoiced"
    # replays: the same shipment and the same invoice count once
    run(ports, sent)
    [invoice_no] = erp.invoices
    ports.store.orders.record_invoiced("edi", PO, {line.line_number: line.shipped for line in billed.status.lines},
                                       step="invoices.to_erp", message_id=None, invoice_no=invoice_no)  # fmt: skip
    again = ports.store.orders.get("edi", PO)
    assert again is not None and again.status.lines == billed.status.lines


SKUS = {"11": "CD-TEE-BLK-M", "12": "CD-HOOD-GRY-L", "21": "CD-TEE-BLK-M", "22": "CD-SOCK-6PK"}


def shop_order(purpose: str, minutes: int, lines: dict[str, int], *, only: bool = False) -> Order:
    return Order.model_validate({
        "channel": "shopify", "external_id": "5100", "purpose": purpose, "line_changes_only": only,
        "ordered_at": AT, "updated_at": AT + timedelta(minutes=minutes),
        "references": {"erp_customer_no": "C10000"},
        "lines": [{"line_number": n, "sku": SKUS[n], "quantity": q} for n, q in lines.items()],
    })  # fmt: skip


def route(ports: FlowPorts, order: Order, version: str = "v") -> Outgoing | None:
    with ports.store.db.write() as session:
        return lifecycle.route(ports, order, envelope(), session, step=graph.MARKETPLACE_INBOUND, version=version)


def test_marketplace_changes_stale_and_repeated_versions(ports: FlowPorts, erp: MemoryErp) -> None:
    first = route(ports, shop_order("original", 0, {"11": 2, "12": 1}))
    assert first is not None and first.step.name == "orders.to_erp"
    run(ports, [first], until="orders.to_warehouse")
    # a newer version of the original with other lines is a change; two changes have two keys
    change = route(ports, shop_order("original", 5, {"11": 1, "12": 1}))
    other = route(ports, shop_order("change", 6, {"11": 1}))
    assert change is not None and change.step.name == "orders.amend" and change.document.purpose == "change"
    assert other is not None and other.idempotency_key != change.idempotency_key
    # booked, not released: the ERP order follows (ChangeSalesOrder, the whole order as it now stands)
    run(ports, [change])
    [booked_5100] = [o for o in erp.orders.values() if o.external_id == "5100"]
    assert sorted((line.sku, line.quantity) for line in booked_5100.lines) == [("ITEM-1", 1), ("ITEM-2", 1)]
    assert ports.store.orders.timeline("shopify", "5100")[-1].event == "changed"
    run(ports, [other])  # the second change, line 12 left out: cancelled
    held_5100 = ports.store.orders.get("shopify", "5100")
    assert held_5100 is not None and held_5100.state is OrderState.PARTIALLY_CANCELLED
    assert [(x.line_number, x.ordered, x.cancelled) for x in held_5100.status.lines] == [("11", 2, 1), ("12", 1, 1)]
    [booked_5100] = [o for o in erp.orders.values() if o.external_id == "5100"]
    assert sorted((line.sku, line.quantity) for line in booked_5100.lines) == [("ITEM-1", 1), ("ITEM-2", 0)]
    # a partial cancellation of a line before booking needs no ERP: recorded, booked as it stands
    route(ports, shop_order("original", 0, {"21": 2, "22": 3}).model_copy(update={"external_id": "5200"}))
    cut = shop_order("cancellation", 1, {"22": 0}, only=True).model_copy(update={"external_id": "5200"})
    run(ports, [Outgoing(graph.ORDERS_AMEND, cut, "cut")])
    run(ports, [Outgoing(graph.ORDERS_TO_ERP, shop_order("original", 0, {"21": 2, "22": 3}).model_copy(
        update={"external_id": "5200"}), "book")], until="orders.to_warehouse")  # fmt: skip
    booked = next(o for o in erp.orders.values() if o.external_id == "5200")
    assert [(line.line_number, line.quantity) for line in booked.lines] == [("21", 2)]
    held = ports.store.orders.get("shopify", "5200")
    assert held is not None and held.state is OrderState.PARTIALLY_CANCELLED
    # an amendment older than the version applied is recorded and ignored
    stale = shop_order("cancellation", -10, {"21": 2}).model_copy(update={"external_id": "5200"})
    run(ports, [Outgoing(graph.ORDERS_AMEND, stale, "stale")])
    assert ports.store.orders.timeline("shopify", "5200")[-1].event == "cancellation_stale"
    assert erp.cancelled == set()


def test_order_show_prints_state_lines_timeline_and_documents(ports: FlowPorts, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crossdock.cli import app

    run(ports, receive_file(ports, ORDER_850, "order.x12"))
    run(ports, receive_file(ports, CANCEL_850, "cancel.x12"))
    env = {"CROSSDOCK_DATABASE_URL": ports.store.db.engine.url.render_as_string(hide_password=False),
           "CROSSDOCK_BROKER_URL": "", "CROSSDOCK_DATA_DIR": str(tmp_path)}  # fmt: skip
    result = CliRunner().invoke(app, ["order", "show", PO, "--json"], env=env)
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert (view["state"], view["stage"], view["erp_order_no"]) == ("cancelled", "released", "SO00001")
    assert [t["event"] for t in view["timeline"]] == ["received", "booked", "released", "cancelled"]
    assert all(line["cancelled"] == line["ordered"] and line["shipped"] == "0" for line in view["lines"])
    sent = [(d["set"], d["purpose"]) for d in view["documents"] if d["type"] == "outbox" and d["set"] == "940"]
    assert sorted(sent) == [("940", "cancellation"), ("940", "original")]
    assert any(d["type"] == "erp_order" and d["id"] == "SO00001" for d in view["documents"])
    table = CliRunner().invoke(app, ["order", "show", f"edi:{PO}"], env=env)
    assert table.exit_code == 0 and "cancelled" in table.stdout and "SO00001" in table.stdout
    missing = CliRunner().invoke(app, ["order", "show", "NOPE"], env=env)
    assert missing.exit_code == 1 and "no order NOPE" in missing.stderr


def test_a_cancellation_after_booking_releases_the_order_reservations(ports: FlowPorts) -> None:
    import dataclasses

    from crossdock.actors.handlers.inventory_ports import InventoryPorts
    from crossdock.canonical.availability import AvailabilityRules

    with_inventory = dataclasses.replace(ports, inventory=InventoryPorts(AvailabilityRules(), {}, "MAIN"))
    steps = {**STEPS, "inventory.apply": graph.INVENTORY_APPLY}

    def drive(outgoing: Iterable[Outgoing]) -> None:
        queue = list(outgoing)
        while queue:
            out = queue.pop(0)
            if out.step.name in steps and out.step.name != "orders.to_warehouse":
                queue += settled(with_inventory, call(with_inventory, steps[out.step.name],
                                                      envelope(out.idempotency_key), out.document))  # fmt: skip

    drive(receive_file(with_inventory, ORDER_850, "order.x12"))
    held = {r.line: r.quantity for r in ports.store.inventory.reservations_of(f"edi:{PO}")}
    assert held and all(quantity > 0 for quantity in held.values())
    drive(receive_file(with_inventory, CANCEL_850, "cancel.x12"))
    released = {r.line: r.quantity for r in ports.store.inventory.reservations_of(f"edi:{PO}")}
    assert released == dict.fromkeys(held, 0)


def test_a_change_after_release_changes_the_erp_order_and_sends_one_940_change(
    ports: FlowPorts, erp: MemoryErp, tmp_path: Path
) -> None:
    run(ports, receive_file(ports, ORDER_850, "order.x12"))
    # Given the buyer's change 850 (BEG01=04, the whole order as it now stands): line 1 from 24 to 10
    change = (ORDER_850.replace(b"BEG*00*SA*PO-778812", b"BEG*04*SA*PO-778812")
              .replace(b"PO1*1*24*EA", b"PO1*1*10*EA").replace(b"CTT*3*42", b"CTT*3*28"))  # fmt: skip
    sent = receive_file(ports, change, "change.x12")
    assert [o.step.name for o in sent] == ["orders.amend"], sent
    run(ports, sent)
    run(ports, receive_file(ports, change.replace(b"000000501", b"000000502"), "change-again.x12"))
    # Then the ERP order follows and the 3PL gets ONE 940 change with the order as it now stands
    [booked] = erp.orders.values()
    assert sorted((line.sku, line.quantity) for line in booked.lines) == [("ITEM-1", 10), ("ITEM-2", 12),
                                                                          ("ITEM-3", 6)]  # fmt: skip
    files = outbox(tmp_path)
    assert len(files) == 2 and b"W05*R*PO-778812" in files[1]
    assert b"W01*10*EA" in files[1] and b"W01*12*EA" in files[1] and b"W01*6*CA" in files[1]
    held = ports.store.orders.get("edi", PO)
    assert held is not None and held.state is OrderState.PARTIALLY_CANCELLED
    assert (held.status.lines[0].ordered, held.status.lines[0].cancelled) == (24, 14)
    assert [t.event for t in ports.store.orders.timeline("edi", PO)][-2:] == ["changed", "change_unchanged"]


def test_a_cancellation_outside_the_channel_window_is_left_to_customer_service(
    ports: FlowPorts, erp: MemoryErp
) -> None:
    import dataclasses

    from crossdock.canonical.lifecycle import AmendPolicy

    windowed = dataclasses.replace(ports, amendments={"shopify": AmendPolicy(window=timedelta(hours=1))})
    first = route(windowed, shop_order("original", 0, {"11": 2}))
    assert first is not None
    run(windowed, [first], until="orders.to_warehouse")
    late = shop_order("cancellation", 180, {"11": 2})
    run(windowed, [Outgoing(graph.ORDERS_AMEND, late, "late")])
    [item] = ports.store.exceptions.items(owner=Owner.CUSTOMER_SERVICE)
    assert item.error_class == "AmendmentRefused" and "window" in item.error_message
    assert erp.cancelled == set()
    held = ports.store.orders.get("shopify", "5100")
    assert held is not None and held.state is OrderState.BOOKED
    assert ports.store.orders.timeline("shopify", "5100")[-1].event == "cancellation_refused"


def test_shopify_cancellation_webhooks_before_and_after_the_order(ports: FlowPorts, erp: MemoryErp,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    """Issue 13: a marketplace cancellation that arrived first booked a new, open ERP order and sent the
    3PL a 940 cancel for an order it never had; one after the order left the ERP order open."""
    from tests.unit.rest.samples import shopify_order

    erp.items |= {"IPOD2008GREEN", "IPOD2008RED"}

    def webhook(body: dict[str, object], delivery: str) -> list[Outgoing]:
        ref = ports.store.raw.put_once(json.dumps(body).encode(), source="webhook:shopify", name=delivery)
        payload = InboundPayload(payload_id=ref.id, source="webhook:shopify", name=delivery, sha256=ref.sha256,
                                 size=ref.size)  # fmt: skip
        return call(ports, graph.MARKETPLACE_INBOUND, envelope(delivery), payload)

    first, second = shopify_order(), {**shopify_order(), "id": 450789470}
    cancelled = {"cancelled_at": "2008-01-10T12:00:00-05:00", "cancel_reason": "customer"}
    # Given a cancellation before its order: nothing booked, nothing sent, the order is not booked later
    run(ports, webhook({**first, **cancelled}, "wh-cancel-1"))
    run(ports, webhook(first, "wh-create-1"))
    # And an order booked and released, then cancelled
    run(ports, webhook(second, "wh-create-2"))
    run(ports, webhook({**second, **cancelled}, "wh-cancel-2"))
    # Then one ERP order (the second), cancelled; its 940 and one 940 cancel; none for the first order
    [(number, booked)] = erp.orders.items()
    assert booked.external_id == "450789470" and erp.cancelled == {number}
    codes = [re.findall(rb"W05\*(\w)\*([^*~]+)", f) for f in outbox(tmp_path)]
    assert codes == [[(b"N", b"450789470")], [(b"C", b"450789470")]]
    first_held = ports.store.orders.get("shopify", "450789469")
    second_held = ports.store.orders.get("shopify", "450789470")
    assert first_held is not None and first_held.state is OrderState.CANCELLED and first_held.erp_order_no is None
    assert second_held is not None and second_held.state is OrderState.CANCELLED
