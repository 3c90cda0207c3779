"""Middleware wiring on Dramatiq's real in-memory broker (proves wiring, not reliability)."""

from __future__ import annotations

import json
import logging

import pytest

from crossdock.broker import hop as hops
from crossdock.broker.middleware.correlation import CorrelationLogFilter
from crossdock.broker.middleware.errors import MessageTooLargeError
from crossdock.broker.middleware.metrics import Metrics
from crossdock.broker.ports import HopStatus
from crossdock.errors import BusinessError, Owner, PermanentError, TransientError
from tests.unit.broker.conftest import Harness, wire


def test_success_commits_effect_mark_and_journal_together(harness: Harness) -> None:
    def step(payload: str) -> None:
        hops.current_hop().claim.connection.append(("effect", payload[:10]))  # type: ignore[union-attr]

    actor = harness.actor(step, "inventory.apply")
    actor.send(wire("k-1"))
    harness.run()

    assert len(harness.store.effects) == 1
    assert ("inventory.apply", "k-1") in harness.store.done
    [record] = harness.store.hops
    assert record.status is HopStatus.SUCCEEDED
    assert record.raw_payload is not None and record.payload_sha256  # first hop keeps its raw payload
    assert record.business_keys == (("sku", "SKU-1"),)


def test_same_idempotency_key_twice_runs_the_step_once_and_journals_a_duplicate(harness: Harness) -> None:
    calls: list[str] = []
    actor = harness.actor(calls.append, "inventory.apply")
    actor.send(wire("same"))
    harness.run()
    actor.send(wire("same"))
    harness.run()

    assert len(calls) == 1
    assert harness.store.statuses() == [HopStatus.SUCCEEDED, HopStatus.DUPLICATE]


def test_failing_idempotency_store_stops_the_step(harness: Harness) -> None:
    # Given a store that fails: emit_before would swallow an ordinary exception and run the actor.
    harness.store.fail_claims = True
    calls: list[str] = []
    actor = harness.actor(calls.append, "inventory.apply")
    actor.send(wire())
    harness.run()

    # Then the actor never ran, and the message was retried then dead-lettered with the store error.
    assert calls == []
    [dead] = harness.broker.dead_letters
    assert dead.options["retries"] == 2
    assert "StoreUnavailableError" in dead.options["dead_letter"]["error"]


def test_transient_error_is_retried_then_dead_lettered_with_its_error(harness: Harness) -> None:
    attempts: list[str] = []

    def flaky(payload: str) -> None:
        attempts.append(payload)
        raise TransientError("ERP timed out")

    harness.actor(flaky, "erp.post").send(wire())
    harness.run()

    assert len(attempts) == 3  # first try + max_retries=2
    [dead] = harness.broker.dead_letters
    assert dead.options["dead_letter"]["error"] == "TransientError: ERP timed out"
    assert dead.options["dead_letter"]["retries"] == 2
    assert harness.store.statuses() == [HopStatus.RETRIED, HopStatus.RETRIED, HopStatus.DEAD_LETTERED]
    assert harness.store.rollbacks == 3
    # and the dead letter is journaled in the store too (it outlives the broker's 7-day copy)
    [journaled] = harness.store.dead_letters
    assert (journaled.message_id, journaled.actor, journaled.retries) == (dead.message_id, "erp.post", 2)
    assert journaled.error == "TransientError: ERP timed out" and journaled.body


def test_malformed_retry_options_from_another_producer_still_retry_then_dead_letter(harness: Harness) -> None:
    # Given a message whose producer wrote garbage retry options, and a step that fails
    attempts: list[str] = []

    def failing(payload: str) -> None:
        attempts.append(payload)
        raise RuntimeError("boom")

    actor = harness.actor(failing, "erp.post")
    harness.broker.enqueue(actor.message_with_options(args=(wire(),), retries="zz", max_retries="many"))
    harness.run()

    # Then the error policy reads them as absent: retried max_retries times, then dead-lettered, not lost
    assert len(attempts) == 3
    [dead] = harness.broker.dead_letters
    assert dead.options["dead_letter"]["retries"] == 2
    assert harness.store.statuses() == [HopStatus.RETRIED, HopStatus.RETRIED, HopStatus.DEAD_LETTERED]


