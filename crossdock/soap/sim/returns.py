"""Return authorizations in the simulated ERP: ``CreateReturnAuthorization``, one RMA document per
external document number (a retried request answers with the first document, nothing made twice)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim.db import next_number, posted_before, record_posting
from crossdock.soap.sim.reading import Reader
from crossdock.soap.sim.sales import check_customer, check_item, positive

KIND = "return_authorization"


def create_return_authorization(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    rma = Reader(request.children("ReturnAuthorization")[0].element, "ReturnAuthorization.")
    external = rma.required("ExternalDocumentNo")
    earlier = posted_before(db, KIND, external)
    if earlier is not None:
        return {"DocumentNo": earlier["document_no"], "Amount": Decimal(earlier["amount"])}
    customer = rma.required("CustomerNo")
    check_customer(db, customer, "ReturnAuthorization.CustomerNo")
    rma.required("ReturnDate")
    amount = Decimal(0)
    for line in rma.children("Lines/Line"):
        item = check_item(db, line.required("ItemNo"), f"{line.where}ItemNo")
        quantity = positive(line.decimal("Quantity", required=True), f"{line.where}Quantity")
        amount += quantity * (line.decimal("UnitPrice") or Decimal(item["unit_price"]))
    document_no = next_number(db, "RMA")
    record_posting(db, document_no, KIND, customer, str(amount), external)
    return {"DocumentNo": document_no, "Amount": amount}
