"""X12 810 Invoice from a canonical :class:`~crossdock.canonical.invoice.Invoice` (outbound only: crossdock
bills B2B buyers; it reads no 810s).

Written::

    BIG  invoice date, the ERP's invoice number, PO date, PO number
    CUR  SE and the currency (when not USD)
    REF  SI (the shipment), VN (crossdock's invoice reference)
    N1   loops for the invoice's parties (bill-to BT, ship-to ST, buyer BY, seller SE ...)
    DTM  011 shipped
    IT1  line number, quantity billed, unit of measure, unit price, then GTIN (UP/EN/UK), SK, VN, BP ids
      TXI  each line tax: type, amount, rate (decimal: 0.0625)
      PID  F description
      SAC  A C310 each line discount
    TDS  the invoice total in cents (lines net of discounts, less order discounts, plus shipping and taxes)
    TXI  order-level taxes
    CAD  carrier SCAC, first tracking number (2I)
    SAC  A C310 each order discount; C D240 the shipping charge
    CTT  number of IT1 lines

Channel fees are not written: they are the seller's cost, not the buyer's. A line without a unit price
(one the ERP priced from its own order) cannot be billed in an 810: a :class:`~crossdock.errors.MappingError`.
"""

from __future__ import annotations

from decimal import Decimal

from crossdock.canonical.invoice import Invoice, InvoiceLine
from crossdock.canonical.order import Tax
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, parties, values
from crossdock.edi.sets.mapping import mapping_error

FUNCTIONAL_ID = "IN"
DISCOUNT = "C310"
FREIGHT = "D240"
TAX_TYPES = {"sales": "ST", "state": "ST", "vat": "VA", "gst": "GS", "city": "CT", "county": "CP", "local": "LS"}
"""Canonical tax kinds -> TXI01 tax type codes; any other kind is ``TX`` (all taxes)."""


def _tax(tax: Tax) -> Segment:
    return values.tax_segment(tax, TAX_TYPES.get(tax.kind.lower(), "TX"))


def _sac(indicator: str, code: str, amount: Decimal, where: str) -> Segment:
    try:
        implied = values.format_implied(amount.quantize(Decimal("0.01")))
    except ValueError as exc:
        raise mapping_error("810 amount", where, "amount", str(exc)) from exc
    return Segment.of("SAC", indicator, code, None, None, implied)


def _line(line: InvoiceLine, position: int) -> list[Segment]:
    where = f"IT1[{position}]"
    if line.unit_price is None:
        raise mapping_error("810 needs a price", f"{where}/IT104", f"lines[{position}].unit_price",
                            f"line {line.line_number} has no unit price (the ERP priced it)")  # fmt: skip
    ids: list[str | None] = []
    if line.gtin:
        ids += [items.gtin_qualifier(line.gtin), line.gtin]
    for qualifier, value in (("SK", line.sku), ("VN", line.vendor_part_number), ("BP", line.buyer_part_number)):
        if value:
            ids += [qualifier, value]
    out = [Segment.of("IT1", line.line_number, values.format_decimal(line.quantity), line.unit_of_measure,
                      values.format_decimal(line.unit_price), None, *ids)]  # fmt: skip
    out += [_tax(tax) for tax in line.taxes]  # TXI comes before the PID loop in the IT1 loop
    if line.description:
        out.append(Segment.of("PID", "F", None, None, None, line.description[:80]))
    out += [_sac("A", DISCOUNT, d.amount, f"{where}/SAC") for d in line.discounts]
    return out


def from_canonical(invoice: Invoice) -> list[Segment]:
    """The 810 body for ``invoice``; it must carry the ERP's invoice number."""
    if not invoice.invoice_number:
        raise mapping_error("810 needs the invoice number", "BIG/BIG02", "invoice_number", "not posted yet")
    order_date = values.format_date(invoice.order_date) if invoice.order_date else None
    body = [Segment.of("BIG", values.format_date(invoice.invoiced_at), invoice.invoice_number, order_date,
                       invoice.order_ref)]  # fmt: skip
    if invoice.currency != "USD":
        body.append(Segment.of("CUR", "SE", invoice.currency))
    body += [Segment.of("REF", "SI", invoice.shipment_id), Segment.of("REF", "VN", invoice.external_ref)]
    for party in invoice.parties:
        body += parties.loop_segments(party, parties.RETAIL)
    if invoice.shipped_at is not None:
        body.append(Segment.of("DTM", "011", values.format_date(invoice.shipped_at)))
    for position, line in enumerate(invoice.lines, 1):
        body += _line(line, position)
    body.append(Segment.of("TDS", values.format_implied(invoice.total)))
    body += [_tax(tax) for tax in invoice.taxes]
    if invoice.carrier_scac:
        tracking = invoice.tracking_numbers[:1]
        body.append(Segment.of("CAD", None, None, None, invoice.carrier_scac, None, None,
                               "2I" if tracking else None, *tracking))  # fmt: skip
    body += [_sac("A", DISCOUNT, d.amount, "SAC") for d in invoice.discounts]
    if invoice.shipping_charge:
        body.append(_sac("C", FREIGHT, invoice.shipping_charge, "SAC"))
    body.append(Segment.of("CTT", str(len(invoice.lines))))
    return body
