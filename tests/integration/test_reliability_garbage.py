"""Garbage on a queue is dead-lettered with a clear reason and never stops the worker."""

from __future__ import annotations

import contextlib
import json
import subprocess

import pika
import pytest
from typer.testing import CliRunner

from crossdock.cli import app
from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # about the broker, not the database


def dramatiq_body(payload: object, actor: str = "probe.effect") -> bytes:
    return json.dumps(
        {
            "queue_name": "orders",
            "actor_name": actor,
            "args": [payload],
            "kwargs": {},
            "options": {},
            "message_id": f"garbage-{actor}-{len(str(payload))}",
            "message_timestamp": 0,
        }
    ).encode()


def publish_between_good_messages_and_consume(probe_run: ProbeRun, garbage: list[bytes]) -> subprocess.Popen[bytes]:
    """Publish ``garbage`` straight onto the orders queue with pika (after SKU-BEFORE, before
    SKU-AFTER), start a worker, and wait until the garbage is dead-lettered and both good messages ran."""
    with contextlib.closing(probe_run.vhost.connection()) as conn:
        channel = conn.channel()
        for body in garbage:
            channel.basic_publish("", "orders", body, pika.BasicProperties(delivery_mode=2))
    probe_run.send("SKU-AFTER")
    worker = probe_run.start_worker(threads=2)
    wait_for(lambda: probe_run.vhost.queue_counts("orders.XQ")[0] == len(garbage), 60, message="garbage dead-lettered")
    wait_for(lambda: len(probe_run.effects()) == 2, 30, message="good messages processed")
    return worker


def test_garbage_is_dead_lettered_with_reasons_and_the_worker_keeps_going(probe_run: ProbeRun) -> None:
    envelope_v9 = probe_run.app.probe_message("SKU-V9")[0].model_dump(mode="json") | {"schema_version": 9}
    wrong_version = json.dumps({"envelope": envelope_v9, "document": {}})
    probe_run.send("SKU-BEFORE")  # declares the queues
    garbage = [
        b"\x00\x01 not json at all",  # not a Dramatiq message
        b'{"queue_name": "orders"}',  # JSON, but not a Dramatiq message
        dramatiq_body('{"envelope": {"schema_version": 1,'),  # bad JSON in the payload
        dramatiq_body(wrong_version),  # a schema version this worker does not read
        dramatiq_body("{}", actor="no.such.actor"),  # an actor nobody declared
    ]

    # Given garbage published straight onto the orders queue with pika, when a worker consumes it
    worker = publish_between_good_messages_and_consume(probe_run, garbage)

    # Then each piece is dead-lettered with its reason, good messages went through, the worker is alive
    assert sorted(probe_run.effects()) == ["SKU-AFTER", "SKU-BEFORE"]
    assert worker.poll() is None
    result = CliRunner().invoke(app, ["dlq", "list", "--json"], env=probe_run.env)
    assert result.exit_code == 0, result.output
    reasons = sorted(letter["reason"] for letter in json.loads(result.output))
    assert len(reasons) == 5
    assert sum("not a Dramatiq message" in r for r in reasons) == 2
    assert any("bad JSON at line 1" in r for r in reasons)
    assert any("schema_version 9 is not supported" in r for r in reasons)
    assert any("'no.such.actor', which this worker does not know" in r for r in reasons)
    # and garbage is never replayed into the lanes
    replay = CliRunner().invoke(app, ["dlq", "replay", "--all", "--json"], env=probe_run.env)
    assert replay.exit_code == 0
    assert {x["id"] for x in json.loads(replay.output)["replayed"]} <= {
        json.loads(b)["message_id"] for b in garbage[2:]
    }


def test_dramatiq_fields_of_the_wrong_type_are_dead_lettered_not_lost(probe_run: ProbeRun) -> None:
    good = json.loads(dramatiq_body("{}"))
    garbage = [
        json.dumps(good | {"options": "x", "message_id": "bad-options"}).encode(),
        json.dumps(good | {"kwargs": ["x"], "message_id": "bad-kwargs"}).encode(),
        json.dumps(good | {"actor_name": ["probe.effect"], "message_id": "bad-actor"}).encode(),
        json.dumps(good | {"message_timestamp": "yesterday", "message_id": "bad-timestamp"}).encode(),
    ]
    probe_run.send("SKU-BEFORE")  # declares the queues

    # Given Dramatiq-shaped JSON whose fields have the wrong types on the queue, when a worker consumes it
    worker = publish_between_good_messages_and_consume(probe_run, garbage)

    # Then every one is kept in the dead-letter queue with the field that is wrong, and the worker lives
    assert worker.poll() is None
    result = CliRunner().invoke(app, ["dlq", "list", "--json"], env=probe_run.env)
    assert result.exit_code == 0, result.output
    reasons = sorted(letter["reason"] for letter in json.loads(result.output))
    assert len(reasons) == 4 and all("not a Dramatiq message" in r for r in reasons), reasons
