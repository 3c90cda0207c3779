"""Composition of the business flows: flow configuration → ports → the broker's actors, and the sinks
the SFTP poller and the webhook receiver hand their payloads to.

:func:`boot` is a worker entry point (``dramatiq crossdock.actors.wiring:boot``): like
:func:`crossdock.actors.boot.boot`, plus the business flow steps built from
``<partners_path>/flows.yaml``. Building opens no connection: the ERP client loads its WSDL from the
packaged file, SFTP sessions and marketplace clients connect on first use; ports are closed when the
worker shuts down. Marketplace tokens come from the environment variables the configuration names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dramatiq.broker import Broker
from dramatiq.middleware import Middleware

from crossdock.actors import flows
from crossdock.actors.flow_config import (
    FLOWS_FILE,
    POLLED_CHANNELS,
    FlowConfig,
    MarketplaceConfig,
    load_flow_config,
)
from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.actors.handlers.outbound import FolderOutbound, SftpOutbound
from crossdock.actors.handlers.ports import FlowPorts, MarketplacePort, Outbound, TradingPartner
from crossdock.actors.intake import StoreInboundSink, StoreWebhookSink
from crossdock.actors.inventory_config import PushTarget
from crossdock.actors.inventory_metrics import register_inventory_gauges
from crossdock.actors.steps import declare_steps, sender
from crossdock.bridges.rest import amazon, walmart
from crossdock.bridges.rest.client import MarketplaceClient
from crossdock.bridges.rest.inventory import AmazonInventory, InventoryChannel, ShopifyInventory, WalmartInventory
from crossdock.bridges.rest.polling import OrderPoller
from crossdock.bridges.rest.shopify import AUTH_HEADER, ShopifyAdapter
from crossdock.bridges.sftp import SftpSession, load_profile
from crossdock.bridges.soap import ErpGateway, ErpPort, build_breaker, build_erp_client, build_pacer
from crossdock.bridges.soap.client import ErpClient
from crossdock.broker.middleware.correlation import install_log_filter
from crossdock.broker.setup import build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.edi.partners import load_partner_profile
from crossdock.errors import ConfigError
from crossdock.settings import Settings, load_settings
from crossdock.soap import default_mapping
from crossdock.store import Store


def build_erp(config: FlowConfig) -> ErpPort:
    """The ERP port of one worker process: its breaker and its pacer are shared by the process's threads."""
    _, service = build_erp_client(config.erp)
    client = ErpClient(service, default_mapping(), build_breaker(config.erp))
    return ErpGateway(client, pacer=build_pacer(config.erp))


def build_shopify(config: MarketplaceConfig, token: str) -> ShopifyAdapter:
    client = MarketplaceClient("shopify", config.base_url, auth_headers={AUTH_HEADER: token}, timeout=config.timeout_s)
    return ShopifyAdapter(client, api_version=config.api_version)


MARKETPLACES: dict[str, Callable[[MarketplaceConfig, str], MarketplacePort]] = {"shopify": build_shopify}
"""The channels crossdock confirms shipments to, and how each one's port is built (config, token)."""


def build_marketplaces(
    configs: Mapping[str, MarketplaceConfig], environ: Mapping[str, str] | None = None
) -> dict[str, MarketplacePort]:
    """One port per configured channel crossdock confirms shipments to, its token read from the
    environment variable ``token_env`` names (``environ``: ``os.environ`` unless given). Amazon and
    Walmart entries are for ``crossdock rest poll`` only: no port, no token needed here. Errors name the
    channel and the variable, never a token. Nothing connects."""
    built: dict[str, MarketplacePort] = {}
    for channel, config in configs.items():
        build = MARKETPLACES.get(channel)
        if build is None and channel in POLLED_CHANNELS:
            continue  # polled by ``crossdock rest poll``; no shipment confirmation to it yet
        if build is None:
            raise ConfigError(
                f"marketplaces.{channel}: crossdock cannot confirm shipments to {channel!r} "
                f"(it can to: {', '.join(MARKETPLACES)})"
            )
        built[channel] = build(config, _token(channel, config, environ))
    return built


