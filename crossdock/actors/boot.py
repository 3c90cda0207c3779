"""The worker's composition root: settings → store → broker → actors, in that order.

``dramatiq crossdock.actors.boot:boot`` calls :func:`boot` in each
worker process; the broker is set before any actor is declared.
"""

from __future__ import annotations

from collections.abc import Sequence

from dramatiq.broker import Broker

from crossdock.actors import flows
from crossdock.actors.steps import FlowStep, declare_steps
from crossdock.broker.middleware.correlation import install_log_filter
from crossdock.broker.setup import build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.settings import Settings, load_settings
from crossdock.store import Store


def build(settings: Settings, steps: Sequence[FlowStep]) -> Broker:
    store = SqlMessageStore(Store.from_settings(settings))
    broker = build_broker(settings, store=store)
    declare_steps(broker, steps)
    return broker


def boot() -> Broker:
    install_log_filter()
    return build(load_settings(), flows.STEPS)
