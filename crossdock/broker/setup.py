"""Build the broker from settings: one function, called once by a composition root, never at import.

* no ``broker_url``: Dramatiq's in-memory ``StubBroker`` (messages live in this process only; run
  them with :func:`start_embedded_worker`);
* ``broker_url=amqp://...``: :class:`CrossdockRabbitmqBroker` with publisher confirms on, durable
  queues, and a timeout on every socket operation.

The broker is made Dramatiq's global broker (``dramatiq.set_broker``) *before* any actor is
declared; actors are declared by functions that take the broker (:mod:`crossdock.actors`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dramatiq
from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, Middleware, Pipelines, ShutdownNotifications, TimeLimit

from crossdock.broker.middleware.correlation import Correlation
from crossdock.broker.middleware.lifecycle import HopLifecycle
from crossdock.broker.middleware.metrics import Metrics
from crossdock.broker.middleware.size_limit import SizeLimit
from crossdock.broker.ports import MessageStore
from crossdock.broker.rabbitmq import CrossdockRabbitmqBroker
from crossdock.settings import Settings

CONNECTION_DEFAULTS = {
    "heartbeat": "30",
    "blocked_connection_timeout": "30",
    "connection_attempts": "3",
    "retry_delay": "1",
}


def amqp_parameters_url(broker_url: str, timeout_s: float) -> str:
    """``broker_url`` with pika timeouts added where the URL does not set them."""
    parts = urlsplit(broker_url)
    query = dict(parse_qsl(parts.query))
    for key, value in {
        **CONNECTION_DEFAULTS,
        "socket_timeout": str(timeout_s),
        "stack_timeout": str(timeout_s),
    }.items():
        query.setdefault(key, value)
    return urlunsplit(parts._replace(query=urlencode(query)))


def crossdock_middleware(settings: Settings, store: MessageStore | None, *, metrics: bool = True) -> list[Middleware]:
    """Dramatiq's defaults minus ``Retries`` (replaced by the :class:`HopLifecycle`), plus crossdock's, in
    hook order. The lifecycle comes last: its settle runs first after the step, so metrics (before it
    in the chain) see the hop's outcome and correlation (also before it) still has the hop in context."""
    chain: list[Middleware] = [AgeLimit(), TimeLimit(), ShutdownNotifications(), Callbacks(), Pipelines()]
    if metrics:
        chain.append(Metrics(port=settings.metrics_port))
    chain += [
        Correlation(),
        SizeLimit(settings.max_message_bytes),
        HopLifecycle(
            store,
            max_retries=settings.max_retries,
            min_backoff=settings.min_backoff_ms,
            max_backoff=settings.max_backoff_ms,
        ),
    ]
    return chain


def build_broker(settings: Settings, *, store: MessageStore | None = None, metrics: bool = True) -> Broker:
    """The project's broker, set as Dramatiq's global broker. Does no network IO itself."""
    middleware = crossdock_middleware(settings, store, metrics=metrics)
    broker: Broker
    if settings.broker_url is None:
        broker = StubBroker(middleware=middleware)
    else:
        broker = CrossdockRabbitmqBroker(
            url=amqp_parameters_url(settings.broker_url, settings.network_timeout_s),
            confirm_delivery=True,
            middleware=middleware,
            queue_type=settings.queue_type,
            delivery_limit=settings.quorum_delivery_limit,
        )
    dramatiq.set_broker(broker)
    return broker


def start_embedded_worker(broker: Broker, *, threads: int = 4) -> dramatiq.Worker:
    """An in-process worker for the in-memory broker (or for tests); call ``.stop()`` when done."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker
