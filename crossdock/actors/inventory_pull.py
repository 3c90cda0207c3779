"""The ERP's on-hand balances pulled into the inventory flow (``crossdock inventory pull`` on demand, the
scheduler's ``erp-inventory-pull`` job on a schedule).

One ``GetInventoryLevels`` call returns every item and location; ERP item numbers are turned back into
our SKUs through ``item_map`` (SKU -> ERP item), and the levels go to ``inventory.apply`` as one
:class:`~crossdock.canonical.inventory.InventoryChange` on the configured RabbitMQ, where the workers
apply what is newer than what is held (an ERP figure older than a 3PL's 846 of the same SKU and location
is ignored) and push what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from dramatiq.broker import Broker

from crossdock.actors.flow_config import FlowConfig
from crossdock.actors.graph import INVENTORY_APPLY as APPLY
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import publish
from crossdock.bridges.soap import ErpPort
from crossdock.canonical import InventoryLevel
from crossdock.canonical.envelope import Envelope, idempotency_key
from crossdock.canonical.inventory import InventoryChange
from crossdock.errors import ConfigError
from crossdock.settings import Settings
from crossdock.store import Store


def erp_change(erp: ErpPort, item_map: Mapping[str, str], *, location: str | None = None) -> InventoryChange | None:
    """The ERP's levels (of ``location``, else every location) as an inventory change in our SKUs."""
    by_item = {item: sku for sku, item in item_map.items()}
    levels: list[InventoryLevel] = []
    for level in erp.inventory_levels((), location):
        sku = by_item.get(level.sku, level.sku)
        levels.append(level if sku == level.sku else level.model_copy(update={"sku": sku}))
    if not levels:
        return None
    return InventoryChange(source="erp", levels=levels)


@contextmanager
def producer(settings: Settings, config: FlowConfig) -> Iterator[tuple[Broker, FlowPorts]]:
    """A broker that only sends (the flows' steps declared, none run here) and the flows' ports."""
    from crossdock.actors.wiring import build_flow_broker, build_ports

    if settings.uses_embedded_broker:
        raise ConfigError("enqueueing needs CROSSDOCK_BROKER_URL (RabbitMQ): no worker would see the message")
    if config.inventory is None:
        raise ConfigError("the inventory flow is not configured (inventory: in flows.yaml)")
    store = Store.from_settings(settings)
    ports = build_ports(config, store, marketplaces={})
    broker = build_flow_broker(settings, ports)
    try:
        yield broker, ports
    finally:
        broker.close()
        ports.close()
        store.close()


def send_levels(broker: Broker, erp: ErpPort, item_map: Mapping[str, str], *, location: str | None = None) -> int:
    """Pull the ERP's levels and send them to ``inventory.apply`` on ``broker``; returns how many."""
    change = erp_change(erp, item_map, location=location)
    if change is None:
        return 0
    key = idempotency_key("erp-inventory-pull", location or "*", datetime.now(UTC).isoformat())
    envelope = Envelope(idempotency_key=key, source="erp-inventory-pull", document_type="inventory_change")
    publish(broker, APPLY, envelope, change)
    return len(change.levels)


def pull(settings: Settings, config: FlowConfig, *, location: str | None = None) -> str:
    """Pull the ERP's levels and enqueue them for ``inventory.apply``; returns a one-line summary."""
    with producer(settings, config) as (broker, ports):
        sent = send_levels(broker, ports.erp, config.item_map, location=location)
    return f"{sent} levels from the ERP sent to {APPLY}" if sent else "the ERP returned no inventory levels"
