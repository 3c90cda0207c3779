"""The circuit breaker, driven by a fake clock."""

from __future__ import annotations

import pytest

from crossdock.bridges.soap import CircuitBreaker, CircuitOpenError, CircuitState
from crossdock.errors import BusinessError, TransientError, UnavailableError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(breaker: CircuitBreaker) -> None:
    with pytest.raises(TransientError), breaker.guard():
        raise TransientError("ERP down")


def _succeed(breaker: CircuitBreaker) -> None:
    with breaker.guard():
        pass


def test_opens_after_n_consecutive_failures_and_refuses_calls() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    _fail(breaker)
    _fail(breaker)
    assert breaker.state is CircuitState.CLOSED
    _fail(breaker)
    assert breaker.state is CircuitState.OPEN
    clock.now += 10
    with pytest.raises(CircuitOpenError, match=r"next probe in 20\.0s") as caught:
        _succeed(breaker)
    assert caught.value.retry_after == pytest.approx(20.0)


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(2, 30.0, clock=FakeClock())
    _fail(breaker)
    _succeed(breaker)
    _fail(breaker)
    assert breaker.state is CircuitState.CLOSED


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 30.0, clock=clock)
    _fail(breaker)
    clock.now += 30
    assert breaker.state is CircuitState.HALF_OPEN
    # while the probe is in flight, a second caller is refused
    with breaker.guard(), pytest.raises(CircuitOpenError):
        _succeed(breaker)
    assert breaker.state is CircuitState.CLOSED


def test_a_failed_probe_reopens_for_a_full_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 30.0, clock=clock)
    _fail(breaker)
    clock.now += 31
    _fail(breaker)
    assert breaker.state is CircuitState.OPEN
    clock.now += 29
    with pytest.raises(CircuitOpenError):
        _succeed(breaker)


def test_business_errors_count_as_the_erp_answering() -> None:
    breaker = CircuitBreaker(1, 30.0, clock=FakeClock())
    for _ in range(3):
        with pytest.raises(BusinessError), breaker.guard():
            raise BusinessError("unknown item")
    assert breaker.state is CircuitState.CLOSED


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(0)


def test_the_failure_that_opens_the_circuit_says_so_and_keeps_its_cause() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(2, 30.0, outage_window_s=600.0, clock=clock)
    _fail(breaker)  # below the threshold: an ordinary transient error
    with pytest.raises(CircuitOpenError) as caught, breaker.guard():
        raise TransientError("HTTP 503")
    assert isinstance(caught.value, UnavailableError)
    assert str(caught.value.__cause__) == "HTTP 503"
    assert caught.value.retry_after == pytest.approx(30.0)
    assert caught.value.wait_limit_s == 600.0


def test_a_failed_probe_is_an_open_circuit_too() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 30.0, clock=clock)
    _fail(breaker)
    clock.now += 30
    with pytest.raises(CircuitOpenError) as caught, breaker.guard():
        raise TransientError("HTTP 503")
    assert caught.value.retry_after == pytest.approx(30.0)
    assert caught.value.wait_limit_s == 12 * 3600.0  # the default outage window


def test_a_call_below_the_threshold_fails_as_itself() -> None:
    breaker = CircuitBreaker(3, 30.0, clock=FakeClock())
    with pytest.raises(TransientError) as caught, breaker.guard():
        raise TransientError("HTTP 503")
    assert not isinstance(caught.value, UnavailableError)
