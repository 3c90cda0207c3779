"""ChangeSalesOrder in the simulated ERP: new quantities for lines of an open order (0: the line is
cancelled), new lines added.

A change states quantities, never differences, so the same change applied twice leaves the same order
(a retried or replayed call changes nothing more). A line is found by ``LineNo`` when the change gives
one, else by ``ItemNo`` (the order's first line with that item); a line the order does not have is
added. With ``ReplaceLines`` true the change is the whole order: a line it does not name is cancelled
(its quantity set to what has shipped of it). Refused with ``STATUS_ERROR``: a change to a cancelled,
invoiced or fully shipped order. Refused with ``VALIDATION``: a quantity below what has shipped of the
line. An order whose every line ends at quantity 0 is cancelled.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim import charges
from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader
from crossdock.soap.sim.sales import check_item, find_order


def _lines(db: sqlite3.Connection, document_no: str) -> list[sqlite3.Row]:
    return db.execute("SELECT * FROM sales_line WHERE document_no = ? ORDER BY line_no", (document_no,)).fetchall()


def _check_changeable(db: sqlite3.Connection, order: sqlite3.Row) -> None:
    document_no = order["document_no"]
    if order["status"] in ("Cancelled", "Invoiced"):
        message = f"Sales Order {document_no} cannot be changed because its Status is {order['status']}."
        raise SimFault("STATUS_ERROR", message, "Change.DocumentNo")
    lines = _lines(db, document_no)
    shipped = any(Decimal(line["shipped"]) > 0 for line in lines)
    outstanding = any(Decimal(line["quantity"]) > Decimal(line["shipped"]) for line in lines)
    if shipped and not outstanding:
        message = f"Sales Order {document_no} cannot be changed because it is fully shipped."
        raise SimFault("STATUS_ERROR", message, "Change.DocumentNo")


def _find_line(db: sqlite3.Connection, document_no: str, line: Reader, item_no: str) -> sqlite3.Row | None:
    text = line.text("LineNo")
    if text is None:
        found: sqlite3.Row | None = db.execute(
            "SELECT * FROM sales_line WHERE document_no = ? AND item_no = ? ORDER BY line_no", (document_no, item_no)
        ).fetchone()
        return found
    found = db.execute(
        "SELECT * FROM sales_line WHERE document_no = ? AND line_no = ?", (document_no, int(text))
    ).fetchone()
    if found is not None and found["item_no"] != item_no:
        message = f"Line {text} of Sales Order {document_no} is Item {found['item_no']}, not Item {item_no}."
        raise SimFault("VALIDATION", message, f"{line.where}ItemNo")
    return found


def _apply(db: sqlite3.Connection, document_no: str, line: Reader) -> int | None:
    """Apply one change line; the number of the line it set (``None``: nothing to cancel)."""
    item_no = line.required("ItemNo")
    quantity = line.decimal("Quantity", required=True)
    assert quantity is not None
    if quantity < 0:
        raise SimFault("VALIDATION", f"{line.where}Quantity must not be negative.", f"{line.where}Quantity")
    price = line.decimal("UnitPrice")
    row = _find_line(db, document_no, line, item_no)
    if row is None:
        if quantity == 0:
            return None  # cancelling a line the order does not have: nothing to do
        item = check_item(db, item_no, f"{line.where}ItemNo")
        text = line.text("LineNo")
        (last,) = db.execute("SELECT COALESCE(MAX(line_no), 0) FROM sales_line WHERE document_no = ?",
                             (document_no,)).fetchone()  # fmt: skip
        number = int(text) if text is not None else last + 1
        db.execute(
            "INSERT INTO sales_line (document_no, line_no, item_no, quantity, unit_price) VALUES (?, ?, ?, ?, ?)",
            (document_no, number, item_no, str(quantity), str(price or Decimal(item["unit_price"]))),
        )
        return number
    shipped = Decimal(row["shipped"])
    if quantity < shipped:
        message = f"Quantity {quantity} of Item {item_no} is less than the {shipped} already shipped."
        raise SimFault("VALIDATION", message, f"{line.where}Quantity")
    db.execute(
        "UPDATE sales_line SET quantity = ?, unit_price = ? WHERE document_no = ? AND line_no = ?",
        (str(quantity), str(price if price is not None else row["unit_price"]), document_no, row["line_no"]),
    )
    return int(row["line_no"])


def change_sales_order(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    change = Reader(request.children("Change")[0].element, "Change.")
    order = find_order(db, change.required("DocumentNo"), "Change.DocumentNo")
    document_no = order["document_no"]
    external = change.text("ExternalDocumentNo")
    if external is not None and external != order["external_document_no"]:
        known = order["external_document_no"]
        message = f"Sales Order {document_no} has External Document No. {known}, not {external}."
        raise SimFault("VALIDATION", message, "Change.ExternalDocumentNo")
    _check_changeable(db, order)
    named = {number for line in change.children("Lines/Line") if (number := _apply(db, document_no, line)) is not None}
    if change.text("ReplaceLines") in ("true", "1"):
        for row in _lines(db, document_no):
            if row["line_no"] not in named:
                db.execute("UPDATE sales_line SET quantity = shipped WHERE document_no = ? AND line_no = ?",
                           (document_no, row["line_no"]))  # fmt: skip
    lines = _lines(db, document_no)
    amount = charges.order_amount(db, document_no)
    status = "Cancelled" if all(Decimal(line["quantity"]) == 0 for line in lines) else order["status"]
    db.execute("UPDATE sales_order SET amount = ?, status = ? WHERE document_no = ?",
               (str(amount), status, document_no))  # fmt: skip
    return {"DocumentNo": document_no, "Status": status, "Amount": amount}
