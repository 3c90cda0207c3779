"""A step's ``after_commit`` messages (an outbox delivery) are sent only once its hop committed, and
never when the hop's commit fails or the step fails."""

from __future__ import annotations

from typing import Any

from crossdock.actors.context import StepContext
from crossdock.actors.graph import Graph, Step
from crossdock.actors.steps import FlowStep, Outgoing, bind, declare_steps
from crossdock.broker.lanes import Lane
from crossdock.canonical import InventoryLevel
from crossdock.canonical.base import CanonicalModel
from crossdock.errors import TransientError
from tests.unit.broker.conftest import Harness, inventory, wire

RECORD = Step("inventory.record", Lane.INVENTORY, InventoryLevel)
DELIVERY = Step("inventory.delivery", Lane.INVENTORY, InventoryLevel)
NEXT = Step("inventory.next", Lane.INVENTORY, InventoryLevel)
GRAPH = Graph({RECORD: (DELIVERY, NEXT), DELIVERY: (), NEXT: ()})


def steps(harness: Harness, *, fail: bool = False) -> list[tuple[str, bool]]:
    """Declare ``inventory.record`` (returns an after-commit message and an ordinary one) and the two
    receivers; returns what the receivers saw: (which, whether the record step was committed then)."""
    seen: list[tuple[str, bool]] = []

    def record(ctx: StepContext, document: CanonicalModel) -> list[Outgoing]:
        if fail:
            raise TransientError("the step failed after recording")
        return [
            Outgoing(DELIVERY, inventory(), "k-delivery", after_commit=True),
            Outgoing(NEXT, inventory(), "k-next"),
        ]

    def receiver(name: str) -> Any:
        def receive(ctx: StepContext, document: CanonicalModel) -> None:
            seen.append((name, ("inventory.record", "k-1") in harness.store.done))

        return receive

    declare_steps(harness.broker, bind(GRAPH, [
        FlowStep(RECORD, record, {"max_retries": 0}),
        FlowStep(DELIVERY, receiver("delivery")),
        FlowStep(NEXT, receiver("next")),
    ]))  # fmt: skip
    return seen


def test_an_after_commit_message_is_sent_once_the_step_committed(harness: Harness) -> None:
    seen = steps(harness)
    harness.broker.get_actor("inventory.record").send(wire("k-1"))
    harness.run()
    assert ("delivery", True) in seen and len([s for s in seen if s[0] == "delivery"]) == 1
    assert [s[0] for s in seen].count("next") == 1


def test_a_failed_commit_sends_no_after_commit_message(harness: Harness) -> None:
    seen = steps(harness)
    harness.store.fail_commits = True
    harness.broker.get_actor("inventory.record").send(wire("k-1"))
    harness.run()
    assert [s for s in seen if s[0] == "delivery"] == []
    assert ("inventory.record", "k-1") not in harness.store.done  # rejected to the dead letters, not marked


def test_a_failed_step_sends_no_after_commit_message(harness: Harness) -> None:
    seen = steps(harness, fail=True)
    harness.broker.get_actor("inventory.record").send(wire("k-1"))
    harness.run()
    assert seen == []
    assert harness.store.rollbacks == 1
