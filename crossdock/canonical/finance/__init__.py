"""Finance, pure: marketplace settlement reports read into canonical lines (Amazon V2 flat file,
Shopify payouts, Walmart reconciliation reports), expected-against-paid per order, and the journal
entries a settlement posts. No IO here: parsers take a binary stream, callers open files.

Public surface: :func:`parser_for`, :data:`PARSERS`, the parse events (:class:`ParsedLine`,
:class:`RowProblem`, :class:`SettlementFileError`), :class:`FinanceConfig`, :func:`reconcile`,
:func:`order_record`, :func:`journal_entry`, :func:`posting_reference`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

from crossdock.canonical.finance import amazon, shopify, walmart
from crossdock.canonical.finance.config import AccountMap, ChannelFees, FinanceConfig
from crossdock.canonical.finance.journal import journal_entry, posting_reference
from crossdock.canonical.finance.reconcile import Explanation, OrderRecord, OrderResult, order_record, reconcile
from crossdock.canonical.finance.rows import ParsedLine, RowProblem, SettlementEvent, SettlementFileError

Parser = Callable[[IO[bytes], str], Iterator[SettlementEvent]]
PARSERS: dict[str, Parser] = {"amazon": amazon.parse, "shopify": shopify.parse, "walmart": walmart.parse}


def parser_for(channel: str) -> Parser:
    try:
        return PARSERS[channel]
    except KeyError:
        raise ValueError(f"no settlement report parser for {channel!r} (known: {', '.join(PARSERS)})") from None


__all__ = [
    "PARSERS",
    "AccountMap",
    "ChannelFees",
    "Explanation",
    "FinanceConfig",
    "OrderRecord",
    "OrderResult",
    "ParsedLine",
    "Parser",
    "RowProblem",
    "SettlementEvent",
    "SettlementFileError",
    "journal_entry",
    "order_record",
    "parser_for",
    "posting_reference",
    "reconcile",
]
