"""Settlements: import a marketplace's settlement report, match its lines to crossdock's orders,
reconcile expected against paid, and post the journal entry to the ERP.

:func:`import_settlement` reads the file once, as a stream, in batches of :data:`BATCH` lines: each
batch's orders are looked up in the cross-references (``channel_order:<channel>:<id>``) in one query,
its new lines inserted in one statement (lines already in the book are skipped: a file imported twice
adds nothing), and the settlement linked to each matched order (so ``crossdock trace`` shows it).
Then each order's lines are summed in SQL and compared with crossdock's record of the order
(:func:`crossdock.canonical.finance.reconcile`). Finance exception items are opened for bad rows, lines
whose order crossdock does not know, differences above the tolerance and a short payment, each with its
lineage (settlement, order, file, line) and keyed so that a re-import re-parks into the same item.

:func:`post_settlement` posts the lines not yet posted as one journal entry whose reference is a hash
of those lines: the ERP call is made outside any transaction; the ERP answers the same reference with
the same document, and the lines then record the reference, so a crash between the two never posts
twice. Memory stays at one batch whatever the file's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.steps import Outgoing
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.finance import (
    FinanceConfig,
    ParsedLine,
    RowProblem,
    journal_entry,
    parser_for,
    posting_reference,
    reconcile,
)
from crossdock.canonical.settlement import SettlementKind, SettlementSummary
from crossdock.errors import Owner
from crossdock.store import DocRef, DocType, Store
from crossdock.store.finance_items import FinanceItem, open_finance_items
from crossdock.store.insert_ignore import insert_ignore_many
from crossdock.store.models import DocumentLinkRow
from crossdock.store.settlements import SettlementBook, business_key, from_e4, to_e4

if TYPE_CHECKING:  # the ERP port's module loads zeep: only posting needs it, and it is passed in
    from crossdock.actors.handlers.ports import FlowPorts
    from crossdock.bridges.soap import ErpPort

IMPORT_STEP = "settle.import"
RECONCILE_STEP = "settle.reconcile"
BATCH = 5_000
ORDER_CHUNK = 1_000
MAX_PROBLEM_ITEMS = 100
"""Bad rows beyond this many in one import go into one summary item (a garbage file must not open
200,000 items)."""
MAX_LINEAGE_LINES = 10
SETTLEMENT_LEVEL = frozenset(
    {SettlementKind.RESERVE, SettlementKind.COMMISSION, SettlementKind.FULFILLMENT_FEE, SettlementKind.ADJUSTMENT}
)
"""Kinds a line may have without an order: the settlement's own (reserve, subscription fee, ...)."""


@dataclass
class ImportResult:
    channel: str
    source: str
    settlements: list[str] = field(default_factory=list)
    lines_read: int = 0
    lines_new: int = 0
    lines_matched: int = 0
    bad_rows: int = 0
    unknown_orders: set[str] = field(default_factory=set, repr=False)
    """Orders the file names that crossdock does not know (exceptional: kept for the count)."""
    orders_reconciled: int = 0
    differences: int = 0
    short_payment: Decimal | None = None
    exception_items: set[int] = field(default_factory=set)
    summaries: list[SettlementSummary] = field(default_factory=list)
    lines_before: dict[str, int] = field(default_factory=dict, repr=False)
    """Lines each settlement had before this import (counted when it is first seen)."""

    @property
    def unmatched_orders(self) -> int:
        return len(self.unknown_orders)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel, "file": self.source, "settlements": self.settlements,
            "lines_read": self.lines_read, "lines_new": self.lines_new, "lines_matched": self.lines_matched,
            "bad_rows": self.bad_rows, "unmatched_orders": self.unmatched_orders,
            "orders_reconciled": self.orders_reconciled, "differences": self.differences,
            "short_payment": None if self.short_payment is None else str(self.short_payment),
            "exception_items": sorted(self.exception_items),
        }  # fmt: skip


