"""The 810 invoice crossdock writes for B2B buyers: what each segment carries, and that it is valid X12 by
crossdock's own 810 map in 004010 and 005010 (pyx12, crossdock.edi.validate)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.canonical.invoice import Invoice
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.sets import x810
from crossdock.edi.translate import render
from crossdock.edi.validate import validate
from crossdock.errors import MappingError

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)

INVOICE = Invoice.model_validate({
    "external_ref": "SHP-9",
    "invoice_number": "INV-001001",
    "invoiced_at": "2026-11-24",
    "channel": "edi",
    "order_ref": "PO-4471",
    "order_date": "2026-11-20",
    "shipment_id": "SHP-9",
    "shipped_at": "2026-11-24",
    "parties": [
        {"role": "bill_to", "name": "ACME RETAIL AP", "id_qualifier": "92", "id_code": "AP01"},
        {"role": "ship_to", "name": "STORE 12", "id_qualifier": "92", "id_code": "0012",
         "address": {"lines": ["1 Retail Way"], "city": "Columbus", "region": "OH", "postal_code": "43215",
                     "country": "US"}},
    ],
    "lines": [
        {"line_number": "1", "sku": "CD-TEE-BLK-M", "gtin": "012345678905", "buyer_part_number": "B-77",
         "description": "TEE SHIRT BLACK M", "quantity": 24, "unit_of_measure": "EA", "unit_price": "7.25",
         "discounts": [{"amount": "8.70"}], "taxes": [{"kind": "sales", "amount": "9.92", "rate": "0.0625"}]},
        {"line_number": "2", "sku": "CD-SOCK-6PK", "quantity": 10, "unit_price": "4.00"},
    ],
    "discounts": [{"code": "EARLY", "amount": "5.00"}],
    "shipping_charge": "12.50",
    "taxes": [{"kind": "shipping", "amount": "0.78"}],
    "fees": [{"kind": "edi_vas", "amount": "3.00"}],
    "carrier_scac": "UPSN",
    "tracking_numbers": ["1Z999AA10123456784"],
})  # fmt: skip


def _segments(body: list[object]) -> list[str]:
    return ["*".join(seg.elements).rstrip("*") for seg in body]  # type: ignore[attr-defined]


def test_the_810_carries_the_invoice_lines_charges_and_total() -> None:
    segments = _segments(x810.from_canonical(INVOICE))
    assert segments[0] == "BIG*20261124*INV-001001*20261120*PO-4471"
    assert "IT1*1*24*EA*7.25**UP*012345678905*SK*CD-TEE-BLK-M*BP*B-77" in segments
    assert "IT1*2*10*EA*4**SK*CD-SOCK-6PK" in segments
    assert "TXI*ST*9.92*6.25" in segments and "SAC*A*C310***870" in segments
    # 174 - 8.70 + 9.92 + 40 - 5 + 12.50 + 0.78 = 223.50; the channel fee is not the buyer's
    assert "TDS*22350" in segments
    summary = ["TXI*TX*0.78", "CAD****UPSN***2I*1Z999AA10123456784", "SAC*A*C310***500", "SAC*C*D240***1250", "CTT*2"]
    assert segments[-5:] == summary


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_a_rendered_810_validates_against_the_810_map(version: str) -> None:
    profile = PartnerProfile(name="acme", sender_id="CROSSDOCK", receiver_id="ACMERETAIL", version=version)
    data = render("810", INVOICE, profile, InMemoryControlNumbers(), now=NOW)
    report = validate(data)
    assert report.valid, [(i.segment_id, i.message) for i in report.all_issues() if i.is_error]
    assert b"GS*IN*" in data and b"ST*810*" in data


def test_a_broken_810_is_invalid_by_the_map() -> None:
    # The map is not a rubber stamp: an IT1 with a quantity and no price breaks IT1's P020304 note
    profile = PartnerProfile(name="acme", sender_id="CROSSDOCK", receiver_id="ACMERETAIL")
    data = render("810", INVOICE, profile, InMemoryControlNumbers(), now=NOW).replace(b"*7.25*", b"**", 1)
    assert not validate(data).valid


def test_an_unpriced_line_or_an_unposted_invoice_cannot_be_billed() -> None:
    unpriced = INVOICE.model_copy(update={"lines": [INVOICE.lines[0].model_copy(update={"unit_price": None})]})
    with pytest.raises(MappingError, match="no unit price"):
        x810.from_canonical(unpriced)
    with pytest.raises(MappingError, match="invoice number"):
        x810.from_canonical(INVOICE.model_copy(update={"invoice_number": None}))


def test_the_total_is_the_invoice_arithmetic() -> None:
    assert INVOICE.total == Decimal("223.50")
    assert INVOICE.invoiced_at == date(2026, 11, 24)
