"""Composition of the business flows: flow configuration → ports → the broker's actors, and the sinks
the SFTP poller and the webhook receiver hand their payloads to.

:func:`boot` is the worker entry point (``crossdock worker``; ``dramatiq crossdock.actors.wiring:boot``):
settings → store → broker → the business flow steps built from ``<config_dir>/flows.yaml``.
Building opens no connection: the ERP client loads its WSDL from the packaged file, SFTP sessions and
marketplace clients connect on first use; ports are closed when the worker shuts down. Marketplace
tokens come from the environment variables the configuration names.
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
from crossdock.actors.handlers.ports import FlowPorts, MarketplacePort, OrderAcknowledger, Outbound, TradingPartner
from crossdock.actors.intake import StoreInboundSink, StoreWebhookSink
from crossdock.actors.inventory_config import PushTarget
from crossdock.actors.inventory_metrics import register_inventory_gauges
from crossdock.actors.outbox_sweeper import OutboxSweeper
from crossdock.actors.steps import declare_steps, sender
from crossdock.bridges.rest import amazon, walmart
from crossdock.bridges.rest.client import MarketplaceClient
from crossdock.bridges.rest.inventory import AmazonInventory, InventoryChannel, ShopifyInventory, WalmartInventory
from crossdock.bridges.rest.polling import OrderPoller
from crossdock.bridges.rest.shopify import AUTH_HEADER, ShopifyAdapter
from crossdock.bridges.rest.tokens import LwaToken, StaticToken, TokenSource, WalmartToken
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


def build_shopify(config: MarketplaceConfig, token: TokenSource) -> ShopifyAdapter:
    client = MarketplaceClient("shopify", config.base_url, token=token, token_header=AUTH_HEADER,
                               timeout=config.timeout_s)  # fmt: skip
    return ShopifyAdapter(client, api_version=config.api_version)


def build_amazon(config: MarketplaceConfig, token: TokenSource) -> amazon.AmazonAdapter:
    client = MarketplaceClient("amazon", config.base_url, token=token, token_header=amazon.AUTH_HEADER,
                               timeout=config.timeout_s)  # fmt: skip
    assert config.marketplace_id is not None  # the config validator demands it
    return amazon.AmazonAdapter(client, config.marketplace_id, page_size=config.page_size)


def build_walmart(config: MarketplaceConfig, token: TokenSource) -> walmart.WalmartAdapter:
    client = MarketplaceClient("walmart", config.base_url, token=token, token_header=walmart.AUTH_HEADER,
                               timeout=config.timeout_s)  # fmt: skip
    return walmart.WalmartAdapter(client, page_size=config.page_size)


MARKETPLACES: dict[str, Callable[[MarketplaceConfig, TokenSource], MarketplacePort]] = {
    "shopify": build_shopify,
    "amazon": build_amazon,
    "walmart": build_walmart,
}
"""The channels crossdock confirms shipments to, and how each one's port is built (config, token)."""


def build_marketplaces(
    configs: Mapping[str, MarketplaceConfig], environ: Mapping[str, str] | None = None
) -> dict[str, MarketplacePort]:
    """One port per configured channel, confirming shipments to it, its access token from
    :func:`token_source` (``environ``: ``os.environ`` unless given). Errors name the channel and the
    variable, never a token. Nothing connects."""
    built: dict[str, MarketplacePort] = {}
    for channel, config in configs.items():
        build = MARKETPLACES.get(channel)
        if build is None:
            raise ConfigError(
                f"marketplaces.{channel}: crossdock cannot confirm shipments to {channel!r} "
                f"(it can to: {', '.join(MARKETPLACES)})"
            )
        built[channel] = build(config, token_source(channel, config, environ))
    return built


def build_acknowledgers(marketplaces: Mapping[str, MarketplacePort]) -> dict[str, OrderAcknowledger]:
    """The configured channels whose booked orders are acknowledged: Walmart (it asks within four hours)."""
    return {channel: port for channel, port in marketplaces.items() if isinstance(port, walmart.WalmartAdapter)}