def import_settlement(
    store: Store, stream: IO[bytes], *, source: str, channel: str, config: FinanceConfig, batch_size: int = BATCH
) -> ImportResult:
    """Read, match, store and reconcile one settlement report. A file that cannot be read at all raises
    :class:`~crossdock.canonical.finance.SettlementFileError` (a BusinessError owned by finance)."""
    parse = parser_for(channel)
    result = ImportResult(channel, source)
    summaries: dict[str, SettlementSummary] = {}
    pending: list[ParsedLine] = []
    problems = 0
    for event in parse(stream, source):
        if isinstance(event, SettlementSummary):
            summaries[event.settlement_id] = event
            with store.db.write() as s:
                SettlementBook.save_summary(s, event, source)
                if event.settlement_id not in result.lines_before:
                    result.lines_before[event.settlement_id] = SettlementBook.line_count(
                        s, channel, event.settlement_id
                    )
            result.settlements.append(event.settlement_id)
            result.summaries.append(event)
        elif isinstance(event, ParsedLine):
            pending.append(event)
            if len(pending) >= batch_size:
                _flush(store, channel, pending, result)
                pending = []
        elif isinstance(event, RowProblem):
            problems += 1
            _bad_row(store, channel, event, summaries, result, problems)
    if pending:
        _flush(store, channel, pending, result)
    result.bad_rows = problems
    for summary in summaries.values():
        with store.db.read() as s:
            after = SettlementBook.line_count(s, channel, summary.settlement_id)
        result.lines_new += after - result.lines_before.get(summary.settlement_id, 0)
        _reconcile(store, summary, config, result)
    return result


def _flush(store: Store, channel: str, batch: list[ParsedLine], result: ImportResult) -> None:
    result.lines_read += len(batch)
    by_settlement: dict[str, list[ParsedLine]] = defaultdict(list)
    for parsed in batch:
        by_settlement[parsed.line.settlement_id].append(parsed)
    with store.db.write() as s:
        for settlement_id, lines in by_settlement.items():
            if settlement_id not in result.lines_before:  # lines before their summary (a Shopify payout last)
                result.lines_before[settlement_id] = SettlementBook.line_count(s, channel, settlement_id)
            _flush_one(s, channel, settlement_id, lines, result)


def _flush_one(s: Session, channel: str, settlement_id: str, lines: list[ParsedLine], result: ImportResult) -> None:
    """Store one batch of a settlement's lines (those already stored are skipped), link the settlement to
    its known orders, and open (or re-park) an item per unknown order."""
    order_ids = {p.line.order_external_id for p in lines if p.line.order_external_id}
    known = SettlementBook.known_orders(s, channel, order_ids)
    rows: list[dict[str, Any]] = []
    unmatched: dict[str | None, list[ParsedLine]] = defaultdict(list)
    for parsed in lines:
        line = parsed.line
        order = line.order_external_id
        matched = order in known if order else line.kind in SETTLEMENT_LEVEL
        if matched:
            result.lines_matched += 1
        else:
            unmatched[order].append(parsed)
        rows.append({
            "channel": channel, "settlement_id": settlement_id, "line_id": line.line_id, "kind": line.kind.value,
            "order_id": order, "amount_e4": to_e4(line.amount), "currency": line.currency, "posted_at": line.posted_at,
            "description": line.description, "source": parsed.source[:500], "line_no": parsed.line_no,
            "matched": matched, "posting_ref": None,
        })  # fmt: skip
    SettlementBook.add_lines(s, rows)
    settlement = DocRef(DocType.SETTLEMENT, f"{channel}:{settlement_id}")
    links = []
    now = datetime.now(UTC)
    for order in sorted(known):
        a, b = sorted((settlement, DocRef(DocType.CHANNEL_ORDER, f"{channel}:{order}")))
        links.append({
            "a_type": a.doc_type, "a_id": a.doc_id, "a_line": a.line, "b_type": b.doc_type, "b_id": b.doc_id,
            "b_line": b.line, "message_id": None, "created_at": now,
        })  # fmt: skip
    if links:
        insert_ignore_many(s, DocumentLinkRow, links)
    key = business_key(channel, settlement_id)
    items = []
    for order, orphans in unmatched.items():
        if order is not None:
            result.unknown_orders.add(order)
        where = ", ".join(f"line {p.line_no}" for p in orphans[:MAX_LINEAGE_LINES])
        more = f" and {len(orphans) - MAX_LINEAGE_LINES} more" if len(orphans) > MAX_LINEAGE_LINES else ""
        total = sum((p.line.amount for p in orphans), Decimal(0))
        first = orphans[0].line
        what = f"order {order} is not one crossdock knows" if order else f"a {first.kind.value} line names no order"
        items.append(FinanceItem(
            idempotency_key=f"{key}:{order if order else 'line:' + first.line_id}", business_key=key,
            code="SETTLEMENT_UNMATCHED", error_class="UnmatchedSettlementLine", channel=channel,
            message=f"{channel} settlement {settlement_id}: {what} ({total} {first.currency}); "
            f"{orphans[0].source}, {where}{more}",
        ))  # fmt: skip
    if items:
        result.exception_items.update(open_finance_items(s, IMPORT_STEP, items))


