"""What invoices are priced from: each order as it was booked in the ERP (``Store.invoices``).

``orders.to_erp`` remembers the canonical order it booked, in the step's transaction; ``invoices.to_erp``
reads it back by the ERP sales order number when a shipment of it posts. The document is kept as the
canonical JSON the order step had (the store does not interpret it). A change booked later replaces it
(:meth:`InvoiceBook.remember_order` with ``replace=True``).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.invoice_rows import BookedOrderRow


class InvoiceBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    def remember_order(
        self,
        erp_order_no: str,
        *,
        channel: str,
        order_ref: str,
        document: str,
        replace: bool = False,
        session: Session | None = None,
    ) -> bool:
        """Keep ``document`` as ERP order ``erp_order_no``; the first one stays unless ``replace``.
        ``True`` when this call stored it."""
        now = utcnow()
        values = {"erp_order_no": erp_order_no, "channel": channel, "order_ref": order_ref, "document": document,
                  "booked_at": now, "updated_at": now}  # fmt: skip
        with self._db.write(session) as s:
            if insert_ignore(s, BookedOrderRow, values):
                return True
            if not replace:
                return False
            s.execute(
                update(BookedOrderRow)
                .where(BookedOrderRow.erp_order_no == erp_order_no)
                .values(document=document, updated_at=now)
            )
            return True

    def booked_order(self, erp_order_no: str, *, session: Session | None = None) -> str | None:
        """The canonical JSON of the order booked as ``erp_order_no``; ``None`` when crossdock did not
        remember one (booked before invoicing existed)."""
        query = select(BookedOrderRow.document).where(BookedOrderRow.erp_order_no == erp_order_no)
        if session is not None:
            return session.execute(query).scalar_one_or_none()
        with self._db.read() as s:
            return s.execute(query).scalar_one_or_none()
