"""Two steps applying different inputs of the same SKUs at once, on PostgreSQL: the computed quantities
end as a recomputation from scratch gives them (no step computes from a snapshot missing the other's
input and overwrites it)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import INVENTORY_APPLY
from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.canonical import Envelope, InventoryLevel
from crossdock.canonical.availability import AvailabilityRules, available_to_sell
from crossdock.canonical.inventory import InventoryChange, StockReservation
from crossdock.store import Store
from tests.unit.flows.fakes import MemoryErp, flow_ports

pytestmark = pytest.mark.integration

RULES = AvailabilityRules.model_validate({"channels": {"shopify": {}, "walmart": {"share": 0.5}},
                                         "kits": {"KIT": {"A": 1, "B": 1}}})  # fmt: skip
T0 = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def test_concurrent_stock_and_reservation_steps_end_as_a_recomputation_from_scratch(
    store: Store, tmp_path: Path
) -> None:
    ports = dataclasses.replace(flow_ports(store, MemoryErp(), tmp_path / "out"), inventory=InventoryPorts(RULES))
    rounds = 25
    errors: list[BaseException] = []

    def envelope(key: str) -> Envelope:
        return Envelope(idempotency_key=key, source="test", document_type="inventory_change")

    def stock() -> None:
        try:
            for n in range(rounds):
                levels = [InventoryLevel(sku=sku, location="MAIN", on_hand=100 + n, available=100 + n,
                                         as_of=T0 + timedelta(minutes=n)) for sku in ("A", "B")]  # fmt: skip
                call(ports, INVENTORY_APPLY, envelope(f"s{n}"), InventoryChange(source="erp", levels=levels))
        except BaseException as exc:  # reported below
            errors.append(exc)

    def reserve() -> None:
        try:
            for n in range(rounds):
                held = StockReservation(order_ref=f"PO-{n}", line="1", sku="KIT" if n % 2 else "A", location="MAIN",
                                        quantity=1, as_of=T0)  # fmt: skip
                call(ports, INVENTORY_APPLY, envelope(f"r{n}"), InventoryChange(source="order", reservations=[held]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=stock), threading.Thread(target=reserve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    ledger = store.inventory.ledger({"A", "B", "KIT"})
    for sku in ("A", "B", "KIT"):
        expected = available_to_sell(ledger, RULES, sku).totals()
        computed = {s.channel: s.computed for s in store.inventory.channel_states(sku)}
        assert computed == {channel: expected.get(channel, 0) for channel in RULES.channels}, sku


def test_a_step_on_a_sku_waits_for_another_transaction_holding_it(store: Store, tmp_path: Path) -> None:
    ports = dataclasses.replace(flow_ports(store, MemoryErp(), tmp_path / "out"), inventory=InventoryPorts(RULES))
    events: list[str] = []
    holding = threading.Event()

    def hold() -> None:
        with store.db.write() as session:
            store.inventory.lock_skus(session, ["A"])
            holding.set()
            threading.Event().wait(1.0)  # another step's recomputation in progress
            events.append("holder committed")

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    level = InventoryLevel(sku="A", location="MAIN", on_hand=5, available=5, as_of=T0)
    call(ports, INVENTORY_APPLY, Envelope(idempotency_key="k", source="test", document_type="inventory_change"),
                    InventoryChange(source="erp", levels=[level]))  # fmt: skip
    events.append("apply done")
    holder.join(timeout=30)
    assert events == ["holder committed", "apply done"]


def test_concurrent_947_adjustments_and_replays_each_apply_once_on_postgresql(store: Store, tmp_path: Path) -> None:
    from crossdock.canonical.inventory import StockAdjustment

    ports = dataclasses.replace(flow_ports(store, MemoryErp(), tmp_path / "out"), inventory=InventoryPorts(RULES))
    level = InventoryLevel(sku="A", location="MAIN", on_hand=100, available=100, as_of=T0)
    call(ports, INVENTORY_APPLY, Envelope(idempotency_key="base", source="test", document_type="inventory_change"),
         InventoryChange(source="erp", levels=[level]))  # fmt: skip
    errors: list[BaseException] = []

    def adjust(worker: int) -> None:
        # every worker sends the same ten adjustments (each -1) under its own message keys: replays
        try:
            for n in range(10):
                line = StockAdjustment(key=f"947:3pl:X:{n:09d}:0001", sku="A", location="MAIN", delta=-1,
                                       reason="05", as_of=T0)  # fmt: skip
                envelope = Envelope(idempotency_key=f"w{worker}-{n}", source="test", document_type="inventory_change")
                call(ports, INVENTORY_APPLY, envelope, InventoryChange(source="947:3pl:X", adjustments=[line]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=adjust, args=(worker,)) for worker in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert store.inventory.ledger({"A"}).stock("A")["MAIN"].on_hand == 90
    assert len(store.inventory.adjustments_of("A")) == 10
