"""``crossdock demo --orders N``: orders over every channel to their final state, counted from the store
and the simulators (the ERP and marketplace simulators and the webhook receiver listen on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.actors.lifecycle_demo import run_lifecycle_demo
from crossdock.cli import app
from crossdock.settings import load_settings
from crossdock.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEYS = {"orders_received", "erp_orders", "edi_940_sent", "acks_reconciled", "shipments", "invoices",
        "tracking_updates", "cancellations", "inventory_updates", "duplicates", "exceptions", "lost"}  # fmt: skip


def test_every_order_of_every_channel_ends_in_one_final_state(tmp_path: Path) -> None:
    summary = run_lifecycle_demo(10, tmp_path)
    counts = summary.counts
    assert counts.keys() >= KEYS
    assert summary.by_channel == {"edi": 3, "shopify": 3, "amazon": 2, "walmart": 2}
    # the ten good orders, each booked once; besides them the PO for an item the ERP does not know and the
    # PO whose cancellation overtook it were received (neither booked)
    assert counts["erp_orders"] == 10 and counts["orders_received"] == 12
    # a Shopify, an Amazon, a Walmart and a buyer's order cancelled after release, a Shopify line cut by one
    # unit, the overtaken PO: each 940 cancel / change went to the 3PL once and its 997 came back
    assert counts["cancellations"] == 6
    assert counts["edi_940_sent"] == counts["acks_reconciled"] == 10 + 5
    assert counts["orders_by_state"] == {"cancelled": 5, "invoiced": 6, "received": 1}
    # six orders shipped (one of them possibly in two parts), each shipment posted and invoiced once
    assert counts["shipments"] == counts["invoices"] in (6, 7)
    assert counts["tracking_updates"] >= 4
    # the unreadable file, the webhook that is no order (integration); the unknown item and the PO the
    # buyer cancelled after its goods left (warehouse)
    assert counts["exceptions"] == {"integration": 2, "warehouse": 2}
    assert counts["duplicates"] >= 1 and counts["lost"] == 0 and summary.ok
    # the ERP's stock and every reservation reached the marketplaces (inventory.push on SQLite, in a worker)
    assert counts["inventory_updates"] > 0
    store = Store.from_settings(load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path)}))
    try:
        keys = {item.business_key for item in store.exceptions.items()}
        assert store.dead_letters.letters(status=None) == []
    finally:
        store.close()
    assert {"PO-DEMO-UNKNOWN-ITEM", "PO-DEMO-00003", "file:850_truncated.x12", "5199999999"} == keys


def test_the_demo_prints_one_json_object_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--orders", "4", "--json", "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary.keys() >= KEYS and summary["lost"] == 0 and summary["erp_orders"] == 4