def test_a_library_error_whose_reason_is_not_text_is_dead_lettered_with_its_description(harness: Harness) -> None:
    class LibraryError(Exception):
        def __init__(self) -> None:
            super().__init__("remote end closed")
            self.reason = OSError(104, "Connection reset by peer")  # as urllib's URLError carries it

    def failing(payload: str) -> None:
        raise LibraryError()

    harness.actor(failing, "erp.post", max_retries=0).send(wire())
    harness.run()

    [dead] = harness.broker.dead_letters
    assert dead.options["dead_letter"]["reason"] == "LibraryError: remote end closed"
    json.dumps(dead.options)  # the dead letter is still encodable as a Dramatiq message


def test_unknown_exception_is_treated_as_transient(harness: Harness) -> None:
    attempts: list[str] = []

    def broken(payload: str) -> None:
        attempts.append(payload)
        raise KeyError("surprise")

    harness.actor(broken, "inventory.apply").send(wire())
    harness.run()
    assert len(attempts) == 3


def test_business_error_is_parked_for_its_owner_not_retried(harness: Harness) -> None:
    attempts: list[str] = []

    def unknown_sku(payload: str) -> None:
        attempts.append(payload)
        raise BusinessError("unknown SKU SKU-1", owner=Owner.WAREHOUSE, key="SKU-1")

    harness.actor(unknown_sku, "inventory.apply").send(wire())
    harness.run()

    assert len(attempts) == 1
    assert harness.broker.dead_letters == []
    [item] = harness.store.exceptions
    assert item["owner"] == "warehouse" and item["key"] == "SKU-1" and item["code"] == "BusinessError"
    assert harness.store.dead_letters == []
    assert harness.store.statuses() == [HopStatus.PARKED]
    assert harness.store.done == set()  # not marked processed: a fix plus a replay runs it


def test_permanent_error_is_dead_lettered_at_once(harness: Harness) -> None:
    attempts: list[str] = []

    def bad(payload: str) -> None:
        attempts.append(payload)
        raise PermanentError("cannot ever work")

    harness.actor(bad, "inventory.apply").send(wire())
    harness.run()
    assert len(attempts) == 1
    [dead] = harness.broker.dead_letters
    assert dead.options["dead_letter"]["reason"] == "PermanentError: cannot ever work"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("{not json",), "bad JSON at line 1 column 2"),
        (({"envelope": 1},), "message argument is a dict"),
    ],
)
def test_garbage_is_dead_lettered_with_a_reason_and_the_step_never_runs(
    harness: Harness, args: tuple[object, ...], reason: str
) -> None:
    calls: list[object] = []
    actor = harness.actor(lambda *a: calls.append(a), "inventory.apply")
    actor.send(*args)
    harness.run()
    assert calls == []
    [dead] = harness.broker.dead_letters
    assert reason in dead.options["dead_letter"]["reason"]
    assert dead.options["dead_letter"]["error_type"] == "MessageRejectedError"
    assert harness.store.statuses() == [HopStatus.DEAD_LETTERED]


def test_wrong_schema_version_is_dead_lettered(harness: Harness) -> None:
    data = json.loads(wire())
    data["envelope"]["schema_version"] = 2
    calls: list[object] = []
    harness.actor(calls.append, "inventory.apply").send(json.dumps(data))
    harness.run()
    assert calls == []
    [dead] = harness.broker.dead_letters
    assert "schema_version 2 is not supported" in dead.options["dead_letter"]["reason"]


def test_oversized_message_is_refused_at_enqueue(harness: Harness) -> None:
    actor = harness.actor(lambda payload: None, "inventory.apply")
    with pytest.raises(MessageTooLargeError, match=r"is \d+ bytes; the limit is 4000 bytes"):
        actor.send(wire(sku="X" * 5000))