def _token(channel: str, config: MarketplaceConfig, environ: Mapping[str, str] | None) -> str:
    env = os.environ if environ is None else environ
    token = env.get(config.token_env, "").strip()
    if not token:
        raise ConfigError(f"marketplaces.{channel}: the environment variable {config.token_env} (token_env) is not set")
    return token


def build_inventory(
    config: FlowConfig, environ: Mapping[str, str] | None = None, *, push: bool = True
) -> InventoryPorts | None:
    """The inventory flow's rules and, with ``push``, one inventory adapter per ``inventory.push`` channel
    (tokens read from the environment as for the other ports). ``None`` without an ``inventory:`` section."""
    if config.inventory is None:
        return None
    channels: dict[str, InventoryChannel] = {}
    try:
        for channel, target in config.inventory.push.items() if push else ():
            channels[channel] = _inventory_channel(config, channel, target, environ)
    except ConfigError:
        for built in channels.values():
            built.close()
        raise
    return InventoryPorts(config.inventory.rules(), channels, config.inventory.location)


def _inventory_channel(
    config: FlowConfig, channel: str, target: PushTarget, environ: Mapping[str, str] | None
) -> InventoryChannel:
    market = config.marketplaces[channel]  # the config validator demands it
    header = {"shopify": AUTH_HEADER, "amazon": amazon.AUTH_HEADER, "walmart": walmart.AUTH_HEADER}[channel]
    client = MarketplaceClient(channel, market.base_url, auth_headers={header: _token(channel, market, environ)},
                               timeout=market.timeout_s)  # fmt: skip
    if channel == "shopify":
        assert target.location_id is not None
        return ShopifyInventory(client, api_version=market.api_version, location_id=target.location_id,
                                item_ids=target.item_ids)  # fmt: skip
    if channel == "amazon":
        assert target.seller_id is not None and market.marketplace_id is not None
        return AmazonInventory(client, seller_id=target.seller_id, marketplace_id=market.marketplace_id)
    return WalmartInventory(client)


def build_order_poller(
    config: FlowConfig, channel: str, environ: Mapping[str, str] | None = None
) -> tuple[OrderPoller, MarketplaceClient]:
    """The order poller of ``channel`` (amazon, walmart) from ``marketplaces.<channel>``, its token from
    the environment variable ``token_env`` names, and its client (the caller closes it). Nothing connects."""
    if channel not in POLLED_CHANNELS:
        raise ConfigError(f"crossdock polls orders from {' and '.join(POLLED_CHANNELS)}, not {channel!r}")
    market = config.marketplaces.get(channel)
    if market is None:
        raise ConfigError(f"marketplaces.{channel} is not configured in flows.yaml (base_url, token_env)")
    header = amazon.AUTH_HEADER if channel == "amazon" else walmart.AUTH_HEADER
    client = MarketplaceClient(
        channel, market.base_url, auth_headers={header: _token(channel, market, environ)}, timeout=market.timeout_s
    )
    if channel == "amazon":
        assert market.marketplace_id is not None  # the config validator demands it
        return amazon.AmazonAdapter(client, market.marketplace_id, page_size=market.page_size), client
    return walmart.WalmartAdapter(client, page_size=market.page_size), client