def _env_secret(env: Mapping[str, str], where: str, name: str, field: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{where}: the environment variable {name} ({field}) is not set")
    return value


def token_source(channel: str, config: MarketplaceConfig, environ: Mapping[str, str] | None = None) -> TokenSource:
    """The channel's access tokens: static from ``token_env``, or fetched and renewed (Login with Amazon,
    Walmart client credentials) with the secrets the ``auth`` entry names. Nothing connects here."""
    env = os.environ if environ is None else environ
    where = f"marketplaces.{channel}"
    if config.auth is not None and config.auth.lwa is not None:
        lwa = config.auth.lwa
        return LwaToken(lwa.token_url, lwa.client_id,
                        _env_secret(env, where, lwa.client_secret_env, "auth.lwa.client_secret_env"),
                        _env_secret(env, where, lwa.refresh_token_env, "auth.lwa.refresh_token_env"),
                        timeout_s=config.timeout_s)  # fmt: skip
    if config.auth is not None and config.auth.client_credentials is not None:
        cc = config.auth.client_credentials
        return WalmartToken(cc.token_url,
                            _env_secret(env, where, cc.client_id_env, "auth.client_credentials.client_id_env"),
                            _env_secret(env, where, cc.client_secret_env, "auth.client_credentials.client_secret_env"),
                            timeout_s=config.timeout_s)  # fmt: skip
    assert config.token_env is not None  # the config validator demands token_env or auth
    return StaticToken(_env_secret(env, where, config.token_env, "token_env"))


def build_inventory(
    config: FlowConfig, environ: Mapping[str, str] | None = None, *, push: bool = True
) -> InventoryPorts | None:
    """The inventory flow's rules and, with ``push``, one inventory adapter per ``inventory.push`` channel
    (tokens read from the environment as for the other ports). ``None`` without an ``inventory:`` section."""
    if config.inventory is None:
        return None
    channels: dict[str, InventoryChannel] = {}
    split = config.inventory.split()
    try:
        for channel, target in config.inventory.push.items() if push else ():
            if channel in split:
                channels.update(_shopify_locations(config, target, split[channel], environ))
            else:
                channels[channel] = _inventory_channel(config, channel, target, environ)
    except ConfigError:
        for built in channels.values():
            built.close()
        raise
    return InventoryPorts(config.inventory.rules(), channels, config.inventory.location, split)


def _shopify_locations(
    config: FlowConfig, target: PushTarget, names: Mapping[str, tuple[str, ...]], environ: Mapping[str, str] | None
) -> dict[str, InventoryChannel]:
    """One Shopify adapter per Shopify location (``shopify@<id>``), sharing one client (one store's pacing)."""
    market = config.marketplaces["shopify"]  # the config validator demands it
    client = MarketplaceClient("shopify", market.base_url, token=token_source("shopify", market, environ),
                               token_header=AUTH_HEADER, timeout=market.timeout_s)  # fmt: skip
    return {name: ShopifyInventory(client, api_version=market.api_version, location_id=int(name.split("@")[1]),
                                   item_ids=target.item_ids) for name in names}  # fmt: skip


def _inventory_channel(
    config: FlowConfig, channel: str, target: PushTarget, environ: Mapping[str, str] | None
) -> InventoryChannel:
    market = config.marketplaces[channel]  # the config validator demands it
    header = {"shopify": AUTH_HEADER, "amazon": amazon.AUTH_HEADER, "walmart": walmart.AUTH_HEADER}[channel]
    client = MarketplaceClient(channel, market.base_url, token=token_source(channel, market, environ),
                               token_header=header, timeout=market.timeout_s)  # fmt: skip
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
    :func:`token_source`, and its client (the caller closes it). Nothing connects."""
    if channel not in POLLED_CHANNELS:
        raise ConfigError(f"crossdock polls orders from {' and '.join(POLLED_CHANNELS)}, not {channel!r}")
    market = config.marketplaces.get(channel)
    if market is None:
        raise ConfigError(f"marketplaces.{channel} is not configured in flows.yaml (base_url, token_env or auth)")
    token = token_source(channel, market, environ)
    adapter = build_amazon(market, token) if channel == "amazon" else build_walmart(market, token)
    return adapter, adapter.client


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
        partners.append(TradingPartner(profile, outbound, item.erp_customer_no, item.erp_location_code, item.asn,
                                       item.invoice, item.inventory_advice,
                                       ack_855=item.ack_855))  # fmt: skip
    built = dict(build_marketplaces(config.marketplaces) if marketplaces is None else marketplaces)
    ports = FlowPorts(
        store=store,
        erp=erp if erp is not None else build_erp(config),
        partners=tuple(partners),
        warehouse_partner=config.warehouse_partner,
        warehouse_code=config.warehouse_code,
        item_map=dict(config.item_map),
        channel_customers=dict(config.channel_customers),
        finance=config.finance,
        marketplaces=built,
        acknowledgers=build_acknowledgers(built),
        inventory=build_inventory(config, push=marketplaces is None) if inventory is None else inventory,
        amendments={channel: rules.policy() for channel, rules in config.amendments.items()},
    )
    ports.partner(config.warehouse_partner)  # a ConfigError now, not at the first order
    for partner in ports.partners:
        rules = ports.inventory.rules.channels if ports.inventory is not None else {}
        if partner.inventory_advice and partner.name not in rules:
            raise ConfigError(f"partner {partner.name}: inventory_advice needs an inventory rule "
                              f"(inventory.channels.{partner.name} in flows.yaml)")  # fmt: skip
    return ports


class ClosePorts(Middleware):
    """Closes the flows' ports (SFTP sessions, database pool) when the worker shuts down."""

    def __init__(self, ports: FlowPorts) -> None:
        self.ports = ports

    def after_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        self.ports.close()
        self.ports.store.close()


def build_flow_broker(settings: Settings, ports: FlowPorts, *, sweep_outbox: bool = False) -> Broker:
    """The project's broker with the journal/idempotency store and every flow step declared; with
    ``sweep_outbox`` (a worker process), the outbox sweeper too."""
    broker = build_broker(settings, store=SqlMessageStore(ports.store))
    broker.add_middleware(ClosePorts(ports))
    if sweep_outbox:
        interval, after = settings.outbox_sweep_interval_s, settings.outbox_sweep_after_s
        broker.add_middleware(OutboxSweeper(ports.store, interval_s=interval, after_s=after))
    declare_steps(broker, flows.flow_steps(ports))
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
    if settings.config_dir is None:
        raise ConfigError("config_dir is not set: set CROSSDOCK_CONFIG_DIR to the folder holding flows.yaml")
    return settings.config_dir / FLOWS_FILE


def preflight() -> None:
    """What ``crossdock worker`` checks once, in the master, before it forks a worker process: the
    flows configuration builds (flows.yaml, partner, SFTP and ERP profiles, marketplace tokens), the
    database is at the newest schema, RabbitMQ lets us into the virtual host. Raises the first
    problem as a :class:`~crossdock.errors.CrossdockError`; connects only to check and leaves."""
    from crossdock.broker.probe import check_broker
    from crossdock.store.readiness import require_schema

    settings = load_settings()
    if settings.broker_url is None:
        raise ConfigError("no broker URL: crossdock worker needs RabbitMQ; set CROSSDOCK_BROKER_URL")
    config = load_flow_config(flows_file(settings))
    store = Store.from_settings(settings)
    try:
        build_ports(config, store).close()
        require_schema(store.db)
    finally:
        store.close()
    check_broker(settings.broker_url, timeout_s=min(settings.network_timeout_s, 10.0))


def boot() -> Broker:
    install_log_filter()
    settings = load_settings()
    store = Store.from_settings(settings)
    return build_flow_broker(settings, build_ports(load_flow_config(flows_file(settings)), store), sweep_outbox=True)
