"""One cheap, read-only look at RabbitMQ: can crossdock log in to its virtual host? What ``crossdock
worker`` checks before it forks (a missing vhost would otherwise loop on CRITICAL errors forever) and
``crossdock config check --connect`` reports. pika's many "cannot connect" classes become one
:class:`BrokerUnreachableError` naming the URL (password masked) and the reason."""

from __future__ import annotations

import contextlib

import pika
import pika.exceptions

from crossdock.errors import TransientError
from crossdock.settings import mask_url_password


class BrokerUnreachableError(TransientError):
    """RabbitMQ cannot be reached, refuses the login, or has no such virtual host."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, pika.exceptions.ProbableAccessDeniedError):
        return "access refused: the virtual host does not exist or the user may not use it"
    if isinstance(exc, pika.exceptions.ProbableAuthenticationError):
        return "authentication failed (user or password)"
    if isinstance(exc, pika.exceptions.ConnectionClosedByBroker):
        return f"closed by the broker: {exc.reply_code} {exc.reply_text}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    inner = getattr(exc, "exception", None) or (exc.args[0] if exc.args else None)
    if isinstance(inner, BaseException):  # pika wraps the socket's error, sometimes twice
        return _reason(inner)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def check_broker(amqp_url: str, *, timeout_s: float = 10.0) -> str:
    """Log in to ``amqp_url``'s virtual host and leave; returns the broker's product and version.
    Raises :class:`BrokerUnreachableError`."""
    where = mask_url_password(amqp_url)
    try:
        parameters = pika.URLParameters(amqp_url)
    except Exception as exc:  # pika raises ValueError, KeyError ... for a malformed URL
        raise BrokerUnreachableError(f"RabbitMQ {where}: not a valid amqp URL ({type(exc).__name__})") from None
    parameters.socket_timeout = timeout_s
    parameters.stack_timeout = timeout_s
    parameters.blocked_connection_timeout = timeout_s
    parameters.connection_attempts = 1
    try:
        connection = pika.BlockingConnection(parameters)
    except (pika.exceptions.AMQPError, OSError) as exc:
        raise BrokerUnreachableError(f"RabbitMQ {where}: {_reason(exc)}") from exc
    try:
        server = connection._impl.server_properties or {}
        product = server.get("product", b"RabbitMQ")
        version = server.get("version", b"")
        text = [v.decode() if isinstance(v, bytes) else str(v) for v in (product, version)]
        return " ".join(t for t in text if t)
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError):
            connection.close()