def build_ports(
    config: FlowConfig,
    store: Store,
    *,
    erp: ErpPort | None = None,
    marketplaces: Mapping[str, MarketplacePort] | None = None,
    inventory: InventoryPorts | None = None,
) -> FlowPorts:
    """The flows' ports from the configuration; ``erp`` and ``marketplaces`` replace the configured ones
    when given (``marketplaces={}``: a process that never confirms shipments nor pushes inventory, and
    needs no token)."""
    partners = []
    for item in config.partners:
        try:
            profile = load_partner_profile(item.edi.read_bytes(), name_hint=str(item.edi))
        except OSError as exc:
            raise ConfigError(f"cannot read partner profile {item.edi}: {exc.strerror}") from exc
        outbound: Outbound
        if item.sftp is not None:
            outbound = SftpOutbound(SftpSession(load_profile(item.sftp)))
        else:
            assert item.outbound_folder is not None  # the config validator demands one of the two
            outbound = FolderOutbound(item.outbound_folder, profile.name)
        partners.append(TradingPartner(profile, outbound, item.erp_customer_no, item.erp_location_code, item.asn))
    ports = FlowPorts(
        store=store,
        erp=erp if erp is not None else build_erp(config),
        partners=tuple(partners),
        warehouse_partner=config.warehouse_partner,
        warehouse_code=config.warehouse_code,
        item_map=dict(config.item_map),
        channel_customers=dict(config.channel_customers),
        marketplaces=dict(build_marketplaces(config.marketplaces) if marketplaces is None else marketplaces),
        inventory=build_inventory(config, push=marketplaces is None) if inventory is None else inventory,
    )
    ports.partner(config.warehouse_partner)  # a ConfigError now, not at the first order
    return ports


class ClosePorts(Middleware):
    """Closes the flows' ports (SFTP sessions, database pool) when the worker shuts down."""

    def __init__(self, ports: FlowPorts) -> None:
        self.ports = ports

    def after_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        self.ports.close()
        self.ports.store.close()


def build_flow_broker(settings: Settings, ports: FlowPorts) -> Broker:
    """The project's broker with the journal/idempotency store and every flow step declared."""
    broker = build_broker(settings, store=SqlMessageStore(ports.store))
    broker.add_middleware(ClosePorts(ports))
    declare_steps(broker, (*flows.STEPS, *flows.flow_steps(ports)))
    if ports.inventory is not None:
        register_inventory_gauges(broker, ports.store)
    return broker


def sftp_sink(broker: Broker, store: Store) -> StoreInboundSink:
    """The sink an :class:`~crossdock.bridges.sftp.InboundPoller` hands files to."""
    return StoreInboundSink(store, sender(broker))


def webhook_sink(broker: Broker, store: Store) -> StoreWebhookSink:
    """The sink the webhook receiver hands bodies to."""
    return StoreWebhookSink(store, sender(broker))


@contextmanager
def intake(settings: Settings) -> Iterator[tuple[StoreInboundSink, StoreWebhookSink]]:
    """The sinks a producer process (``crossdock sftp poll --enqueue``) hands payloads to: stored in the
    crossdock store, then sent to ``edi.inbound`` / ``marketplace.inbound`` on the configured RabbitMQ,
    where ``crossdock worker`` processes them. The in-memory broker is refused: a producer process has
    no worker of its own, so its messages would never be processed."""
    if settings.uses_embedded_broker:
        raise ConfigError(
            "enqueueing needs CROSSDOCK_BROKER_URL (RabbitMQ): with the in-memory broker no worker in "
            "another process would ever receive the messages"
        )
    store = Store.from_settings(settings)
    # a producer only sends: its steps never run here, so no marketplace (and no token) is needed
    ports = build_ports(load_flow_config(flows_file(settings)), store, marketplaces={})
    broker = build_flow_broker(settings, ports)
    try:
        yield sftp_sink(broker, store), webhook_sink(broker, store)
    finally:
        broker.close()
        ports.close()
        store.close()


def flows_file(settings: Settings) -> Path:
    if settings.partners_path is None:
        raise ConfigError("partners_path is not set: the business flows read <partners_path>/flows.yaml")
    return settings.partners_path / FLOWS_FILE


def boot() -> Broker:
    install_log_filter()
    settings = load_settings()
    store = Store.from_settings(settings)
    return build_flow_broker(settings, build_ports(load_flow_config(flows_file(settings)), store))
