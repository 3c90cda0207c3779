"""Generic flow steps: the thin actor every crossdock flow is made of.

A step's actor decodes its message (:mod:`crossdock.broker.codec`), makes ONE call into the module
that owns the work (the *handler*, importable and testable without a broker), and sends the next
messages it returns, each in an envelope caused by this one (same correlation id, this message as
the cause). Actors are declared by :func:`declare_steps` on a broker passed in, never at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import dramatiq
from dramatiq.broker import Broker

from crossdock.broker import codec
from crossdock.broker.hop import current_hop_or_none
from crossdock.broker.lanes import PRIORITY, Lane
from crossdock.broker.send import send
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message a step sends on: ``document`` to the step named ``step``."""

    step: str
    document_type: str
    document: CanonicalModel
    idempotency_key: str
    after_commit: bool = False
    """Send it only once the step's transaction committed (a delivery of what the step recorded):
    inside a worker it waits for the commit; called without one, the step's effects are already
    committed when it returns."""


Handler = Callable[[Envelope, CanonicalModel], Iterable[Outgoing] | None]
Send = Callable[[str, Envelope, CanonicalModel], None]


@dataclass(frozen=True, slots=True)
class FlowStep:
    name: str
    """The actor name, ``<flow>.<step>`` (``orders.ingest``)."""
    lane: Lane
    handler: Handler
    options: Mapping[str, Any] = field(default_factory=dict)
    """Actor options (``max_retries``, ``min_backoff``, ``time_limit`` ...)."""


def run_step(step: FlowStep, payload: str, send: Send) -> None:
    """What the actor does, callable directly in tests: decode, one call, send on (``after_commit``
    messages once the hop's transaction committed, see :attr:`Outgoing.after_commit`)."""
    decoded = codec.decode(payload)
    hop = current_hop_or_none()
    for out in step.handler(decoded.envelope, decoded.document) or ():
        envelope = decoded.envelope.caused(
            idempotency_key=out.idempotency_key, source=step.name, document_type=out.document_type
        )
        if out.after_commit and hop is not None and hop.claim is not None:
            hop.after_commit.append(partial(send, out.step, envelope, out.document))
        else:
            send(out.step, envelope, out.document)


def sender(broker: Broker) -> Send:
    def send_on(step_name: str, envelope: Envelope, document: CanonicalModel) -> None:
        send(broker, step_name, envelope, document)

    return send_on


def declare_steps(broker: Broker, steps: Sequence[FlowStep]) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare one actor per step on ``broker`` (its lane is its queue); returns them by name."""
    send = sender(broker)
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for step in steps:

        def body(payload: str, _step: FlowStep = step) -> None:
            run_step(_step, payload, send)

        body.__name__ = step.name.replace(".", "_")
        actors[step.name] = dramatiq.actor(
            body,
            broker=broker,
            actor_name=step.name,
            queue_name=step.lane.value,
            priority=PRIORITY[step.lane],
            **dict(step.options),
        )
    return actors


def publish(broker: Broker, step_name: str, envelope: Envelope, document: CanonicalModel) -> str:
    """Send the first message of a flow (from a bridge's sink); returns its message id."""
    return send(broker, step_name, envelope, document).message_id
