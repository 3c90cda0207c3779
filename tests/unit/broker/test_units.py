"""Pure pieces of the backbone: error decisions, AMQP URL timeouts, dead-letter parsing, flow steps."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from crossdock.actors.graph import Step
from crossdock.actors.steps import FlowStep, Outgoing, run_step
from crossdock.broker import codec, dlq
from crossdock.broker.deadletter import REASON_HEADER
from crossdock.broker.lanes import Lane
from crossdock.broker.middleware.error_policy import Decision, decide
from crossdock.broker.queue_stats import _vhost_and_auth
from crossdock.broker.setup import amqp_parameters_url
from crossdock.canonical import InventoryLevel
from crossdock.cli import app
from crossdock.errors import BusinessError, ConfigError, EdiError, MappingError, PermanentError, TransientError
from tests.unit.broker.conftest import inventory, wire


@pytest.mark.parametrize(
    ("error", "retries", "decision"),
    [
        (TransientError("x"), 0, Decision.RETRY),
        (TransientError("x"), 3, Decision.DEAD_LETTER),
        (RuntimeError("x"), 2, Decision.RETRY),
        (BusinessError("x"), 0, Decision.PARK),
        (MappingError("x"), 0, Decision.PARK),
        (PermanentError("x"), 0, Decision.DEAD_LETTER),
        (ConfigError("x"), 0, Decision.DEAD_LETTER),
        (EdiError("x"), 0, Decision.DEAD_LETTER),
    ],
)
def test_error_policy_decides_by_class(error: BaseException, retries: int, decision: Decision) -> None:
    assert decide(error, retries, max_retries=3) is decision


def test_amqp_url_gets_timeouts_but_keeps_what_the_user_set() -> None:
    url = amqp_parameters_url("amqp://u:p@127.0.0.1:5672/v?heartbeat=5", 7.5)
    assert "heartbeat=5" in url and "socket_timeout=7.5" in url and "blocked_connection_timeout=30" in url


def test_vhost_and_credentials_come_from_the_broker_url() -> None:
    assert _vhost_and_auth("amqp://anna:s%40cret@h:5672/crossdock%2Fprod") == ("crossdock/prod", ("anna", "s@cret"))
    assert _vhost_and_auth("amqp://h:5672") == ("/", ("guest", "guest"))


def dramatiq_message(payload: object, **options: object) -> bytes:
    return json.dumps(
        {
            "queue_name": "orders.DQ",
            "actor_name": "orders.ingest",
            "args": [payload],
            "kwargs": {},
            "options": options,
            "message_id": "m-1",
            "message_timestamp": 1,
        }
    ).encode()


def test_dead_letter_parsing_reads_reason_retries_and_keys() -> None:
    body = dramatiq_message(
        wire("k-5", sku="SKU-9"),
        retries=4,
        dead_letter={"reason": "boom", "error": "TransientError: boom", "retries": 3, "dead_lettered_at": "t"},
    )
    letter = dlq.parse("orders", body, {})
    assert (letter.id, letter.queue, letter.actor, letter.reason, letter.retries) == (
        "m-1",
        "orders",
        "orders.ingest",
        "boom",
        3,
    )
    assert letter.business_key == "sku=SKU-9" and letter.idempotency_key == "k-5" and letter.replayable


def test_garbage_dead_letters_are_named_by_hash_and_never_replayable() -> None:
    letter = dlq.parse("orders", b"\xff\xfe", {REASON_HEADER: b"not a Dramatiq message: x"})
    assert letter.id.startswith("raw-") and not letter.replayable
    assert letter.reason == "not a Dramatiq message: x"
    rejected = dlq.parse("orders", b"junk", {"x-death": [{"reason": b"rejected"}]})
    assert "rejected by a worker (rejected)" in rejected.reason


def test_replay_body_clears_retry_state_and_returns_to_the_lane_queue() -> None:
    body = dramatiq_message("{}", retries=3, dead_letter={"reason": "x"}, last_error="e", correlation_id="c")
    replayed = json.loads(dlq.replay_body(body))
    assert replayed["queue_name"] == "orders"
    assert "retries" not in replayed["options"] and "dead_letter" not in replayed["options"]
    assert replayed["options"]["correlation_id"] == "c" and "replayed_at" in replayed["options"]
    assert replayed["message_id"] == "m-1"


def test_run_step_sends_caused_envelopes() -> None:
    sent: list[tuple[str, object, object]] = []

    def handler(ctx: object, document: object) -> list[Outgoing]:
        return [Outgoing(publish_step, inventory("SKU-2"), "k-next")]

    publish_step = Step("inventory.publish", Lane.INVENTORY, InventoryLevel)
    step = FlowStep(Step("inventory.receive", Lane.INVENTORY, InventoryLevel), handler, sends=frozenset({publish_step}))
    payload = wire("k-first")
    run_step(step, payload, lambda name, env, doc: sent.append((name, env, doc)))
    [(name, envelope, document)] = sent
    first = codec.decode(payload).envelope
    assert name == "inventory.publish"
    assert envelope.correlation_id == first.correlation_id  # type: ignore[attr-defined]
    assert envelope.causation_id == first.message_id  # type: ignore[attr-defined]
    assert envelope.source == "inventory.receive"  # type: ignore[attr-defined]
    assert document == inventory("SKU-2")


@pytest.mark.parametrize("command", [["worker"], ["queues"], ["dlq", "list"]])
def test_commands_that_need_rabbitmq_refuse_the_embedded_broker(command: list[str]) -> None:
    result = CliRunner().invoke(app, command, env={"CROSSDOCK_BROKER_URL": None, "CROSSDOCK_CONFIG": None})
    assert result.exit_code == 2, result.output
    assert "no broker URL" in result.output
