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


def test_trace_shows_every_hop_of_a_business_key(probe_run: ProbeRun) -> None:
    import json

    from typer.testing import CliRunner

    from crossdock.cli import app

    probe_run.send("SKU-TRACE", key="order-2002")
    probe_run.send("SKU-TRACE", key="order-2002")
    probe_run.start_worker(threads=1)
    wait_for(lambda: len(probe_run.journal()) == 2, 60, message="two journal rows")

    result = CliRunner().invoke(app, ["trace", "SKU-TRACE", "--json"], env=probe_run.env)
    assert result.exit_code == 0, result.output
    trace = json.loads(result.output)
    assert [h["status"] for h in trace["hops"]] == ["succeeded", "duplicate"]
    assert {h["queue"] for h in trace["hops"]} == {"orders"}
    assert all(h["duration_ms"] is not None for h in trace["hops"])
    # a wide terminal: at 80 columns rich shortens every column once a hop takes 100 ms or more
    table = CliRunner().invoke(app, ["trace", "SKU-TRACE"], env={**probe_run.env, "COLUMNS": "200"})
    assert table.exit_code == 0 and "probe.effect" in table.output
    missing = CliRunner().invoke(app, ["trace", "NO-SUCH-KEY"], env=probe_run.env)
    assert missing.exit_code == 1
