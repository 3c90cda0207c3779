"""Walmart Marketplace's reconciliation report (the recon report CSV), read row by row.

One header row, then one row per amount. Every row repeats the settlement period (``Period Start
Date``, ``Period End Date``), ``Total Payable`` and ``Currency``; a ``PaymentSummary`` row may state the
deposit. The settlement id is the period's end date (``2026-11-20``): Walmart pays one settlement per
period. ``Transaction Type`` (SALE, REFUNDED, ADJUSTMENT, CHARGEBACK, RESERVE, ...) and ``Amount Type``
(Product Price, Product tax, Shipping Price, Commission on Product, Walmart Fulfillment Services Fee,
...) decide a line's kind; ``Transaction Key`` plus the row's line number is its id.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

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

REQUIRED = ("Period End Date", "Total Payable", "Currency", "Transaction Type", "Amount", "Amount Type")
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d")
SUMMARY_TYPES = frozenset({"paymentsummary", "payment summary"})


def kind_of(transaction_type: str, amount_type: str) -> SettlementKind:
    transaction, amount = transaction_type.lower(), amount_type.lower()
    if "chargeback" in transaction or "dispute" in transaction:
        return SettlementKind.CHARGEBACK
    if "reserve" in transaction or "reserve" in amount:
        return SettlementKind.RESERVE
    if transaction.startswith("refund"):
        return SettlementKind.REFUND
    if transaction.startswith("adj"):
        return SettlementKind.ADJUSTMENT
    if "commission" in amount:
        return SettlementKind.COMMISSION
    if "fulfillment" in amount or "wfs" in amount:
        return SettlementKind.FULFILLMENT_FEE
    if "tax" in amount:
        return SettlementKind.TAX
    if "shipping" in amount:
        return SettlementKind.SHIPPING
    if transaction == "sale" and "price" in amount:
        return SettlementKind.PRINCIPAL
    if "fee" in amount:
        return SettlementKind.COMMISSION
    return SettlementKind.ADJUSTMENT


def parse(stream: IO[bytes], source: str) -> Iterator[SettlementEvent]:
    """A summary (from the first row that names the period), then each amount row as a line or a problem."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise SettlementFileError("empty file or no CSV header row", source=source, line=1) from exc
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise SettlementFileError(
            f"not a Walmart reconciliation report: no column {', '.join(missing)}", source=source, line=1
        )
    at = {name: i for i, name in enumerate(header)}
    summary: SettlementSummary | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RowProblem(source, reader.line_num, f"not CSV: {exc}", "")
            continue
        line_no = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        try:
            if summary is None:
                summary = _summary(cells, at)
                yield summary
            transaction = _cell(cells, at, "Transaction Type")
            if transaction.lower() in SUMMARY_TYPES:
                continue
            yield ParsedLine(_line(cells, at, summary, line_no), source, line_no)
        except (RowError, ValueError) as exc:
            yield RowProblem(source, line_no, reason(exc), ",".join(cells)[:MAX_ROW_TEXT])
    if summary is None:
        raise SettlementFileError("no rows after the header", source=source, line=2)


def _cell(cells: list[str], at: dict[str, int], name: str) -> str:
    index = at.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _summary(cells: list[str], at: dict[str, int]) -> SettlementSummary:
    end = day(_cell(cells, at, "Period End Date"), "Period End Date", DATE_FORMATS)
    if end is None:
        raise RowError("Period End Date is empty: the settlement cannot be named")
    return SettlementSummary(
        channel=Channel.WALMART,
        settlement_id=end.isoformat(),
        currency=_cell(cells, at, "Currency"),
        total_amount=money(_cell(cells, at, "Total Payable"), "Total Payable"),
        start_date=day(_cell(cells, at, "Period Start Date"), "Period Start Date", DATE_FORMATS),
        end_date=end,
        deposit_date=end,
    )


def _line(cells: list[str], at: dict[str, int], summary: SettlementSummary, line_no: int) -> SettlementLine:
    end = day(_cell(cells, at, "Period End Date"), "Period End Date", DATE_FORMATS)
    if end is not None and end.isoformat() != summary.settlement_id:
        raise RowError(f"Period End Date {end} is not the report's period ({summary.settlement_id})")
    transaction = _cell(cells, at, "Transaction Type")
    amount_type = _cell(cells, at, "Amount Type")
    if not transaction:
        raise RowError("Transaction Type is empty")
    posted = _cell(cells, at, "Transaction Posted Timestamp") or summary.settlement_id
    key = _cell(cells, at, "Transaction Key")
    return SettlementLine(
        channel=Channel.WALMART,
        settlement_id=summary.settlement_id,
        line_id=f"{key}:{line_no}" if key else str(line_no),
        kind=kind_of(transaction, amount_type),
        order_external_id=_cell(cells, at, "Purchase Order #") or _cell(cells, at, "Customer Order #") or None,
        sku=_cell(cells, at, "Partner Item Id") or None,
        description=f"{transaction}/{amount_type}/{_cell(cells, at, 'Transaction Description')}"[:200],
        amount=money(_cell(cells, at, "Amount"), "Amount"),
        currency=_cell(cells, at, "Currency") or summary.currency,
        posted_at=timestamp(posted, "Transaction Posted Timestamp", DATE_FORMATS),
        deposit_date=summary.deposit_date,
    )
