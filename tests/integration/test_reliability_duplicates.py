"""Real RabbitMQ, real worker processes, the real store (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration


def test_a_message_sent_twice_has_one_effect(probe_run: ProbeRun) -> None:
    # Given the same business message sent twice (two messages, one idempotency key)
    first = probe_run.send("SKU-DUP", key="order-1001")
    second = probe_run.send("SKU-DUP", key="order-1001")
    assert first != second
    probe_run.send("SKU-OTHER")

    # When a worker process consumes them
    probe_run.start_worker(threads=2)
    wait_for(lambda: len(probe_run.journal()) == 3, 60, message="three journal rows")

    # Then the effect happened once, and the second delivery is journaled as a duplicate
    effects = probe_run.effects()
    assert sorted(effects) == ["SKU-DUP", "SKU-OTHER"]
    assert probe_run.journal() == ["duplicate", "succeeded", "succeeded"]
