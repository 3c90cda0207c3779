"""Real 810 invoices in ../shared/corpus/x12 (skipped when there are none): crossdock's 810 map accepts
them, crossdock's invoice arithmetic gives the total they state, and the 810 crossdock writes for the
same lines is valid by the same map.

Each set is read with crossdock's reader; its IT1 lines (quantity, unit, price, the first product id)
become canonical invoice lines, and the total of those lines must be the set's TDS01 (in cents) when the
set has no allowance, charge or tax (SAC, TXI) to add.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.canonical.invoice import Invoice, InvoiceLine
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import TransactionSet, X12Reader
from crossdock.edi.translate import render
from crossdock.edi.validate import validate
from tests.conftest import CORPUS

X12_DIR = CORPUS / "x12"
FILES = sorted(p for p in X12_DIR.rglob("*") if p.is_file() and b"ST*810*" in p.read_bytes()) if X12_DIR.is_dir() \
    else []  # fmt: skip
# Sets whose stated total is not the sum of their lines, and why (the sample is wrong, not the rule).
WRONG_TOTALS = {
    ("staedi__simple810.edi", "000000002"): "TDS*255438 repeats the first set's total; its lines make 1851.00",
}
PROFILE = PartnerProfile(name="buyer", sender_id="CROSSDOCK", receiver_id="BUYER01")


def _invoice(ts: TransactionSet) -> tuple[Invoice, Decimal | None, bool]:
    """The set as a canonical invoice, its stated TDS01 total, and whether it has charges besides lines."""
    lines: list[InvoiceLine] = []
    total: Decimal | None = None
    charges = False
    big = next(seg for seg in ts.segments if seg.id == "BIG")
    for seg in ts.segments:
        if seg.id == "IT1":
            ids = dict(zip(seg.elements[6::2], seg.elements[7::2], strict=False))
            lines.append(InvoiceLine(line_number=seg[1] or str(len(lines) + 1), quantity=Decimal(seg[2]),
                                     unit_of_measure=seg[3], unit_price=Decimal(seg[4]),
                                     sku=next(iter(ids.values()), None)))  # fmt: skip
        elif seg.id == "TDS":
            total = Decimal(seg[1]).scaleb(-2)
        elif seg.id in ("SAC", "TXI"):
            charges = True
    day = date(int(big[1][:4]), int(big[1][4:6]), int(big[1][6:8]))
    invoice = Invoice(external_ref=big[2], invoice_number=big[2], invoiced_at=day, channel="edi",
                      order_ref=big[4] or big[2], shipment_id=big[2], lines=lines)  # fmt: skip
    return invoice, total, charges


@pytest.mark.skipif(not FILES, reason=f"no 810 in {X12_DIR}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_810s_validate_add_up_and_render_back_valid(path: Path) -> None:
    data = path.read_bytes()
    report = validate(data, source=path.name)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    sets = [ts for ts in X12Reader(io.BytesIO(data)).transaction_sets() if ts.set_id == "810"]
    assert sets
    for ts in sets:
        invoice, stated, charges = _invoice(ts)
        wrong = WRONG_TOTALS.get((path.name, ts.control_number))
        if stated is not None and not charges:
            assert (invoice.total == stated) is (wrong is None), wrong or f"{path.name} ST {ts.control_number}"
        ours = render("810", invoice, PROFILE, InMemoryControlNumbers(), now=datetime(2026, 11, 24, tzinfo=UTC))
        assert validate(ours).valid