def _bad_row(
    store: Store, channel: str, problem: RowProblem, summaries: dict[str, SettlementSummary], result: ImportResult,
    count: int,
) -> None:  # fmt: skip
    settlement = next(iter(summaries), None)
    key = business_key(channel, settlement) if settlement else f"settlement-file:{problem.source}"[:200]
    if count > MAX_PROBLEM_ITEMS:
        message = f"{problem.source}: more than {MAX_PROBLEM_ITEMS} bad rows; the latest: {problem}"
        idempotency = f"{key}:bad-rows:more"
    else:
        message = f"{problem}. Row: {problem.text}"
        idempotency = f"{key}:bad-row:{problem.source}:{problem.line_no}"
    item = store.exceptions.open(
        owner=Owner.FINANCE, error_class="SettlementRowError", code="SETTLEMENT_BAD_ROW", error_message=message,
        business_key=key, actor=IMPORT_STEP, idempotency_key=idempotency[:200], channel=channel,
    )  # fmt: skip
    result.exception_items.add(item)


OrderSums = list[tuple[str, dict[SettlementKind, Decimal]]]


def _reconcile(store: Store, summary: SettlementSummary, config: FinanceConfig, result: ImportResult) -> None:
    channel, settlement_id = summary.channel.value, summary.settlement_id
    key = business_key(channel, settlement_id)
    after = ""
    while True:
        with store.db.write() as s:
            page = SettlementBook.order_sums(s, channel, settlement_id, after=after, limit=ORDER_CHUNK)
            if not page:
                break
            chunk = [
                (order_id, {SettlementKind(k): from_e4(v) for k, v in sums.items()}) for order_id, sums in page.items()
            ]
            _reconcile_chunk(store, s, summary, chunk, config, result)
            after = max(page)
    with store.db.write() as s:
        lines_total = from_e4(SettlementBook.line_total_e4(s, channel, settlement_id))
        short = lines_total - summary.total_amount
        if short > config.tolerance:
            result.short_payment = short
            item = store.exceptions.open(
                owner=Owner.FINANCE, error_class="SettlementShortPayment", code="SETTLEMENT_SHORT_PAYMENT",
                error_message=f"{channel} settlement {settlement_id}: deposit {summary.total_amount} "
                f"{summary.currency} is {short} short of its lines' total {lines_total}",
                business_key=key, actor=RECONCILE_STEP, idempotency_key=f"{key}:short-payment", channel=channel,
                session=s,
            )  # fmt: skip
            result.exception_items.add(item)


