"""Generic flow steps: the thin actor every crossdock flow is made of.

A step's actor decodes its message (:mod:`crossdock.broker.codec`), makes ONE call into the module
that owns the work (the *handler*, importable and testable without a broker), and sends the next
messages it returns, each in an envelope caused by this one (same correlation id, this message as
the cause). Actors are declared by :func:`declare_steps` on a broker passed in, never at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Generic

import dramatiq
from dramatiq.broker import Broker

from crossdock.actors.graph import D, Graph, GraphError, Step
from crossdock.broker import codec
from crossdock.broker.hop import current_hop_or_none
from crossdock.broker.lanes import PRIORITY, Lane
from crossdock.broker.send import send
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.registry import document_type_of
from crossdock.errors import PermanentError


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message a step sends on: ``document`` to ``step`` (a step of the flow graph, one of the
    sender's edges), with ``idempotency_key``. The envelope's document type comes from the document's
    class (:func:`~crossdock.canonical.registry.document_type_of`)."""

    step: Step[Any]
    document: CanonicalModel
    idempotency_key: str
    after_commit: bool = False
    """Send it only once the step's transaction committed (a delivery of what the step recorded):
    inside a worker it waits for the commit; called without one, the step's effects are already
    committed when it returns."""

    def __post_init__(self) -> None:
        if not isinstance(self.document, self.step.takes):
            raise TypeError(
                f"{self.step.name} takes a {self.step.takes.__name__}, not a {type(self.document).__name__}"
            )

    @property
    def document_type(self) -> str:
        return document_type_of(type(self.document))


Handler = Callable[[Envelope, D], Iterable[Outgoing] | None]
Send = Callable[[str, Envelope, CanonicalModel], None]


class StepInputError(PermanentError):
    """A message whose document is not the class its step takes: dead-lettered, never retried."""


@dataclass(frozen=True, slots=True)
class FlowStep(Generic[D]):
    """A step of the graph bound to its handler (:meth:`crossdock.actors.graph.Graph.bind`)."""

    step: Step[D]
    handler: Handler[D]
    options: Mapping[str, Any] = field(default_factory=dict)
    """Actor options (``max_retries``, ``min_backoff``, ``time_limit`` ...)."""
    sends: frozenset[Step[Any]] = frozenset()
    """The steps it may send to (its edges in the graph)."""

    @property
    def name(self) -> str:
        """The actor name, ``<flow>.<step>`` (``orders.to_erp``)."""
        return self.step.name

    @property
    def lane(self) -> Lane:
        return self.step.lane


def bind(graph: Graph, steps: Iterable[FlowStep[Any]]) -> tuple[FlowStep[Any], ...]:
    """``steps`` with their edges from ``graph``; raises :class:`GraphError` unless every step of the
    graph has exactly one handler and every edge goes to a step of the graph."""
    steps = tuple(steps)
    graph.check(s.step for s in steps)
    return tuple(replace(s, sends=frozenset(graph.sends(s.step))) for s in steps)


def run_step(step: FlowStep[Any], payload: str, send: Send) -> None:
    """What the actor does, callable directly in tests: decode, check the document is the step's input,
    one call, send on (``after_commit`` messages once the hop's transaction committed, see
    :attr:`Outgoing.after_commit`). An :class:`Outgoing` to a step that is not one of this step's edges
    raises :class:`GraphError` before anything is sent."""
    decoded = codec.decode(payload)
    takes = step.step.takes
    if not isinstance(decoded.document, takes):
        raise StepInputError(
            f"step {step.name} takes a {step.step.document_type} ({takes.__name__}), got a "
            f"{decoded.envelope.document_type} ({type(decoded.document).__name__})"
        )
    hop = current_hop_or_none()
    outgoing = list(step.handler(decoded.envelope, decoded.document) or ())
    for out in outgoing:
        if out.step not in step.sends:
            edges = ", ".join(sorted(s.name for s in step.sends)) or "none"
            raise GraphError(f"step {step.name} sent to {out.step.name}, which is not one of its edges ({edges})")
    for out in outgoing:
        envelope = decoded.envelope.caused(
            idempotency_key=out.idempotency_key, source=step.name, document_type=out.document_type
        )
        if out.after_commit and hop is not None and hop.claim is not None:
            hop.after_commit.append(partial(send, out.step.name, envelope, out.document))
        else:
            send(out.step.name, envelope, out.document)


def sender(broker: Broker) -> Send:
    def send_on(step_name: str, envelope: Envelope, document: CanonicalModel) -> None:
        send(broker, step_name, envelope, document)

    return send_on


def declare_steps(broker: Broker, steps: Sequence[FlowStep[Any]]) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare one actor per step on ``broker`` (its lane is its queue); returns them by name. Raises
    :class:`GraphError` when a step may send to a step not declared here, or two steps share a name."""
    declared = {s.step for s in steps}
    if len({s.name for s in steps}) != len(steps):
        raise GraphError(f"two steps with one name: {sorted(s.name for s in steps)}")
    for step in steps:
        undeclared = sorted(s.name for s in step.sends - declared)
        if undeclared:
            raise GraphError(f"step {step.name} may send to {', '.join(undeclared)}, not declared")
    send = sender(broker)
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for step in steps:
        options = {**({} if step.step.idempotent else {"idempotent": False}), **step.options}

        def body(payload: str, _step: FlowStep[Any] = step) -> None:
            run_step(_step, payload, send)

        body.__name__ = step.name.replace(".", "_")
        actors[step.name] = dramatiq.actor(
            body,
            broker=broker,
            actor_name=step.name,
            queue_name=step.lane.value,
            priority=PRIORITY[step.lane],
            **options,
        )
    return actors


def publish(broker: Broker, step: Step[Any] | str, envelope: Envelope, document: CanonicalModel) -> str:
    """Send the first message of a flow (from a bridge's sink) to ``step``; returns its message id."""
    return send(broker, str(step), envelope, document).message_id
