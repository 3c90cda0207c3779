"""A Shopify Payments payout with its balance transactions, as the Admin API returns them:
``{"payout": {...}, "transactions": [...]}`` (the body of ``GET shopify_payments/payouts/{id}.json``
and that of ``GET shopify_payments/balance/transactions.json?payout_id={id}`` in one object, in either
order). The transactions are read one at a time.

Each transaction (``type``: charge, refund, dispute, reserve, adjustment, credit, debit, payout, ...)
gives a line for its ``amount`` and, when ``fee`` is not zero, a commission line for ``-fee``
(``line_id`` ``<id>`` and ``<id>:fee``). The ``payout`` transaction is the deposit itself, not a line.
``source_order_id`` is the order.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from crossdock.canonical.finance.json_stream import JsonStream
from crossdock.canonical.finance.rows import (
    MAX_ROW_TEXT,
    ParsedLine,
    RowError,
    RowProblem,
    SettlementEvent,
    SettlementFileError,
    day,
    money,
    reason,
    timestamp,
)
from crossdock.canonical.order import Channel
from crossdock.canonical.settlement import SettlementKind, SettlementLine, SettlementSummary

KINDS = {
    "charge": SettlementKind.PRINCIPAL,
    "refund": SettlementKind.REFUND,
    "dispute": SettlementKind.CHARGEBACK,
    "reserve": SettlementKind.RESERVE,
}
SKIPPED = frozenset({"payout"})
"""The payout's own transaction: the deposit, already the payout's amount."""


def parse(stream: IO[bytes], source: str) -> Iterator[SettlementEvent]:
    reader = JsonStream(stream, source)
    if reader.peek() != "{":
        raise reader.fail("not a Shopify payout: expected a JSON object with 'payout' and 'transactions'")
    summary: SettlementSummary | None = None
    seen_transactions = False
    for key in reader.members():
        if key == "payout":
            line = reader.line
            payout = reader.value()
            try:
                summary = _summary(payout)
            except (RowError, ValueError) as exc:
                raise SettlementFileError(f"payout: {reason(exc)}", source=source, line=line) from None
            yield summary
        elif key == "transactions":
            seen_transactions = True
            for line_no, item in reader.items():
                try:
                    yield from (ParsedLine(one, source, line_no) for one in _lines(item, summary))
                except (RowError, ValueError) as exc:
                    yield RowProblem(source, line_no, reason(exc), str(item)[:MAX_ROW_TEXT])
        else:
            reader.value()  # another member of the body (pagination links ...): not ours
    reader.end()
    if summary is None or not seen_transactions:
        raise SettlementFileError("a Shopify payout file needs both 'payout' and 'transactions'", source=source)


def _text(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    return "" if value is None else str(value).strip()


def _summary(payout: Any) -> SettlementSummary:
    if not isinstance(payout, dict):
        raise RowError("'payout' is not an object")
    payout_id = _text(payout, "id")
    if not payout_id:
        raise RowError("payout.id is missing")
    on = day(_text(payout, "date"), "payout.date", ("%Y-%m-%d",))
    return SettlementSummary(
        channel=Channel.SHOPIFY,
        settlement_id=payout_id,
        currency=_text(payout, "currency"),
        total_amount=money(_text(payout, "amount"), "payout.amount"),
        end_date=on,
        deposit_date=on,
    )


def _lines(item: Any, summary: SettlementSummary | None) -> list[SettlementLine]:
    if not isinstance(item, dict):
        raise RowError("a transaction is not an object")
    transaction_id = _text(item, "id")
    kind_text = _text(item, "type").lower()
    if not transaction_id or not kind_text:
        raise RowError("a transaction needs an id and a type")
    if kind_text in SKIPPED:
        return []
    payout_id = _text(item, "payout_id") or (summary.settlement_id if summary else "")
    if summary is not None and payout_id != summary.settlement_id:
        raise RowError(f"transaction {transaction_id} belongs to payout {payout_id}, not {summary.settlement_id}")
    if not payout_id:
        raise RowError(f"transaction {transaction_id} has no payout_id")
    common: dict[str, Any] = {
        "channel": Channel.SHOPIFY,
        "settlement_id": payout_id,
        "order_external_id": _text(item, "source_order_id") or None,
        "currency": _text(item, "currency") or (summary.currency if summary else ""),
        "posted_at": timestamp(_text(item, "processed_at"), "processed_at", ()),
        "deposit_date": summary.deposit_date if summary else None,
    }
    kind = KINDS.get(kind_text, SettlementKind.ADJUSTMENT)
    lines = [
        SettlementLine(
            line_id=transaction_id, kind=kind, amount=money(_text(item, "amount"), "amount"),
            description=f"{kind_text}/{_text(item, 'source_type')}"[:200], **common,
        )
    ]  # fmt: skip
    fee = money(_text(item, "fee") or "0", "fee")
    if fee != Decimal(0):
        lines.append(
            SettlementLine(
                line_id=f"{transaction_id}:fee", kind=SettlementKind.COMMISSION, amount=-fee,
                description=f"{kind_text}/fee", **common,
            )
        )  # fmt: skip
    return lines
