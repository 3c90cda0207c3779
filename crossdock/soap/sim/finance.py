"""Finance operations of the simulated ERP: invoices, credit memos, general journal entries."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from crossdock.soap.sim import charges, invoicing
from crossdock.soap.sim.db import next_number, posted_before, record_posting
from crossdock.soap.sim.envelope import SimFault
from crossdock.soap.sim.reading import Reader
from crossdock.soap.sim.sales import check_customer, check_item, positive


def _sales_document(db: sqlite3.Connection, request: Reader, name: str, prefix: str, kind: str) -> dict[str, Any]:
    document = Reader(request.children(name)[0].element, f"{name}.")
    external = document.text("ExternalDocumentNo")
    earlier = posted_before(db, kind, external)
    if earlier is not None:  # a retried posting: the same document again, nothing posted twice
        return {"DocumentNo": earlier["document_no"], "Amount": Decimal(earlier["amount"])}
    customer = document.required("CustomerNo")
    check_customer(db, customer, f"{name}.CustomerNo")
    document.required("PostingDate")
    applies_to = document.text("AppliesToDocNo")
    if applies_to is not None:
        row = db.execute("SELECT kind FROM posted_document WHERE document_no = ?", (applies_to,)).fetchone()
        if row is None or row["kind"] != "invoice":
            message = f"Posted Invoice {applies_to} does not exist."
            raise SimFault("DOCUMENT_NOT_FOUND", message, f"{name}.AppliesToDocNo")
    order = invoicing.order_for_invoice(db, document, customer) if kind == "invoice" else None
    document_no = next_number(db, prefix)
    lines: list[tuple[int, Decimal, Decimal]] = []
    found: list[charges.Charge] = []
    for number, line in enumerate(document.children("Lines/Line"), 1):
        item = check_item(db, line.required("ItemNo"), f"{line.where}ItemNo")
        quantity = positive(line.decimal("Quantity", required=True), f"{line.where}Quantity")
        price = line.decimal("UnitPrice")
        if order is not None:
            ordered_price = invoicing.bill_line(db, order, line, item["no"], quantity)
            price = ordered_price if price is None else price
        lines.append((number, quantity, price if price is not None else Decimal(item["unit_price"])))
        found += charges.line_charges(line, number, quantity)
    found += charges.header_charges(document)
    amount = charges.amount(lines, found)
    charges.check_total(document.decimal("TotalAmount"), amount, f"{name}.TotalAmount")
    charges.store(db, document_no, found)
    order_no = None if order is None else order["document_no"]
    record_posting(db, document_no, kind, customer, str(amount), external, order_document_no=order_no)
    if order is not None:
        invoicing.close_if_invoiced(db, order)
    return {"DocumentNo": document_no, "Amount": amount}


def create_invoice(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    return _sales_document(db, request, "Invoice", "INV", "invoice")


def create_credit_memo(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    return _sales_document(db, request, "CreditMemo", "CM", "credit_memo")


def post_journal_entry(db: sqlite3.Connection, request: Reader) -> dict[str, Any]:
    entry = Reader(request.children("JournalEntry")[0].element, "JournalEntry.")
    entry.required("PostingDate")
    external = entry.text("ExternalDocumentNo")
    earlier = posted_before(db, "journal", external)
    if earlier is not None:
        return {"DocumentNo": earlier["document_no"], "TransactionNo": earlier["transaction_no"]}
    debit = credit = Decimal(0)
    for line in entry.children("Lines/Line"):
        account = line.required("AccountNo")
        if db.execute("SELECT 1 FROM gl_account WHERE no = ?", (account,)).fetchone() is None:
            raise SimFault("ACCOUNT_NOT_FOUND", f"G/L Account {account} does not exist.", f"{line.where}AccountNo")
        line_debit = line.decimal("DebitAmount") or Decimal(0)
        line_credit = line.decimal("CreditAmount") or Decimal(0)
        if (line_debit == 0) == (line_credit == 0) or line_debit < 0 or line_credit < 0:
            message = f"{line.where}: give either a positive DebitAmount or a positive CreditAmount."
            raise SimFault("VALIDATION", message, f"{line.where}DebitAmount")
        debit += line_debit
        credit += line_credit
    if debit != credit:
        message = f"The transaction is out of balance by {debit - credit}: debits {debit}, credits {credit}."
        raise SimFault("UNBALANCED_JOURNAL", message, "JournalEntry.Lines")
    document_no = next_number(db, "JE")
    transaction_no = int(document_no.split("-")[1])
    record_posting(db, document_no, "journal", None, str(debit), external, transaction_no)
    return {"DocumentNo": document_no, "TransactionNo": transaction_no}
