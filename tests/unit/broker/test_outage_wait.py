"""Waiting out an ERP outage: an open circuit breaker requeues the message without spending a retry,
up to the outage window; on Dramatiq's real in-memory broker (wiring, not reliability)."""

from __future__ import annotations

import pytest

from crossdock.broker.middleware import outage
from crossdock.broker.middleware.error_policy import Decision, decide
from crossdock.broker.ports import HopStatus
from crossdock.errors import TransientError, UnavailableError
from tests.unit.broker.conftest import Harness, wire


def down(retry_after: float = 30.0, wait_limit_s: float = 3600.0) -> UnavailableError:
    return UnavailableError("ERP circuit is open", retry_after=retry_after, wait_limit_s=wait_limit_s)


@pytest.mark.parametrize(
    ("error", "retries", "waited", "decision"),
    [
        (down(), 0, 0.0, Decision.WAIT),
        (down(), 3, 0.0, Decision.WAIT),  # retries already spent do not matter
        (down(), 3, 3500.0, Decision.WAIT),
        (down(), 0, 3580.0, Decision.RETRY),  # the next wait would pass the window
        (down(), 3, 3600.0, Decision.DEAD_LETTER),
        (TransientError("HTTP 503"), 3, 0.0, Decision.DEAD_LETTER),
    ],
)
def test_an_unavailable_dependency_is_waited_for_up_to_its_window(
    error: BaseException, retries: int, waited: float, decision: Decision
) -> None:
    assert decide(error, retries, max_retries=3, waited_s=waited) is decision


def test_the_wait_honours_retry_after_with_a_floor_and_some_jitter() -> None:
    assert outage.delay_ms(down(retry_after=20.0), rng=lambda: 0.0) == 20_000
    assert outage.delay_ms(down(retry_after=20.0), rng=lambda: 1.0) == 24_000
    assert outage.delay_ms(down(retry_after=0.0), rng=lambda: 0.0) == int(outage.MIN_WAIT_S * 1000)


def test_a_long_wait_grows_with_the_time_waited_up_to_five_minutes() -> None:
    assert outage.delay_ms(down(retry_after=30.0), waited=10.0, rng=lambda: 0.0) == 30_000
    assert outage.delay_ms(down(retry_after=30.0), waited=120.0, rng=lambda: 0.0) == 120_000
    assert outage.delay_ms(down(retry_after=30.0), waited=5 * 3600, rng=lambda: 0.0) == 300_000
    assert outage.delay_ms(down(retry_after=900.0), waited=5 * 3600, rng=lambda: 0.0) == 900_000


def test_waiting_is_measured_from_the_first_wait() -> None:
    options: dict[str, object] = {}
    assert outage.waited_s(options, 1000.0) == 0.0
    outage.start_waiting(options, 1000.0)
    outage.start_waiting(options, 1500.0)
    assert outage.waited_s(options, 1600.0) == 600.0
    assert outage.waited_s({outage.WAITING_SINCE: "garbage"}, 1600.0) == 0.0


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outage, "MIN_WAIT_S", 0.01)


@pytest.mark.usefixtures("short_waits")
def test_a_message_waits_through_an_outage_without_spending_its_retries(harness: Harness) -> None:
    attempts: list[str] = []

    def book(payload: str) -> None:
        attempts.append(payload)
        if len(attempts) <= 5:  # more refusals than max_retries=2 allows
            raise down(retry_after=0.0)

    harness.actor(book, "orders.to_erp", queue="inventory").send(wire())
    harness.run()

    assert len(attempts) == 6
    assert harness.broker.dead_letters == []
    assert harness.store.statuses() == [HopStatus.RETRIED] * 5 + [HopStatus.SUCCEEDED]


@pytest.mark.usefixtures("short_waits")
def test_after_the_outage_window_the_failures_spend_retries_then_dead_letter(harness: Harness) -> None:
    attempts: list[str] = []

    def book(payload: str) -> None:
        attempts.append(payload)
        raise down(retry_after=0.0, wait_limit_s=0.05)

    harness.actor(book, "orders.to_erp", queue="inventory").send(wire())
    harness.run()

    [dead] = harness.broker.dead_letters
    assert dead.options["dead_letter"]["retries"] == 2
    assert dead.options["dead_letter"]["error_type"] == "UnavailableError"
    assert len(attempts) >= 4  # at least one wait, then the first try's two retries
