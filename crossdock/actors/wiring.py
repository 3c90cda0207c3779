"""Composition of the business flows: flow configuration → ports → the broker's actors, and the sinks
the SFTP poller and the webhook receiver hand their payloads to.

:func:`boot` is a worker entry point (``dramatiq crossdock.actors.wiring:boot``): like
:func:`crossdock.actors.boot.boot`, plus the business flow steps built from
``<partners_path>/flows.yaml``. Building opens no connection: the ERP client loads its WSDL from the
packaged file, SFTP sessions connect on first use; ports are closed when the worker shuts down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dramatiq.broker import Broker
from dramatiq.middleware import Middleware

from crossdock.actors import flows
from crossdock.actors.flow_config import FLOWS_FILE, FlowConfig, load_flow_config
from crossdock.actors.handlers.outbound import FolderOutbound, SftpOutbound
from crossdock.actors.handlers.ports import FlowPorts, Outbound, TradingPartner
from crossdock.actors.intake import StoreInboundSink, StoreWebhookSink
from crossdock.actors.steps import declare_steps, sender
from crossdock.bridges.sftp import SftpSession, load_profile
from crossdock.bridges.soap import ErpGateway, ErpPort, build_breaker, build_erp_client
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
    _, service = build_erp_client(config.erp)
    return ErpGateway(ErpClient(service, default_mapping(), build_breaker(config.erp)))


def build_ports(config: FlowConfig, store: Store, *, erp: ErpPort | None = None) -> FlowPorts:
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
    ports = build_ports(load_flow_config(flows_file(settings)), store)
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
