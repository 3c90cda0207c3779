"""Settlement report parsers: the hand-written fixtures (from the published formats), bad rows as
data, whole-file errors naming the file and line, and amounts that always add up."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.canonical.finance import ParsedLine, RowProblem, SettlementFileError, json_stream, parser_for
from crossdock.canonical.settlement import SettlementKind as K
from crossdock.canonical.settlement import SettlementSummary

DATA = Path(__file__).parents[2] / "data" / "settlements"


def events(channel: str, data: bytes, source: str = "file") -> list[object]:
    return list(parser_for(channel)(io.BytesIO(data), source))


def lines_of(found: list[object]) -> list[ParsedLine]:
    return [e for e in found if isinstance(e, ParsedLine)]


def test_amazon_v2_flat_file() -> None:
    found = events("amazon", (DATA / "amazon_v2.tsv").read_bytes(), "amazon_v2.tsv")
    summary = found[0]
    assert isinstance(summary, SettlementSummary)
    assert (summary.settlement_id, summary.total_amount, str(summary.deposit_date)) == (
        "12345678901", Decimal("35.31"), "2026-11-17",
    )  # fmt: skip
    lines = lines_of(found)
    assert len(lines) == 15 and not [e for e in found if isinstance(e, RowProblem)]
    assert sum(p.line.amount for p in lines) == summary.total_amount
    kinds = [p.line.kind for p in lines]
    assert kinds[:6] == [K.PRINCIPAL, K.SHIPPING, K.TAX, K.TAX, K.COMMISSION, K.FULFILLMENT_FEE]
    assert kinds.count(K.REFUND) == 2 and kinds[-2:] == [K.RESERVE, K.COMMISSION]
    first = lines[0]
    assert (first.line_no, first.line.line_id, first.line.order_external_id) == (3, "3", "111-0000001-0000001")
    assert first.line.currency == "USD" and first.source == "amazon_v2.tsv"


def test_shopify_payout_with_balance_transactions() -> None:
    found = events("shopify", (DATA / "shopify_payout.json").read_bytes())
    summary = found[0]
    assert isinstance(summary, SettlementSummary) and summary.settlement_id == "623721858"
    lines = lines_of(found)
    assert [(p.line.line_id, p.line.kind) for p in lines] == [
        ("699519475", K.PRINCIPAL), ("699519475:fee", K.COMMISSION), ("699519476", K.PRINCIPAL),
        ("699519476:fee", K.COMMISSION), ("699519477", K.REFUND), ("699519478", K.CHARGEBACK),
    ]  # fmt: skip
    assert sum(p.line.amount for p in lines) == summary.total_amount  # the payout transaction is not a line
    assert lines[0].line.order_external_id == "5100000001" and lines[0].line_no == 22


def test_walmart_recon_report_keeps_bad_rows_as_problems() -> None:
    found = events("walmart", (DATA / "walmart_recon.csv").read_bytes(), "walmart_recon.csv")
    summary = found[0]
    assert isinstance(summary, SettlementSummary) and summary.settlement_id == "2026-11-20"
    lines = lines_of(found)
    assert sum(p.line.amount for p in lines) == summary.total_amount
    assert lines[0].line.order_external_id == "1796277083022"  # the purchase order, crossdock's Walmart order id
    assert [p.line.kind for p in lines][-1] is K.ADJUSTMENT
    problems = [e for e in found if isinstance(e, RowProblem)]
    assert len(problems) == 1
    assert str(problems[0]) == "walmart_recon.csv, line 10: Amount 'not-a-number' is not an amount"


def test_amazon_bad_rows_are_data_and_the_rest_is_read() -> None:
    data = (DATA / "amazon_v2.tsv").read_bytes().splitlines(keepends=True)
    row = "{}\t\t\t\t\t\tOrder\tX\t\t\t\t\tItemPrice\tPrincipal\t{}\t\t2026-11-05\n"
    bad = [row.format("12345678901", "abc").encode(), b"\xff\xfe broken\n", row.format("99999", "1").encode()]
    found = events("amazon", b"".join([*data[:4], *bad, *data[4:]]), "a.tsv")
    problems = [e for e in found if isinstance(e, RowProblem)]
    assert [(p.line_no, p.message) for p in problems] == [
        (5, "amount 'abc' is not an amount"),
        (6, "not UTF-8 text"),
        (7, "settlement-id '99999' is not the summary's '12345678901'"),
    ]
    assert len(lines_of(found)) == 15


@pytest.mark.parametrize(
    ("channel", "data", "message"),
    [
        ("amazon", b"", "file, line 1: empty file"),
        ("amazon", b"a\tb\n", "file, line 1: not an Amazon V2 flat-file settlement report: no column settlement-id"),
        ("walmart", b"x,y\n1,2\n", "file, line 1: not a Walmart reconciliation report"),
        ("shopify", b"[1, 2]", "file, line 1: not a Shopify payout"),
        ("shopify", b'{"payout": {"id": 1, "currency": "USD", "amount": "1"},\n"transactions": [{"id": 1,', "line 2"),
        ("shopify", b'{"transactions": []}', "needs both 'payout' and 'transactions'"),
    ],
)
def test_unreadable_files_raise_naming_file_and_line(channel: str, data: bytes, message: str) -> None:
    with pytest.raises(SettlementFileError, match=message.replace("(", r"\(")):
        events(channel, data)


def test_shopify_reads_transactions_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 7)  # every value is cut somewhere
    found = events("shopify", (DATA / "shopify_payout.json").read_bytes())
    assert len(lines_of(found)) == 6


def _amazon_file(amounts: list[Decimal]) -> bytes:
    header = "settlement-id\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t" \
             "amount-description\tamount\tposted-date\n"  # fmt: skip
    rows = [f"S1\t2026-11-17\t{sum(amounts, Decimal(0))}\tEUR\t\t\t\t\t\t\n"]
    rows += [f"S1\t\t\t\tOrder\tO-{i % 7}\tItemPrice\tPrincipal\t{a}\t05.11.2026\n" for i, a in enumerate(amounts)]
    return (header + "".join(rows)).encode()


AMOUNTS = st.lists(st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False), max_size=60)


@settings(max_examples=60, deadline=None)
@given(AMOUNTS)
def test_amazon_lines_sum_to_the_deposit(amounts: list[Decimal]) -> None:
    found = events("amazon", _amazon_file(amounts))
    summary = found[0]
    assert isinstance(summary, SettlementSummary)
    assert sum((p.line.amount for p in lines_of(found)), Decimal(0)) == summary.total_amount
    assert len(lines_of(found)) == len(amounts)


@settings(max_examples=40, deadline=None)
@given(AMOUNTS, st.lists(st.decimals(min_value=0, max_value=50, places=2, allow_nan=False), max_size=60))
def test_shopify_lines_sum_to_the_transactions_net(amounts: list[Decimal], fees: list[Decimal]) -> None:
    transactions = [
        {"id": i + 1, "type": "charge", "payout_id": 9, "currency": "USD", "amount": str(a),
         "fee": str(fees[i] if i < len(fees) else 0), "processed_at": "2026-11-15T10:00:00Z", "source_order_id": 7}
        for i, a in enumerate(amounts)
    ]  # fmt: skip
    net = sum((Decimal(t["amount"]) - Decimal(t["fee"]) for t in transactions), Decimal(0))
    body = {
        "transactions": transactions,
        "payout": {"id": 9, "currency": "USD", "amount": str(net), "date": "2026-11-18"},
    }
    found = events("shopify", json.dumps(body, indent=1).encode())
    assert sum((p.line.amount for p in lines_of(found)), Decimal(0)) == net