def _reconcile_chunk(
    store: Store, s: Session, summary: SettlementSummary, chunk: OrderSums,
    config: FinanceConfig, result: ImportResult,
) -> None:  # fmt: skip
    channel, settlement_id = summary.channel.value, summary.settlement_id
    fees = config.fees_for(channel)
    key = business_key(channel, settlement_id)
    ids = [order_id for order_id, _ in chunk]
    records = store.settlements.order_records(s, channel, ids)
    refunded = [order_id for order_id, sums in chunk if SettlementKind.REFUND in sums]
    returns = SettlementBook.orders_with_returns(s, channel, refunded)
    rows = []
    items: list[FinanceItem] = []
    for order_id, sums in chunk:
        record = records.get(order_id)
        outcome = None
        if record is None:  # linked, but crossdock has no amounts for it: expect what was paid
            paid = sum(sums.values(), Decimal(0))
            expected, explanation = paid, "crossdock has no amounts for this order"
        else:
            outcome = reconcile(record, sums, fees, has_return=order_id in returns, tolerance=config.tolerance)
            expected, paid, explanation = outcome.expected_net, outcome.paid_net, outcome.summary()
        result.orders_reconciled += 1
        rows.append({
            "channel": channel, "settlement_id": settlement_id, "order_id": order_id,
            "expected_e4": to_e4(expected), "paid_e4": to_e4(paid), "explanation": explanation,
        })  # fmt: skip
        if outcome is not None and abs(outcome.difference) > config.tolerance:
            result.differences += 1
            short = "short payment" if outcome.difference < 0 else "overpayment"
            items.append(FinanceItem(
                idempotency_key=f"{key}:{order_id}", business_key=key, code="SETTLEMENT_DIFFERENCE",
                error_class="SettlementDifference", channel=channel,
                message=f"{channel} settlement {settlement_id}, order {order_id}: {short} of "
                f"{abs(outcome.difference)} {summary.currency} (expected {outcome.expected_net}, paid "
                f"{outcome.paid_net}): {outcome.summary()}",
            ))  # fmt: skip
    if items:
        result.exception_items.update(open_finance_items(s, RECONCILE_STEP, items))
    SettlementBook.replace_results(s, channel, settlement_id, rows)


@dataclass(frozen=True)
class PostResult:
    channel: str
    settlement_id: str
    reference: str | None
    document_no: str | None
    lines: int
    net: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "settlement": self.settlement_id, "reference": self.reference,
                "document_no": self.document_no, "lines_posted": self.lines, "net": str(self.net)}  # fmt: skip


def post_settlement(
    store: Store, erp: ErpPort, *, channel: str, settlement_id: str, config: FinanceConfig
) -> PostResult:
    """Post the settlement's lines not posted yet as one journal entry (nothing when all are)."""
    line_ids, sums = store.settlements.unposted(channel, settlement_id)
    net = sum(sums.values(), Decimal(0))
    if not line_ids:
        return PostResult(channel, settlement_id, None, None, 0, net)
    settlement = store.settlements.settlement(channel, settlement_id)
    posting_date = (settlement.deposit_date or settlement.end_date) if settlement else None
    reference = posting_reference(channel, settlement_id, line_ids)
    entry = journal_entry(
        channel=channel, settlement_id=settlement_id, sums=sums, accounts=config.accounts,
        posting_date=posting_date or datetime.now(UTC).date(), reference=reference, template=config.journal_template,
    )  # fmt: skip
    document_no = "-"
    if entry is not None:
        posted = erp.post_journal_entry(entry)
        document_no = str(posted.get("document_no") or "-")
    store.settlements.mark_posted(channel, settlement_id, reference, document_no, line_ids, net)
    return PostResult(channel, settlement_id, reference, document_no, len(line_ids), net)


def post_step(ports: FlowPorts, ctx: StepContext, document: SettlementSummary) -> list[Outgoing]:
    """``settlements.post``: post the settlement the message names; a redelivery posts nothing more."""
    post_settlement(
        ports.store, ports.erp, channel=document.channel.value, settlement_id=document.settlement_id,
        config=ports.finance,
    )  # fmt: skip
    return []


def post_message(summary: SettlementSummary) -> tuple[Envelope, SettlementSummary]:
    """The ``settlements.post`` message for a settlement, keyed by channel and settlement id."""
    key = f"settlement:{summary.channel.value}:{summary.settlement_id}"
    return Envelope(idempotency_key=key, source=IMPORT_STEP, document_type="settlement_summary"), summary
