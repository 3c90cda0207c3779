"""The import step on a real SQLite store (no broker, no ERP): counts, re-import, lineage."""

from __future__ import annotations

import io
import json
from pathlib import Path

from crossdock.actors.handlers.settlements import import_settlement
from crossdock.canonical.finance import FinanceConfig
from crossdock.store import ItemFilter, Store

DATA = Path(__file__).parents[2] / "data" / "settlements"


def test_a_payout_after_its_transactions_counts_new_lines_once(sqlite_store: Store) -> None:
    body = json.loads((DATA / "shopify_payout.json").read_bytes())
    payout_last = json.dumps({"transactions": body["transactions"], "payout": body["payout"]}).encode()
    first = import_settlement(sqlite_store, io.BytesIO(payout_last), source="p.json", channel="shopify",
                              config=FinanceConfig(), batch_size=2)  # fmt: skip
    again = import_settlement(sqlite_store, io.BytesIO(payout_last), source="p.json", channel="shopify",
                              config=FinanceConfig(), batch_size=2)  # fmt: skip
    assert (first.lines_read, first.lines_new, again.lines_new) == (6, 6, 0)
    assert first.settlements == ["623721858"] and first.unmatched_orders == again.unmatched_orders == 2
    items = sqlite_store.exceptions.find(ItemFilter(code="SETTLEMENT_UNMATCHED"))
    assert len(items) == 2  # the second import re-parked into the same items
    assert all("p.json, line" in item.error_message for item in items)
