"""Sales operations of the simulated ERP: create (idempotency-aware), look up, cancel, ship (changes:
:mod:`~crossdock.soap.sim.changes`)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim import charges
from crossdock.soap.sim.db import next_number, posted_before, record_posting
from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader


def check_customer(db: sqlite3.Connection, customer_no: str, field: str) -> None:
    row = db.execute("SELECT blocked FROM customer WHERE no = ?", (customer_no,)).fetchone()
    if row is None:
        raise SimFault("CUSTOMER_NOT_FOUND", f"Customer {customer_no} does not exist.", field)
    if row["blocked"]:
        raise SimFault("CUSTOMER_BLOCKED", f"Customer {customer_no} is blocked for all transactions.", field)


def check_item(db: sqlite3.Connection, item_no: str, field: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM item WHERE no = ?", (item_no,)).fetchone()
    if row is None:
        raise SimFault("ITEM_NOT_FOUND", f"Item {item_no} does not exist.", field)
    if row["blocked"]:
        raise SimFault("ITEM_BLOCKED", f"Item {item_no} is blocked.", field)
    return row


def check_location(db: sqlite3.Connection, code: str, field: str) -> None:
    if db.execute("SELECT 1 FROM location WHERE code = ?", (code,)).fetchone() is None:
        raise SimFault("LOCATION_NOT_FOUND", f"Location {code} does not exist.", field)


def positive(value: Decimal | None, field: str) -> Decimal:
    if value is None or value <= 0:
        raise SimFault("VALIDATION", f"{field} must be positive.", field)
    return value


def _header(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "DocumentNo": row["document_no"],
        "ExternalDocumentNo": row["external_document_no"],
        "CustomerNo": row["customer_no"],
        "OrderDate": row["order_date"],
        "Status": row["status"],
        "Amount": Decimal(row["amount"]),
    }


def create_sales_order(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    order = Reader(request.children("SalesOrder")[0].element, "SalesOrder.")
    external = order.required("ExternalDocumentNo")
    existing = db.execute("SELECT document_no FROM sales_order WHERE external_document_no = ?", (external,)).fetchone()
    if existing is not None:
        message = f"Sales Order {existing['document_no']} already exists with External Document No. {external}."
        raise SimFault("DUPLICATE_EXTERNAL_DOCUMENT_NO", message, "SalesOrder.ExternalDocumentNo")
    customer = order.required("CustomerNo")
    check_customer(db, customer, "SalesOrder.CustomerNo")
    location = order.text("LocationCode") or "MAIN"
    check_location(db, location, "SalesOrder.LocationCode")
    lines = order.children("SalesLines/SalesLine")
    document_no = next_number(db, "SO")
    booked: list[tuple[int, Decimal, Decimal]] = []
    found: list[charges.Charge] = []
    for number, line in enumerate(lines, 1):
        item = check_item(db, line.required("ItemNo"), f"{line.where}ItemNo")
        quantity = positive(line.decimal("Quantity", required=True), f"{line.where}Quantity")
        price = line.decimal("UnitPrice") or Decimal(item["unit_price"])
        booked.append((number, quantity, price))
        found += charges.line_charges(line, number, quantity)
        db.execute(
            "INSERT INTO sales_line (document_no, line_no, item_no, quantity, unit_price) VALUES (?, ?, ?, ?, ?)",
            (document_no, number, item["no"], str(quantity), str(price)),
        )
    found += charges.header_charges(order)
    amount = charges.amount(booked, found)
    charges.check_total(order.decimal("TotalAmount"), amount, "SalesOrder.TotalAmount")
    charges.store(db, document_no, found)
    db.execute(
        "INSERT INTO sales_order VALUES (?, ?, ?, ?, ?, 'Open', ?)",
        (document_no, external, customer, order.required("OrderDate"), location, str(amount)),
    )
    return {"DocumentNo": document_no, "Status": "Open", "Amount": amount}


def get_sales_order_by_external_ref(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    external = request.required("ExternalDocumentNo")
    row = db.execute("SELECT * FROM sales_order WHERE external_document_no = ?", (external,)).fetchone()
    customer = request.text("CustomerNo")
    if row is None or (customer and row["customer_no"] != customer):
        return {"Found": False}
    return {"Found": True, "SalesOrder": _header(row)}


def find_order(db: sqlite3.Connection, document_no: str, field: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM sales_order WHERE document_no = ?", (document_no,)).fetchone()
    if row is None:
        raise SimFault("DOCUMENT_NOT_FOUND", f"Sales Order {document_no} does not exist.", field)
    return row


def cancel_sales_order(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    document_no = request.required("DocumentNo")
    row = find_order(db, document_no, "DocumentNo")
    if row["status"] in ("Shipped", "Invoiced"):
        message = f"Sales Order {document_no} cannot be cancelled because its Status is {row['status']}."
        raise SimFault("STATUS_ERROR", message, "DocumentNo")
    db.execute("UPDATE sales_order SET status = 'Cancelled' WHERE document_no = ?", (document_no,))
    return {"DocumentNo": document_no, "Status": "Cancelled"}


def post_shipment(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    shipment = Reader(request.children("Shipment")[0].element, "Shipment.")
    order = find_order(db, shipment.required("OrderDocumentNo"), "Shipment.OrderDocumentNo")
    external = shipment.text("ExternalDocumentNo")
    earlier = posted_before(db, "shipment", external)
    if earlier is not None:  # a retried posting: the same shipment again, stock not taken twice
        return {"DocumentNo": earlier["document_no"]}
    if order["status"] == "Cancelled":
        raise SimFault("STATUS_ERROR", f"Sales Order {order['document_no']} is cancelled.", "Shipment.OrderDocumentNo")
    location = shipment.text("LocationCode") or order["location"]
    check_location(db, location, "Shipment.LocationCode")
    for line in shipment.children("Lines/Line"):
        item_no = line.required("ItemNo")
        quantity = positive(line.decimal("Quantity", required=True), f"{line.where}Quantity")
        row = db.execute(
            "SELECT line_no, quantity, shipped FROM sales_line WHERE document_no = ? AND item_no = ?"
            " AND CAST(quantity AS REAL) > CAST(shipped AS REAL) ORDER BY line_no",
            (order["document_no"], item_no),
        ).fetchone()
        if row is None:
            message = f"Item {item_no} is not on Sales Order {order['document_no']} or is already shipped."
            raise SimFault("VALIDATION", message, f"{line.where}ItemNo")
        outstanding = Decimal(row["quantity"]) - Decimal(row["shipped"])
        if quantity > outstanding:
            message = f"Quantity {quantity} exceeds the outstanding quantity {outstanding} of Item {item_no}."
            raise SimFault("VALIDATION", message, f"{line.where}Quantity")
        on_hand = db.execute(
            "SELECT quantity FROM inventory WHERE item_no = ? AND location = ?", (item_no, location)
        ).fetchone()
        if on_hand is None or Decimal(on_hand["quantity"]) < quantity:
            message = f"Item {item_no} is not in inventory at Location {location} in the quantity {quantity}."
            raise SimFault("INSUFFICIENT_INVENTORY", message, f"{line.where}Quantity")
        db.execute(
            "UPDATE inventory SET quantity = ? WHERE item_no = ? AND location = ?",
            (str(Decimal(on_hand["quantity"]) - quantity), item_no, location),
        )
        db.execute(
            "UPDATE sales_line SET shipped = ? WHERE document_no = ? AND line_no = ?",
            (str(Decimal(row["shipped"]) + quantity), order["document_no"], row["line_no"]),
        )
    db.execute("UPDATE sales_order SET status = 'Shipped' WHERE document_no = ?", (order["document_no"],))
    document_no = next_number(db, "SHIP")
    record_posting(db, document_no, "shipment", order["customer_no"], "0", external)
    return {"DocumentNo": document_no}
