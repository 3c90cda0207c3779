"""ERP faults: what a SOAP fault says, and what crossdock must do about it.

The reference ERP puts ``<ErpFault><ErrorCode/><ErrorMessage/><Field/></ErpFault>`` in the fault
detail. Other ERPs (NAV, SAP, Oracle ISG) send only faultcode/faultstring, or their own detail:
:func:`classify` then falls back on the SOAP faultcode and on words that mean "try again later".
Every text taken from a fault is cut to :data:`MAX_FAULT_TEXT` characters (:func:`cut`): it ends up in
error messages, exception items and logs, and an ERP can send megabytes of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crossdock.errors import BusinessError, CrossdockError, Owner, TransientError
from crossdock.soap.safe_xml import local_name

# Error codes the reference ERP uses; a user's ERP may send others (they are business errors).
TRANSIENT_CODES = frozenset({"RECORD_LOCKED", "DEADLOCK", "SERVICE_UNAVAILABLE", "TIMEOUT", "MAINTENANCE"})
WAREHOUSE_CODES = frozenset({"ITEM_NOT_FOUND", "ITEM_BLOCKED", "INSUFFICIENT_INVENTORY", "LOCATION_NOT_FOUND"})
FINANCE_CODES = frozenset(
    {"AMOUNT_MISMATCH", "UNBALANCED_JOURNAL", "ACCOUNT_NOT_FOUND", "CREDIT_LIMIT_EXCEEDED", "PERIOD_CLOSED"}
)
MAX_FAULT_TEXT = 2000
_TRANSIENT_TEXT = re.compile(r"locked by another user|deadlock|try again|temporarily unavailable|timeout", re.I)


@dataclass(frozen=True, slots=True)
class ErpFault:
    """A SOAP fault as the ERP sent it."""

    faultcode: str
    message: str
    error_code: str | None = None
    field: str | None = None


class ErpRefusedError(BusinessError):
    """The ERP refused the request for a reason a person must fix (unknown item, closed period ...)."""

    def __init__(self, fault: ErpFault, operation: str, *, owner: Owner, key: str | None = None) -> None:
        where = f" (field {fault.field})" if fault.field else ""
        code = f"{fault.error_code}: " if fault.error_code else ""
        super().__init__(f"ERP {operation} refused: {code}{fault.message}{where}", owner=owner, key=key)
        self.fault = fault
        self.operation = operation
        self.code = fault.error_code
        """The ERP's error code (``ITEM_NOT_FOUND``): what ``crossdock exceptions list --code`` filters on."""


class ErpBusyError(TransientError):
    """The ERP answered with a fault meaning "later" (record locked, maintenance)."""

    def __init__(self, fault: ErpFault, operation: str) -> None:
        super().__init__(f"ERP {operation} busy: {fault.error_code or fault.faultcode}: {fault.message}")
        self.fault = fault
        self.operation = operation


def cut(text: str, limit: int = MAX_FAULT_TEXT) -> str:
    """``text`` when it has at most ``limit`` characters; else its start and how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def _text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if isinstance(child.tag, str) and local_name(child) == name and child.text and child.text.strip():
            return cut(child.text.strip())
    return None


def read_fault(faultcode: str | None, message: str | None, detail: etree._Element | None) -> ErpFault:
    """Build an :class:`ErpFault` from a fault's code, string and (optional) detail element."""
    code = cut((faultcode or "").rsplit(":", 1)[-1] or "Server", 200)
    error_code = field = None
    text = cut(message or "")
    if detail is not None:
        error_code = _text(detail, "ErrorCode")
        error_code = cut(error_code, 200) if error_code else None
        field = _text(detail, "Field")
        field = cut(field, 200) if field else None
        text = _text(detail, "ErrorMessage") or text
    return ErpFault(faultcode=code, message=text or "(no message)", error_code=error_code, field=field)


def classify(fault: ErpFault, operation: str, owner: Owner, key: str | None = None) -> CrossdockError:
    """The crossdock error for a fault: busy → transient; anything else → business, owned by ``owner``
    unless the code says it belongs to the warehouse or finance."""
    if fault.error_code in TRANSIENT_CODES:
        return ErpBusyError(fault, operation)
    if fault.error_code is None and fault.faultcode != "Client" and _TRANSIENT_TEXT.search(fault.message):
        return ErpBusyError(fault, operation)
    if fault.error_code in WAREHOUSE_CODES:
        owner = Owner.WAREHOUSE
    elif fault.error_code in FINANCE_CODES:
        owner = Owner.FINANCE
    return ErpRefusedError(fault, operation, owner=owner, key=key)
