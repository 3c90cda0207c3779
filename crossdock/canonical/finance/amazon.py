"""Amazon's V2 flat-file settlement report (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``), read line
by line: memory stays flat whatever the file's size.

The file is tab-separated, one header row, then a summary row (settlement id, start and end dates,
deposit date, total amount, currency; the other columns empty), then one row per amount:
``transaction-type`` (Order, Refund, Chargeback Refund, other-transaction, ...), ``amount-type``
(ItemPrice, ItemFees, ItemWithheldTax, Promotion, ...), ``amount-description`` (Principal, Shipping,
Tax, Commission, FBAPerUnitFulfillmentFee, ...), ``amount``, ``posted-date``. Each amount row becomes one
:class:`SettlementLine` whose ``line_id`` is its line number in the file (stable when the same file is
imported again).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
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

COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)  # fmt: skip
REQUIRED = (
    "settlement-id", "transaction-type", "order-id", "amount-type", "amount-description", "amount", "posted-date",
)  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S UTC", "%d.%m.%Y %H:%M:%S UTC", "%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y")

_FULFILLMENT = ("fba", "fulfillment", "storage", "pick", "pack", "weight")
_TAX = ("tax",)
_SHIPPING = ("shipping", "giftwrap")


@lru_cache(maxsize=1024)  # a report uses a few dozen combinations, repeated on every line
def kind_of(transaction_type: str, amount_type: str, description: str) -> SettlementKind:
    """Amazon's (transaction-type, amount-type, amount-description) as a canonical line kind."""
    transaction, amount, what = transaction_type.lower(), amount_type.lower(), description.lower()
    if "chargeback" in transaction or "guarantee" in transaction or "a-to-z" in transaction:
        return SettlementKind.CHARGEBACK
    if "reserve" in transaction or "reserve" in what:
        return SettlementKind.RESERVE
    if transaction == "refund":
        return SettlementKind.REFUND
    if amount in ("itemfees", "itemfee") or "fee" in amount:
        if any(word in what for word in _FULFILLMENT):
            return SettlementKind.FULFILLMENT_FEE
        return SettlementKind.COMMISSION
    if amount == "itemwithheldtax" or any(word in what for word in _TAX):
        return SettlementKind.TAX
    if amount in ("itemprice", "promotion"):
        return SettlementKind.SHIPPING if any(word in what for word in _SHIPPING) else SettlementKind.PRINCIPAL
    if "fee" in what or "subscription" in what:
        return SettlementKind.FULFILLMENT_FEE if any(w in what for w in _FULFILLMENT) else SettlementKind.COMMISSION
    return SettlementKind.ADJUSTMENT


def _lines(stream: IO[bytes], source: str) -> Iterator[tuple[int, str | None, bytes]]:
    for line_no, raw in enumerate(stream, 1):
        try:
            yield line_no, raw.decode("utf-8-sig" if line_no == 1 else "utf-8").rstrip("\r\n"), raw
        except UnicodeDecodeError:
            yield line_no, None, raw


def parse(stream: IO[bytes], source: str) -> Iterator[SettlementEvent]:
    """The summary, then each amount row as a :class:`ParsedLine` or a :class:`RowProblem`."""
    rows = _lines(stream, source)
    first = next(rows, None)
    if first is None or first[1] is None:
        raise SettlementFileError("empty file, or its header is not UTF-8 text", source=source, line=1)
    header = [name.strip().lower() for name in first[1].split("\t")]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise SettlementFileError(
            f"not an Amazon V2 flat-file settlement report: no column {', '.join(missing)}", source=source, line=1
        )
    at = {name: header.index(name) for name in COLUMNS if name in header}
    width = len(header)
    summary: SettlementSummary | None = None
    for line_no, text, raw in rows:
        if text is None:
            yield RowProblem(source, line_no, "not UTF-8 text", raw[:MAX_ROW_TEXT].decode("latin-1"))
            continue
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        try:
            if summary is None:
                summary = _summary(cells, at)
                yield summary
                continue
            yield ParsedLine(_line(cells, at, summary, line_no), source, line_no)
        except (RowError, ValueError) as exc:
            yield RowProblem(source, line_no, reason(exc), text[:MAX_ROW_TEXT])
    if summary is None:
        raise SettlementFileError("no settlement summary row after the header", source=source, line=2)


def _cell(cells: list[str], at: dict[str, int], name: str) -> str:
    index = at.get(name)
    return cells[index].strip() if index is not None else ""


def _summary(cells: list[str], at: dict[str, int]) -> SettlementSummary:
    settlement_id = _cell(cells, at, "settlement-id")
    total = _cell(cells, at, "total-amount")
    if not settlement_id or not total or _cell(cells, at, "transaction-type"):
        raise RowError("the first row after the header must be the settlement summary (settlement-id, total-amount)")
    return SettlementSummary(
        channel=Channel.AMAZON,
        settlement_id=settlement_id,
        currency=_cell(cells, at, "currency"),
        total_amount=money(total, "total-amount"),
        start_date=day(_cell(cells, at, "settlement-start-date"), "settlement-start-date", DATE_FORMATS),
        end_date=day(_cell(cells, at, "settlement-end-date"), "settlement-end-date", DATE_FORMATS),
        deposit_date=day(_cell(cells, at, "deposit-date"), "deposit-date", DATE_FORMATS),
    )


def _line(cells: list[str], at: dict[str, int], summary: SettlementSummary, line_no: int) -> SettlementLine:
    settlement_id = _cell(cells, at, "settlement-id")
    if settlement_id != summary.settlement_id:
        raise RowError(f"settlement-id {settlement_id[:40]!r} is not the summary's {summary.settlement_id!r}")
    transaction = _cell(cells, at, "transaction-type")
    amount_type = _cell(cells, at, "amount-type")
    description = _cell(cells, at, "amount-description")
    if not transaction:
        raise RowError("transaction-type is empty")
    posted = _cell(cells, at, "posted-date-time") or _cell(cells, at, "posted-date")
    return SettlementLine(
        channel=Channel.AMAZON,
        settlement_id=settlement_id,
        line_id=str(line_no),
        kind=kind_of(transaction, amount_type, description),
        order_external_id=_cell(cells, at, "order-id") or None,
        sku=_cell(cells, at, "sku") or None,
        description=f"{transaction}/{amount_type}/{description}"[:200],
        amount=money(_cell(cells, at, "amount"), "amount"),
        currency=_cell(cells, at, "currency") or summary.currency,
        posted_at=timestamp(posted, "posted-date", DATE_FORMATS),
        deposit_date=summary.deposit_date,
    )
