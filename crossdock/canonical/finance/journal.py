"""The journal entry for a batch of settlement lines: one line per kind to its account from the
account map (a positive sum is credited, a negative one debited), and the net to the bank clearing
account, so the entry always balances. ``reference`` is the ERP's external document number: the ERP
answers a second posting with the same reference with the first one's document."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from crossdock.canonical.finance.config import AccountMap
from crossdock.canonical.settlement import SettlementKind

REFERENCE_PREFIX = "STL-"


def posting_reference(channel: str, settlement_id: str, line_ids: Iterable[str]) -> str:
    """The same settlement and the same lines give the same reference (at most 35 characters, the ERP's
    limit), so a posting retried after a crash is recognised by the ERP."""
    digest = hashlib.sha256(f"{channel}\x1f{settlement_id}".encode())
    for line_id in sorted(line_ids):
        digest.update(b"\x1e" + line_id.encode())
    return REFERENCE_PREFIX + digest.hexdigest()[:28]


def journal_entry(
    *,
    channel: str,
    settlement_id: str,
    sums: Mapping[SettlementKind, Decimal],
    accounts: AccountMap,
    posting_date: date,
    reference: str,
    template: str | None = None,
) -> dict[str, Any] | None:
    """The entry as the ERP gateway's ``post_journal_entry`` takes it; ``None`` when every sum is zero."""
    label = f"{channel} settlement {settlement_id}"
    lines: list[dict[str, Any]] = []
    net = Decimal(0)
    for kind in SettlementKind:
        amount = sums.get(kind, Decimal(0))
        if amount == 0:
            continue
        net += amount
        side = "credit" if amount > 0 else "debit"
        lines.append({"account_no": accounts.account(kind), "description": f"{label}: {kind.value}"[:100],
                      side: abs(amount)})  # fmt: skip
    if not lines:
        return None
    if net != 0:
        side = "debit" if net > 0 else "credit"
        lines.append({"account_no": accounts.bank_clearing, "description": f"{label}: net"[:100], side: abs(net)})
    if len(lines) < 2:  # a lone kind netting to zero cannot happen; a lone line would not balance
        return None
    entry: dict[str, Any] = {"posting_date": posting_date, "external_document_no": reference, "lines": lines}
    if template:
        entry["template"] = template
    return entry
