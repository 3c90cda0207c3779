"""What the flow handlers are given: the store, the ERP, where outbound X12 goes, the partners, and the
marketplaces shipments are confirmed to.

Built once at worker boot (:mod:`crossdock.actors.wiring`) and passed to every handler; nothing here
opens a connection when constructed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.bridges.soap import ErpPort
from crossdock.canonical.finance import FinanceConfig
from crossdock.canonical.lifecycle import AmendPolicy
from crossdock.canonical.shipment import Shipment
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import MAX_SET_BYTES, MAX_SET_SEGMENTS
from crossdock.errors import ConfigError
from crossdock.store import Store


class Outbound(Protocol):
    """Delivers one outbound X12 document to a trading partner (SFTP upload or a local folder)."""

    def file_name(self, *, set_id: str, control: int, at: datetime, doc_id: int) -> str:
        """The document's file name: the partner's pattern, always with the ISA13 ``control`` and the
        document's own id ``doc_id`` (its outbox id), so no two documents share one."""
        ...

    def put(self, name: str, data: bytes) -> str:
        """Put ``data`` where the partner picks it up under ``name``; returns where. Idempotent: a file
        already there with exactly these bytes counts as delivered; one with other bytes raises
        :class:`~crossdock.actors.handlers.outbound.OutboundConflictError` (never overwritten)."""
        ...

    def close(self) -> None: ...


class MarketplacePort(Protocol):
    """Confirms shipments to one marketplace channel (``ShopifyAdapter`` for ``shopify``)."""

    def fulfill(self, shipment: Shipment) -> Sequence[Mapping[str, Any]]:
        """Tell the marketplace that ``shipment``'s orders (the marketplace's order id in ``order_ref``)
        shipped: tracking number, carrier, the lines and quantities shipped. Returns the marketplace's
        fulfillments, each with its ``id``. Idempotent: an order already confirmed with one of the
        shipment's tracking numbers is not confirmed again (its existing fulfillment is returned)."""
        ...

    def close(self) -> None: ...


class OrderAcknowledger(Protocol):
    """Acknowledges orders to a marketplace that asks for it (``WalmartAdapter`` for ``walmart``)."""

    def acknowledge(self, order_id: str) -> Mapping[str, Any]:
        """Tell the marketplace its order ``order_id`` will be fulfilled; returns the order as the
        marketplace now shows it. Idempotent: an order already acknowledged is no error."""
        ...


@dataclass(frozen=True)
class TradingPartner:
    """One X12 partner: its envelope profile and where documents for it go."""

    edi: PartnerProfile
    outbound: Outbound
    erp_customer_no: str | None = None
    """The ERP customer an order from this partner is booked to."""
    erp_location_code: str | None = None
    """The ERP location of this partner (a 3PL's warehouse, a buyer's default ship-from)."""
    asn: bool = True
    """Send this partner an 856 ship notice when its purchase orders ship."""
    invoice: bool = False
    """Send this partner an 810 invoice when its purchase orders are invoiced."""
    inventory_advice: bool = False
    """Send this partner an 846 of its available-to-sell quantities when they change."""
    ack_855: bool = False
    """Send this partner an 855 purchase order acknowledgment once its purchase order is booked."""

    @property
    def name(self) -> str:
        return self.edi.name


@dataclass(frozen=True)
class FlowPorts:
    store: Store
    erp: ErpPort
    partners: Sequence[TradingPartner]
    warehouse_partner: str
    """The 3PL that gets our 940s."""
    warehouse_code: str | None = None
    item_map: Mapping[str, str] = field(default_factory=dict)
    """Our SKU -> ERP item number, where they differ."""
    channel_customers: Mapping[str, str] = field(default_factory=dict)
    """Marketplace channel (shopify ...) -> the ERP customer its orders are booked to."""
    marketplaces: Mapping[str, MarketplacePort] = field(default_factory=dict)
    """Marketplace channel -> where its shipments are confirmed (``marketplaces:`` in flows.yaml)."""
    acknowledgers: Mapping[str, OrderAcknowledger] = field(default_factory=dict)
    """Marketplace channel -> where its booked orders are acknowledged (walmart, when configured)."""
    edi_limits: tuple[int, int] = (MAX_SET_SEGMENTS, MAX_SET_BYTES)
    """Largest inbound X12 transaction set, in segments and in bytes: a larger one is refused."""
    finance: FinanceConfig = field(default_factory=FinanceConfig)
    """Settlements: fees, tolerance, the account map (``finance:`` in flows.yaml)."""
    inventory: InventoryPorts | None = None
    """The inventory flow's rules and channel adapters (``inventory:`` in flows.yaml); ``None``: off."""
    amendments: Mapping[str, AmendPolicy] = field(default_factory=dict)
    """Channel (``edi`` for buyers' POs) -> its rules for cancellations and changes (``amendments:``)."""

    def partner(self, name: str) -> TradingPartner:
        for partner in self.partners:
            if partner.name == name:
                return partner
        raise ConfigError(f"no trading partner named {name!r} (configured: {', '.join(self.names)})")

    def partner_for_sender(self, sender_id: str) -> TradingPartner | None:
        """The partner whose ISA06 is ``sender_id`` (we send to it as ISA08)."""
        wanted = sender_id.strip()
        return next((p for p in self.partners if p.edi.receiver_id.strip() == wanted), None)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.partners]

    def close(self) -> None:
        for partner in self.partners:
            partner.outbound.close()
        for marketplace in self.marketplaces.values():
            marketplace.close()
        if self.inventory is not None:
            self.inventory.close()
