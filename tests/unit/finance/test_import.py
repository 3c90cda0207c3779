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


def test_findings_finance_closed_are_not_reopened_by_the_same_file(sqlite_store: Store) -> None:
    data = (DATA / "walmart_recon.csv").read_bytes()
    import_settlement(sqlite_store, io.BytesIO(data), source="w.csv", channel="walmart", config=FinanceConfig())
    items = sqlite_store.exceptions.find(ItemFilter(owner="finance"))
    assert {item.code for item in items} == {"SETTLEMENT_UNMATCHED", "SETTLEMENT_BAD_ROW"}
    for item in items:
        if item.code == "SETTLEMENT_UNMATCHED":
            sqlite_store.exceptions.resolve(item.id, "finance", "orders from before crossdock")
    # When the same file is imported again, the resolved findings stay closed
    import_settlement(sqlite_store, io.BytesIO(data), source="w.csv", channel="walmart", config=FinanceConfig())
    assert {i.code for i in sqlite_store.exceptions.find(ItemFilter(owner="finance"))} == {"SETTLEMENT_BAD_ROW"}
    # and a changed finding (another amount for the same unknown order) opens again
    changed = data.replace(b",35.00,Product Price", b",36.00,Product Price")
    import_settlement(sqlite_store, io.BytesIO(changed), source="w.csv", channel="walmart", config=FinanceConfig())
    reopened = sqlite_store.exceptions.find(ItemFilter(code="SETTLEMENT_UNMATCHED"))
    assert len(reopened) == 1 and "1796277083022" in reopened[0].error_message
