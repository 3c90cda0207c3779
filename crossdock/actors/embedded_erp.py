"""The ERP simulator served in-process on a loopback port, in a background thread (for the demo).

Tests and operators run it as a separate process (``crossdock erp-sim``); the demo needs no second
process. State is SQLite (in memory unless a path is given); stopped by :meth:`EmbeddedErp.stop`.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from crossdock.soap.sim import Control, SimDatabase, build_app

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 10.0


class EmbeddedErp:
    def __init__(self, database: Path | str = ":memory:") -> None:
        self.database = str(database)
        self.control = Control()
        self._db: SimDatabase | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/erp"

    def start(self) -> EmbeddedErp:
        self._db = SimDatabase(self.database)
        self._db.open()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY
        sock.bind((LOOPBACK, 0))
        sock.listen(64)
        self._socket, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(
            build_app(self._db, self.control), log_level="warning", access_log=False, lifespan="off",
            timeout_graceful_shutdown=1,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="crossdock-erp-sim", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the embedded ERP simulator did not start within {START_TIMEOUT_S} s")
            time.sleep(0.02)
        return self

    def calls(self) -> dict[str, int]:
        return dict(self.control.calls)

    def _database(self) -> SimDatabase:
        if self._db is None:
            raise RuntimeError("the embedded ERP simulator is not started")
        return self._db

    def add_item(self, item_no: str, description: str, unit_price: str, uom: str = "PCS") -> None:
        """An item in the ERP's catalogue (the simulator's seed has five)."""
        with self._database().transaction() as db:
            db.execute("INSERT OR IGNORE INTO item VALUES (?, ?, ?, ?, NULL, 0)",
                       (item_no, description, uom, unit_price))

    def stock(self, location: str, quantity: int) -> None:
        """Every unblocked item on hand at ``location`` in ``quantity`` (what the ERP's warehouse holds)."""
        with self._database().transaction() as db:
            db.execute("INSERT OR IGNORE INTO location VALUES (?)", (location,))
            db.execute("INSERT OR REPLACE INTO inventory SELECT no, ?, ? FROM item WHERE blocked = 0",
                       (location, str(quantity)))

    def counts(self) -> dict[str, int]:
        """What the ERP holds: sales orders (all, cancelled), posted shipments and invoices."""
        with self._database().transaction() as db:
            orders, cancelled = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(status = 'Cancelled'), 0) FROM sales_order").fetchone()
            posted = dict(db.execute("SELECT kind, COUNT(*) FROM posted_document GROUP BY kind").fetchall())
        return {"sales_orders": int(orders), "cancelled_orders": int(cancelled),
                "shipments": int(posted.get("shipment", 0)), "invoices": int(posted.get("invoice", 0))}

    def references(self) -> dict[str, int]:
        """How many sales orders the ERP holds per external document number (2 or more: doubled)."""
        with self._database().transaction() as db:
            rows = db.execute("SELECT external_document_no, COUNT(*) FROM sales_order"
                              " GROUP BY external_document_no").fetchall()
        return {str(external): int(n) for external, n in rows}

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        if self._db is not None:
            self._db.close()
        self._server = self._thread = self._socket = self._db = None

    def __enter__(self) -> EmbeddedErp:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
