"""Settlements end to end on real PostgreSQL against the ERP simulator (a real SOAP server): import,
match through the cross-references, reconcile, open finance exception items, post the journal entry
once, re-import without posting again, and recover from a crash between the ERP call and the store."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.handlers.settlements import import_settlement, post_settlement
from crossdock.canonical.finance import FinanceConfig, OrderRecord, journal_entry, posting_reference
from crossdock.store import DocRef, DocType, ItemFilter, Store
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway

pytestmark = pytest.mark.integration

DATA = Path(__file__).parents[1] / "data" / "settlements"
CONFIG = FinanceConfig()
A, B = "111-0000001-0000001", "111-0000002-0000002"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def erp_db(tmp_path: Path) -> Iterator[tuple[ErpSimServer, Path]]:
    path = tmp_path / "erp.db"
    server = ErpSimServer(database=path).start()
    try:
        yield server, path
    finally:
        server.stop()


def journals(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        query = "SELECT document_no, external_document_no FROM posted_document WHERE kind = 'journal'"
        return list(db.execute(query))


def known_order(store: Store, channel: str, order_id: str, record: OrderRecord) -> None:
    """What ``orders.to_erp`` leaves behind for a marketplace order."""
    store.links.link(
        DocRef(DocType.MARKETPLACE_ORDER, order_id), DocRef(DocType.CHANNEL_ORDER, f"{channel}:{order_id}")
    )
    store.settlements.record_order(record)


def seed_amazon(store: Store) -> None:
    known_order(
        store,
        "amazon",
        A,
        OrderRecord("amazon", A, "USD", Decimal("40.00"), Decimal("5.00"), Decimal("3.30"), Decimal(1)),
    )
    known_order(store, "amazon", B, OrderRecord("amazon", B, "USD", Decimal("60.00"), units=Decimal(1)))


def import_amazon(store: Store) -> object:
    config = CONFIG.model_copy(update={"fees": {"amazon": CONFIG.fees_for("amazon").model_copy(
        update={"fulfillment_fee_per_unit": Decimal("3.50")})}})  # fmt: skip
    with (DATA / "amazon_v2.tsv").open("rb") as stream:
        return import_settlement(store, stream, source="amazon_v2.tsv", channel="amazon", config=config)


def test_import_matches_reconciles_and_posts_once(store: Store, erp_db: tuple[ErpSimServer, Path]) -> None:
    server, erp_path = erp_db
    erp = erp_gateway(server)
    seed_amazon(store)
    # When the Amazon settlement is imported
    result = import_amazon(store)
    # Then its lines are stored with lineage, order C is unknown, order B's difference is explained
    assert (result.lines_read, result.lines_new, result.bad_rows) == (15, 15, 0)  # type: ignore[attr-defined]
    assert result.lines_matched == 13 and result.unmatched_orders == 1  # type: ignore[attr-defined]
    items = store.exceptions.find(ItemFilter(owner="finance"))
    messages = {item.code: item.error_message for item in items}
    assert len(items) == 2
    assert (
        "order 111-0000003-0000003 is not one crossdock knows (21.25 USD); amazon_v2.tsv, line 14, line 15"
        in messages["SETTLEMENT_UNMATCHED"]
    )
    assert "order 111-0000002-0000002: short payment of 18.20 USD" in messages["SETTLEMENT_DIFFERENCE"]
    assert "fee rate 17.00% differs from the configured 15.00%" in messages["SETTLEMENT_DIFFERENCE"]
    assert "refund without a return (-17.00)" in messages["SETTLEMENT_DIFFERENCE"]
    # and the settlement is one hop from the order in the cross-references
    assert DocRef(DocType.SETTLEMENT, "amazon:12345678901") in store.links.connected(A).documents

    # When it is posted
    posted = post_settlement(store, erp, channel="amazon", settlement_id="12345678901", config=CONFIG)
    # Then one balanced journal entry reaches the ERP
    assert posted.lines == 15 and posted.net == Decimal("35.31") and posted.document_no.startswith("JE-")
    assert journals(erp_path) == [(posted.document_no, posted.reference)]

    # When the same file is imported and posted again, nothing is added and nothing is posted
    again = import_amazon(store)
    assert (again.lines_read, again.lines_new) == (15, 0)  # type: ignore[attr-defined]
    assert post_settlement(store, erp, channel="amazon", settlement_id="12345678901", config=CONFIG).lines == 0
    assert len(journals(erp_path)) == 1
    assert len(store.exceptions.find(ItemFilter(owner="finance"))) == 2  # re-parked, not duplicated

    [report] = store.settlements.report("12345678901")
    assert (report.gross, report.fees, report.refunds, report.paid_net) == (
        Decimal("130.00"), Decimal("-67.69"), Decimal("-17.00"), Decimal("35.31"),
    )  # fmt: skip
    assert report.matched_pct == pytest.approx(86.67) and report.posted_lines == 15
    assert report.open_exceptions == 2 and report.difference == Decimal(
        "3.05"
    )  # order C unknown (+21.25), B short (-18.20)


def test_a_crash_after_the_erp_call_does_not_post_twice(store: Store, erp_db: tuple[ErpSimServer, Path]) -> None:
    server, erp_path = erp_db
    erp = erp_gateway(server)
    seed_amazon(store)
    import_amazon(store)
    # Given the ERP got the entry but the process died before the store recorded it
    line_ids, sums = store.settlements.unposted("amazon", "12345678901")
    reference = posting_reference("amazon", "12345678901", line_ids)
    entry = journal_entry(channel="amazon", settlement_id="12345678901", sums=sums, accounts=CONFIG.accounts,
                          posting_date=date(2026, 11, 17), reference=reference)  # fmt: skip
    assert entry is not None
    first = erp.post_journal_entry(entry)
    # When the posting runs again
    posted = post_settlement(store, erp, channel="amazon", settlement_id="12345678901", config=CONFIG)
    # Then the ERP answers with the first document and holds one entry
    assert posted.document_no == first["document_no"]
    assert journals(erp_path) == [(first["document_no"], reference)]
    assert len(store.settlements.postings("amazon", "12345678901")) == 1


def test_bad_rows_and_short_payments_become_finance_items(store: Store) -> None:
    data = (DATA / "walmart_recon.csv").read_bytes().replace(b",54.75,", b",50.00,")
    result = import_settlement(store, io.BytesIO(data), source="walmart_recon.csv", channel="walmart", config=CONFIG)
    assert result.bad_rows == 1 and result.short_payment == Decimal("4.75")
    codes = sorted(item.code or "" for item in store.exceptions.find(ItemFilter(owner="finance")))
    assert codes == ["SETTLEMENT_BAD_ROW", "SETTLEMENT_SHORT_PAYMENT", "SETTLEMENT_UNMATCHED", "SETTLEMENT_UNMATCHED"]
    bad = next(i for i in store.exceptions.find(ItemFilter(owner="finance")) if i.code == "SETTLEMENT_BAD_ROW")
    assert bad.error_message.startswith("walmart_recon.csv, line 10: Amount 'not-a-number' is not an amount")
