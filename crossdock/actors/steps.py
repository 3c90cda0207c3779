"""Generic flow steps: the thin actor every crossdock flow is made of.

A step's actor takes its message's document (decoded once: in a worker, from the JSON data the hop
parsed with the envelope), checks it is the class its step takes, makes ONE call into the module that
owns the work (the *handler*, importable and testable without a broker) with a
:class:`~crossdock.actors.context.StepContext`, checks that what it returns goes to the step's edges in
the flow graph (:mod:`crossdock.actors.graph`), and sends it on, each message in an envelope caused by
this one (same correlation id, this message as the cause). The runner is the one place where the
middleware's hop reaches the flows. Actors are declared by :func:`declare_steps` on a broker passed
in, never at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Generic

import dramatiq
from dramatiq.broker import Broker
from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.graph import D, Graph, GraphError, Step
from crossdock.broker import codec
from crossdock.broker.hop import current_hop_or_none
from crossdock.broker.lanes import PRIORITY, Lane
from crossdock.broker.send import send
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.registry import document_type_of
from crossdock.errors import PermanentError
from crossdock.store import Store


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
                f"{self.step.name} takes {self.step.takes.__name__}, not {type(self.document).__name__}"
            )

    @property
    def document_type(self) -> str:
        return document_type_of(type(self.document))


Handler = Callable[[StepContext, D], Iterable[Outgoing] | None]
Send = Callable[[str, Envelope, CanonicalModel], None]


class StepInputError(PermanentError):
    """A message whose document is not the class its step takes: dead-lettered, never retried."""


@dataclass(frozen=True, slots=True)
class FlowStep(Generic[D]):
    """A step of the graph bound to its handler (:func:`bind`)."""

    step: Step[D]
    handler: Handler[D]
    options: Mapping[str, Any] = field(default_factory=dict)
    """Actor options (``max_retries``, ``min_backoff``, ``time_limit`` ...)."""
    sends: frozenset[Step[Any]] = frozenset()
    """The steps it may send to (its edges in the graph)."""
    store: Store | None = None
    """Where the step's transaction is opened when it runs outside a worker (or without a claim)."""

    @property
    def name(self) -> str:
        """The actor name, ``<flow>.<step>`` (``orders.to_erp``)."""
        return self.step.name

    @property
    def lane(self) -> Lane:
        return self.step.lane


def bind(graph: Graph, steps: Iterable[FlowStep[Any]], *, store: Store | None = None) -> tuple[FlowStep[Any], ...]:
    """``steps`` with their edges from ``graph`` (and ``store``); raises :class:`GraphError` unless every
    step of the graph has exactly one handler and every edge goes to a step of the graph."""
    steps = tuple(steps)
    graph.check(s.step for s in steps)
    return tuple(replace(s, sends=frozenset(graph.sends(s.step)), store=store or s.store) for s in steps)


def call(step: FlowStep[D], envelope: Envelope, document: D, *, session: Session | None = None) -> list[Outgoing]:
    """One call of ``step``'s handler with its :class:`StepContext`: in ``session`` (the hop's
    transaction, left open for the hop lifecycle), or in a write transaction of the step's store begun
    when the handler first uses it and committed here when it returns (rolled back when it raises).
    Raises :class:`GraphError` (rolling back) for an :class:`Outgoing` to a step that is not one of
    this step's edges."""
    context = StepContext(step.step, envelope, step.store, session)
    try:
        outgoing = list(step.handler(context, document) or ())
        for out in outgoing:
            if out.step not in step.sends:
                edges = ", ".join(sorted(s.name for s in step.sends)) or "none"
                raise GraphError(f"step {step.name} sent to {out.step.name}, which is not one of its edges ({edges})")
    except BaseException as exc:
        context.finish(exc)
        raise
    context.finish()
    return outgoing


def run_step(step: FlowStep[Any], payload: str, send: Send) -> None:
    """What the actor does, callable directly in tests: decode (in a worker, the document data the hop
    read with the envelope: the payload is parsed once), check the document is the step's input class,
    one :func:`call`, send on (``after_commit`` messages once the hop's transaction committed, see
    :attr:`Outgoing.after_commit`)."""
    hop = current_hop_or_none()
    if hop is not None and hop.step == step.name and hop.document is not None:
        envelope, document = hop.envelope, codec.decode_document(hop.envelope, hop.document)
    else:
        hop = None  # not this message's hop (called directly): nothing of a worker's to join
        decoded = codec.decode(payload)
        envelope, document = decoded.envelope, decoded.document
    takes = step.step.takes
    if not isinstance(document, takes):
        raise StepInputError(
            f"step {step.name} takes {step.step.document_type} ({takes.__name__}), got "
            f"{envelope.document_type} ({type(document).__name__})"
        )
    claim = hop.claim if hop is not None else None
    session = claim.connection if claim is not None and isinstance(claim.connection, Session) else None
    for out in call(step, envelope, document, session=session):
        caused = envelope.caused(idempotency_key=out.idempotency_key, source=step.name, document_type=out.document_type)
        if out.after_commit and hop is not None and claim is not None:
            hop.after_commit.append(partial(send, out.step.name, caused, out.document))
        else:
            send(out.step.name, caused, out.document)


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
