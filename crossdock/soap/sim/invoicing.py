"""Invoices against a sales order in the simulated ERP: what may be billed, and finding an invoice again.

An invoice naming its ``OrderDocumentNo`` bills shipped quantities of that order: each line takes the
order's first line of that item with quantity shipped and not yet invoiced; more than that is refused
(``VALIDATION``: a second invoice for the same shipment under another reference is not posted). A line
without ``UnitPrice`` is priced as on the order. An order whose every line is invoiced as far as it was
ordered becomes ``Invoiced``. ``GetInvoiceByExternalRef`` finds a posted invoice by crossdock's reference,
so a retried call finds the first posting before it posts anything.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader
from crossdock.soap.sim.sales import find_order


def order_for_invoice(db: sqlite3.Connection, document: Reader, customer: str) -> sqlite3.Row | None:
    number = document.text("OrderDocumentNo")
    if number is None:
        return None
    order = find_order(db, number, f"{document.where}OrderDocumentNo")
    if order["customer_no"] != customer:
        message = f"Sales Order {number} is for Customer {order['customer_no']}, not {customer}."
        raise SimFault("VALIDATION", message, f"{document.where}CustomerNo")
    if order["status"] == "Cancelled":
        raise SimFault("STATUS_ERROR", f"Sales Order {number} is cancelled.", f"{document.where}OrderDocumentNo")
    return order


def bill_line(db: sqlite3.Connection, order: sqlite3.Row, line: Reader, item_no: str, quantity: Decimal) -> Decimal:
    """Take ``quantity`` of ``item_no`` off what is shipped and not invoiced on ``order``; its unit price."""
    document_no = order["document_no"]
    rows = db.execute(
        "SELECT line_no, shipped, invoiced, unit_price FROM sales_line WHERE document_no = ? AND item_no = ?"
        " AND CAST(shipped AS REAL) > CAST(invoiced AS REAL) ORDER BY line_no",
        (document_no, item_no),
    ).fetchall()
    if not rows:
        message = f"Item {item_no} of Sales Order {document_no} has no quantity shipped and not yet invoiced."
        raise SimFault("VALIDATION", message, f"{line.where}Quantity")
    row = rows[0]
    open_quantity = Decimal(row["shipped"]) - Decimal(row["invoiced"])
    if quantity > open_quantity:
        message = f"Quantity {quantity} exceeds the {open_quantity} of Item {item_no} shipped and not yet invoiced."
        raise SimFault("VALIDATION", message, f"{line.where}Quantity")
    db.execute(
        "UPDATE sales_line SET invoiced = ? WHERE document_no = ? AND line_no = ?",
        (str(Decimal(row["invoiced"]) + quantity), document_no, row["line_no"]),
    )
    return Decimal(row["unit_price"])


def close_if_invoiced(db: sqlite3.Connection, order: sqlite3.Row) -> None:
    lines = db.execute("SELECT quantity, invoiced FROM sales_line WHERE document_no = ?", (order["document_no"],))
    rows = lines.fetchall()
    if rows and all(Decimal(r["invoiced"]) >= Decimal(r["quantity"]) for r in rows):
        db.execute("UPDATE sales_order SET status = 'Invoiced' WHERE document_no = ?", (order["document_no"],))


def get_invoice_by_external_ref(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    external = request.required("ExternalDocumentNo")
    row = db.execute(
        "SELECT * FROM posted_document WHERE kind = 'invoice' AND external_document_no = ?", (external,)
    ).fetchone()
    customer = request.text("CustomerNo")
    if row is None or (customer and row["customer_no"] != customer):
        return {"Found": False}
    invoice = {
        "DocumentNo": row["document_no"],
        "ExternalDocumentNo": row["external_document_no"],
        "CustomerNo": row["customer_no"],
        "OrderDocumentNo": row["order_document_no"],
        "Amount": Decimal(row["amount"]),
    }
    return {"Found": True, "Invoice": invoice}
