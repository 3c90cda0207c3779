"""Parties (buyer, ship-to, bill-to, ship-from, warehouse) and their addresses."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from crossdock.canonical.base import CanonicalModel


class PartyRole(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    SHIP_TO = "ship_to"
    BILL_TO = "bill_to"
    SHIP_FROM = "ship_from"
    WAREHOUSE = "warehouse"
    VENDOR = "vendor"
    CARRIER = "carrier"
    MARK_FOR = "mark_for"


class Address(CanonicalModel):
    lines: list[str] = Field(default_factory=list, max_length=4, description="Street lines, first to last.")
    city: str | None = None
    region: str | None = Field(default=None, description="State or province code.")
    postal_code: str | None = None
    country: str | None = Field(default=None, description="ISO-3166 alpha-2 where known (US, CA, GB ...).")


class Party(CanonicalModel):
    """A party to a document. ``id_code`` with ``id_qualifier`` is its identity in the partner's scheme
    (X12 N103/N104: 92 assigned by buyer, 9 DUNS+4, UL GLN ...). Name, address, phone and email are
    customer PII: :func:`crossdock.canonical.redact.redact` removes them before logging."""

    role: PartyRole
    name: str | None = None
    id_qualifier: str | None = None
    id_code: str | None = None
    address: Address | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