def test_correlation_travels_to_the_next_hop_and_into_logs(harness: Harness) -> None:
    seen: list[tuple[str, str | None, str]] = []
    records: list[logging.LogRecord] = []
    log_filter = CorrelationLogFilter()

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log_filter.filter(record)
            records.append(record)

    logger = logging.getLogger("tests.correlation")
    logger.addHandler(Capture())
    logger.setLevel(logging.INFO)

    def second(payload: str) -> None:
        hop = hops.current_hop()
        seen.append((hop.envelope.correlation_id, hop.envelope.causation_id, hop.message_id))
        logger.info("second hop")

    second_actor = harness.actor(second, "inventory.second")

    def first(payload: str) -> None:
        hop = hops.current_hop()
        nxt = hop.envelope.caused(idempotency_key="k-2", source="first", document_type="inventory_level")
        data = json.loads(payload)
        data["envelope"] = json.loads(nxt.model_dump_json())
        second_actor.send(json.dumps(data))

    harness.actor(first, "inventory.first").send(wire("k-1", correlation_id="corr-42"))
    harness.run()

    first_id = next(h.message_id for h in harness.store.hops if h.step == "inventory.first")
    [(correlation, causation, _)] = seen
    assert correlation == "corr-42"
    assert causation == first_id
    [record] = records
    assert record.correlation_id == "corr-42"  # type: ignore[attr-defined]
    second_hop = next(h for h in harness.store.hops if h.step == "inventory.second")
    assert second_hop.raw_payload is None  # only the first hop keeps the raw payload


def test_metrics_count_outcomes_per_actor_and_queue(harness: Harness) -> None:
    def fail(payload: str) -> None:
        raise TransientError("down")

    harness.actor(lambda payload: None, "inventory.ok").send(wire("a"))
    harness.actor(fail, "inventory.fail").send(wire("b"))
    harness.run()
    metrics = next(m for m in harness.broker.middleware if isinstance(m, Metrics))
    value = metrics.registry.get_sample_value
    assert (
        value("crossdock_messages_total", {"actor": "inventory.ok", "queue": "inventory", "outcome": "succeeded"}) == 1
    )
    assert value("crossdock_message_retries_total", {"actor": "inventory.fail", "queue": "inventory"}) == 2
    assert value("crossdock_dead_letters_total", {"actor": "inventory.fail", "queue": "inventory"}) == 1
    assert value("crossdock_message_duration_seconds_count", {"actor": "inventory.ok", "queue": "inventory"}) == 1


def test_log_filter_keeps_payloads_out_of_dramatiq_log_lines() -> None:
    from dramatiq.message import Message

    message = Message(queue_name="q", actor_name="orders.ingest", args=("secret customer",), kwargs={}, options={})
    record = logging.LogRecord("dramatiq.worker", logging.ERROR, __file__, 1, "Failed %s", (message,), None)
    CorrelationLogFilter().filter(record)
    assert "secret" not in record.getMessage()
    assert record.getMessage() == f"Failed orders.ingest[{message.message_id}]"


def test_a_parked_business_error_is_one_warning_line_without_its_text(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def bad_quantity(payload: str) -> None:
        raise BusinessError("'Jane Victimson 42 Secret Lane' is not a number", owner=Owner.INTEGRATION, key="PO-9")

    harness.actor(bad_quantity, "orders.to_erp").send(wire())
    with caplog.at_level(logging.INFO):
        harness.run()

    parked = [r for r in caplog.records if "Parked" in r.getMessage()]
    [line] = parked
    assert line.levelno == logging.WARNING and line.exc_info is None
    text = line.getMessage()
    assert "orders.to_erp" in text and "integration" in text and "BusinessError" in text
    assert "exception item 1" in text
    assert "Victimson" not in caplog.text


def test_the_worker_drops_dramatiqs_traceback_for_a_parked_business_error() -> None:
    from crossdock.broker.worker_child import WaitsAreNotFailures

    def record(exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord("dramatiq.worker.WorkerThread", logging.ERROR, __file__, 1, "Failed", (),
                                 (type(exc), exc, None))  # fmt: skip

    assert not WaitsAreNotFailures().filter(record(BusinessError("parked")))
    assert WaitsAreNotFailures().filter(record(KeyError("a bug keeps its traceback")))


def test_dramatiqs_failure_line_names_the_message_not_its_payload(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(payload: str) -> None:
        raise KeyError("a bug")

    harness.actor(broken, "orders.to_erp", max_retries=0).send('{"customer": "Jane Victimson, 42 Secret Lane"}')
    with caplog.at_level(logging.DEBUG):
        harness.run()

    failed = [r for r in caplog.records if r.getMessage().startswith("Failed to process message")]
    assert failed and all(r.exc_info for r in failed)  # a bug keeps its traceback
    assert "orders.to_erp message" in failed[0].getMessage()
    assert "Victimson" not in caplog.text
