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


def test_every_order_of_every_channel_ends_booked_sent_and_shipped_once(tmp_path: Path) -> None:
    summary = run_lifecycle_demo(10, tmp_path)
    counts = summary.counts
    assert counts.keys() >= KEYS
    assert summary.by_channel == {"edi": 3, "shopify": 3, "amazon": 2, "walmart": 2}
    # the ten good orders, each once in the ERP and once at the 3PL, each 940 acknowledged by the 3PL
    assert counts["erp_orders"] == counts["edi_940_sent"] == counts["acks_reconciled"] == 10
    # the PO for an item the ERP does not know was received too, and waits as an exception item
    assert counts["orders_received"] == 11
    assert counts["exceptions"] == {"integration": 2, "warehouse": 1}
    # the 3PL's fifth and tenth orders ship in two parts (one of them unless it is a single unit): eleven or
    # twelve shipments posted once each, and the marketplace orders confirmed
    assert counts["shipments"] in (11, 12)
    assert counts["tracking_updates"] >= 7
    assert counts["duplicates"] >= 1 and counts["lost"] == 0 and summary.ok
    # the ERP's stock and every reservation reached the marketplaces (inventory.push on SQLite, in a worker)
    assert counts["inventory_updates"] > 0
    store = Store.from_settings(load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path)}))
    try:
        keys = {item.business_key for item in store.exceptions.items()}
        assert store.dead_letters.letters(status=None) == []
    finally:
        store.close()
    assert {"PO-DEMO-UNKNOWN-ITEM", "file:850_truncated.x12", "5199999999"} == keys


def test_the_demo_prints_one_json_object_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--orders", "4", "--json", "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary.keys() >= KEYS and summary["lost"] == 0 and summary["erp_orders"] == 4
