"""Sending a canonical message: the Dramatiq message id IS the envelope's message id, so the journal,
the dead-letter queue, logs and the next hop's ``causation_id`` all name a message the same way."""

from __future__ import annotations

from typing import Any

from dramatiq.broker import Broker
from dramatiq.message import Message

from crossdock.broker import codec
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope


def message_for(broker: Broker, actor_name: str, payload: str, envelope: Envelope, **options: Any) -> Message[Any]:
    actor = broker.get_actor(actor_name)
    return Message(
        queue_name=actor.queue_name,
        actor_name=actor.actor_name,
        args=(payload,),
        kwargs={},
        options=options,
        message_id=envelope.message_id,
    )


def send(broker: Broker, actor_name: str, envelope: Envelope, document: CanonicalModel) -> Message[Any]:
    """Enqueue ``document`` in ``envelope`` for the actor ``actor_name``; returns the enqueued message."""
    return broker.enqueue(message_for(broker, actor_name, codec.encode(envelope, document), envelope))
