"""The ERP simulator's state in SQLite: customers, items, inventory, G/L accounts, documents.

One connection guarded by a lock (the simulator serves from one event loop; handlers are short).
Seeded with a small CRONUS-like company so every business rule has something to say no to.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS customer (no TEXT PRIMARY KEY, name TEXT NOT NULL, blocked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS item (
  no TEXT PRIMARY KEY, description TEXT NOT NULL, uom TEXT NOT NULL, unit_price TEXT NOT NULL,
  gtin TEXT, blocked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS location (code TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS inventory (
  item_no TEXT NOT NULL, location TEXT NOT NULL, quantity TEXT NOT NULL, PRIMARY KEY (item_no, location));
CREATE TABLE IF NOT EXISTS gl_account (no TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales_order (
  document_no TEXT PRIMARY KEY, external_document_no TEXT NOT NULL UNIQUE, customer_no TEXT NOT NULL,
  order_date TEXT NOT NULL, location TEXT NOT NULL, status TEXT NOT NULL, amount TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales_line (
  document_no TEXT NOT NULL, line_no INTEGER NOT NULL, item_no TEXT NOT NULL, quantity TEXT NOT NULL,
  shipped TEXT NOT NULL DEFAULT '0', unit_price TEXT NOT NULL, PRIMARY KEY (document_no, line_no));
CREATE TABLE IF NOT EXISTS posted_document (
  document_no TEXT PRIMARY KEY, kind TEXT NOT NULL, customer_no TEXT, amount TEXT NOT NULL,
  external_document_no TEXT, transaction_no INTEGER, UNIQUE (kind, external_document_no));
CREATE TABLE IF NOT EXISTS number_series (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS document_charge (
  document_no TEXT NOT NULL, line_no INTEGER, kind TEXT NOT NULL, code TEXT, description TEXT, rate TEXT,
  amount TEXT NOT NULL, base_quantity TEXT);
CREATE INDEX IF NOT EXISTS document_charge_document ON document_charge (document_no);
"""
ADDED_COLUMNS = [
    ("sales_line", "invoiced", "TEXT NOT NULL DEFAULT '0'"),
    ("posted_document", "order_document_no", "TEXT"),
]
"""Columns added after the first release: added to a database file an older simulator wrote."""

SEED = [
    "INSERT OR IGNORE INTO customer VALUES ('C10000', 'Web Store Customers', 0), ('C20000', 'Marketplace Orders', 0),"
    " ('C30000', 'Wholesale Buyer Inc.', 0), ('C90000', 'Closed Account LLC', 1)",
    "INSERT OR IGNORE INTO item VALUES ('ITEM-1', 'Oak Side Table', 'PCS', '89.00', '00012345678905', 0),"
    " ('ITEM-2', 'Linen Cushion, Grey', 'PCS', '24.50', NULL, 0),"
    " ('ITEM-3', 'Ceramic Mug Set (4)', 'SET', '32.00', NULL, 0),"
    " ('ITEM-4', 'Discontinued Lamp', 'PCS', '45.00', NULL, 1), ('ITEM-5', 'Cotton Throw', 'PCS', '39.90', NULL, 0)",
    "INSERT OR IGNORE INTO location VALUES ('MAIN'), ('EAST'), ('WEST')",
    "INSERT OR IGNORE INTO inventory VALUES ('ITEM-1', 'MAIN', '120'), ('ITEM-1', 'EAST', '15'),"
    " ('ITEM-2', 'MAIN', '300'), ('ITEM-3', 'MAIN', '48'), ('ITEM-4', 'MAIN', '2'), ('ITEM-5', 'WEST', '60')",
    "INSERT OR IGNORE INTO gl_account VALUES ('1200', 'Customers Domestic'), ('2300', 'Sales Tax Payable'),"
    " ('4000', 'Sales, Retail'), ('6100', 'Marketplace Fees'), ('1100', 'Bank, Checking'),"
    " ('4100', 'Sales Returns'), ('6150', 'Chargebacks'), ('1150', 'Marketplace Reserve')",
]


class SimDatabase:
    """SQLite state; ``path`` is a file or ``":memory:"``."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.executescript(SCHEMA)
        for table, column, definition in ADDED_COLUMNS:
            if column not in {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        for statement in SEED:
            connection.execute(statement)
        self._connection = connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: committed on success, rolled back on any error."""
        if self._connection is None:
            raise RuntimeError("SimDatabase.open() was not called")
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")


def posted_before(db: sqlite3.Connection, kind: str, external: str | None) -> sqlite3.Row | None:
    """A document of ``kind`` already posted with this External Document No. (a retried posting)."""
    if not external:
        return None
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM posted_document WHERE kind = ? AND external_document_no = ?", (kind, external)
    ).fetchone()
    return row


def record_posting(
    db: sqlite3.Connection,
    document_no: str,
    kind: str,
    customer: str | None,
    amount: str,
    external: str | None,
    transaction_no: int | None = None,
    order_document_no: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO posted_document (document_no, kind, customer_no, amount, external_document_no, transaction_no,"
        " order_document_no) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (document_no, kind, customer, amount, external or None, transaction_no, order_document_no),
    )


def next_number(db: sqlite3.Connection, prefix: str, start: int = 1000) -> str:
    """The next document number of a series: ``SO-001001``, ``INV-001001`` ..."""
    db.execute("INSERT OR IGNORE INTO number_series VALUES (?, ?)", (prefix, start))
    db.execute("UPDATE number_series SET last = last + 1 WHERE prefix = ?", (prefix,))
    (last,) = db.execute("SELECT last FROM number_series WHERE prefix = ?", (prefix,)).fetchone()
    return f"{prefix}-{last:06d}"
