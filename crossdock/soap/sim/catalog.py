"""Catalog operations of the simulated ERP: items and inventory levels."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader
from crossdock.soap.sim.sales import check_location


def get_item(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    item_no = request.required("ItemNo")
    row = db.execute("SELECT * FROM item WHERE no = ?", (item_no,)).fetchone()
    if row is None:
        raise SimFault("ITEM_NOT_FOUND", f"Item {item_no} does not exist.", "ItemNo")
    return {
        "Item": {
            "ItemNo": row["no"],
            "Description": row["description"],
            "BaseUnitOfMeasure": row["uom"],
            "UnitPrice": Decimal(row["unit_price"]),
            "GTIN": row["gtin"],
            "Blocked": bool(row["blocked"]),
        }
    }


def _on_sales_orders(db: sqlite3.Connection, item_no: str, location: str) -> Decimal:
    rows = db.execute(
        "SELECT l.quantity, l.shipped FROM sales_line l JOIN sales_order o USING (document_no)"
        " WHERE l.item_no = ? AND o.location = ? AND o.status IN ('Open', 'Released')",
        (item_no, location),
    ).fetchall()
    return sum((Decimal(r["quantity"]) - Decimal(r["shipped"]) for r in rows), Decimal(0))


def get_inventory_levels(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    item_nos = [reader.element.text.strip() for reader in request.children("ItemNo") if reader.element.text]
    for n, item_no in enumerate(item_nos, 1):
        if db.execute("SELECT 1 FROM item WHERE no = ?", (item_no,)).fetchone() is None:
            raise SimFault("ITEM_NOT_FOUND", f"Item {item_no} does not exist.", f"ItemNo[{n}]")
    location = request.text("LocationCode")
    if location:
        check_location(db, location, "LocationCode")
    query = "SELECT item_no, location, quantity FROM inventory WHERE 1 = 1"
    params: list[str] = []
    if item_nos:
        query += f" AND item_no IN ({', '.join('?' for _ in item_nos)})"
        params += item_nos
    if location:
        query += " AND location = ?"
        params.append(location)
    levels = []
    for row in db.execute(query + " ORDER BY item_no, location", params).fetchall():
        on_orders = _on_sales_orders(db, row["item_no"], row["location"])
        inventory = Decimal(row["quantity"])
        levels.append(
            {
                "ItemNo": row["item_no"],
                "LocationCode": row["location"],
                "Inventory": inventory,
                "QtyOnSalesOrder": on_orders,
                "Available": max(inventory - on_orders, Decimal(0)),
            }
        )
    return {"InventoryLevel": levels}
