"""Taxes, discounts, shipping charges and channel fees in the simulated ERP, on sales orders and invoices.

A document's amount is its lines (quantity x unit price) less discounts, plus shipping and taxes; channel
fees are recorded but are the seller's cost, not the customer's. A line's charges are stated for the
quantity it was booked with: when a change sets another quantity, they count in proportion (a cancelled
line carries no tax). A ``TotalAmount`` the request states must match the amount the ERP computes, to the
cent: a dropped tax or a discount counted twice is an ``AMOUNT_MISMATCH`` fault, not a wrong order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader

TOLERANCE = Decimal("0.01")
DISCOUNT, TAX, SHIPPING, FEE = "discount", "tax", "shipping", "fee"
_SIGN = {DISCOUNT: Decimal(-1), TAX: Decimal(1), SHIPPING: Decimal(1), FEE: Decimal(0)}


@dataclass(frozen=True)
class Charge:
    kind: str
    amount: Decimal
    line_no: int | None = None
    base_quantity: Decimal | None = None
    code: str | None = None
    description: str | None = None
    rate: Decimal | None = None


def _amount(reader: Reader) -> Decimal:
    amount = reader.decimal("Amount", required=True)
    if amount is None or amount < 0:
        raise SimFault("VALIDATION", f"{reader.where}Amount must not be negative.", f"{reader.where}Amount")
    return amount


def line_charges(line: Reader, line_no: int, quantity: Decimal) -> list[Charge]:
    """The ``Discounts`` and ``Taxes`` of one line, stated for ``quantity``."""
    found = [
        Charge(DISCOUNT, _amount(d), line_no, quantity, d.text("Code"), d.text("Description"))
        for d in line.children("Discounts/Discount")
    ]
    found += [
        Charge(TAX, _amount(t), line_no, quantity, t.required("TaxType"), t.text("Jurisdiction"), t.decimal("Rate"))
        for t in line.children("Taxes/Tax")
    ]
    return found


def header_charges(document: Reader, fees: str = "ChannelFees/Fee") -> list[Charge]:
    """The document's own ``Discounts``, ``ShippingCharge``, ``Taxes`` and fees."""
    found = [Charge(DISCOUNT, _amount(d), code=d.text("Code"), description=d.text("Description"))
             for d in document.children("Discounts/Discount")]  # fmt: skip
    shipping = document.decimal("ShippingCharge")
    if shipping is not None:
        if shipping < 0:
            raise SimFault("VALIDATION", f"{document.where}ShippingCharge must not be negative.",
                           f"{document.where}ShippingCharge")  # fmt: skip
        found.append(Charge(SHIPPING, shipping))
    found += [Charge(TAX, _amount(t), code=t.required("TaxType"), description=t.text("Jurisdiction"),
                     rate=t.decimal("Rate")) for t in document.children("Taxes/Tax")]  # fmt: skip
    found += [Charge(FEE, _amount(f), code=f.required("FeeType")) for f in document.children(fees)]
    return found


def amount(lines: Iterable[tuple[int, Decimal, Decimal]], charges: Sequence[Charge]) -> Decimal:
    """Lines (number, quantity, unit price) less discounts plus shipping and taxes; a line's charges in
    proportion to its quantity now against the quantity they were stated for."""
    quantities: dict[int, Decimal] = {}
    total = Decimal(0)
    for number, quantity, price in lines:
        quantities[number] = quantity
        total += quantity * price
    for charge in charges:
        share = Decimal(1)
        if charge.line_no is not None:
            base = charge.base_quantity or Decimal(0)
            share = quantities.get(charge.line_no, Decimal(0)) / base if base else Decimal(0)
        total += _SIGN[charge.kind] * charge.amount * share
    return total.quantize(TOLERANCE)


def check_total(stated: Decimal | None, computed: Decimal, field: str) -> None:
    if stated is not None and abs(stated - computed) > TOLERANCE:
        message = f"The stated total {stated} does not match the document's amount {computed}."
        raise SimFault("AMOUNT_MISMATCH", message, field)


def store(db: sqlite3.Connection, document_no: str, charges: Iterable[Charge]) -> None:
    for c in charges:
        db.execute(
            "INSERT INTO document_charge (document_no, line_no, kind, code, description, rate, amount, base_quantity)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (document_no, c.line_no, c.kind, c.code, c.description, None if c.rate is None else str(c.rate),
             str(c.amount), None if c.base_quantity is None else str(c.base_quantity)),
        )  # fmt: skip


def stored(db: sqlite3.Connection, document_no: str) -> list[Charge]:
    rows = db.execute("SELECT * FROM document_charge WHERE document_no = ? ORDER BY rowid", (document_no,))
    return [_charge(row) for row in rows.fetchall()]


def _charge(row: sqlite3.Row) -> Charge:
    base, rate = row["base_quantity"], row["rate"]
    return Charge(
        row["kind"],
        Decimal(row["amount"]),
        row["line_no"],
        None if base is None else Decimal(base),
        row["code"],
        row["description"],
        None if rate is None else Decimal(rate),
    )


def order_amount(db: sqlite3.Connection, document_no: str) -> Decimal:
    """A sales order's amount as it stands now (after changes)."""
    rows = db.execute("SELECT line_no, quantity, unit_price FROM sales_line WHERE document_no = ?", (document_no,))
    lines = [(row["line_no"], Decimal(row["quantity"]), Decimal(row["unit_price"])) for row in rows.fetchall()]
    return amount(lines, stored(db, document_no))
