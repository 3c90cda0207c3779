"""Injected faults reach the client as crossdock errors over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from crossdock.bridges.rest.amazon import AmazonAdapter
from crossdock.bridges.rest.backoff import Backoff
from crossdock.bridges.rest.client import MarketplaceClient
from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.errors import TransientError
from tests.conftest import free_port
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration
START = PollState(datetime(2023, 1, 1, tzinfo=UTC))


def test_a_hanging_marketplace_times_out_as_transient(marketplace_sim: RunningSim) -> None:
    marketplace_sim.fault(kind="hang", hang_s=5, channel="amazon", times=1)
    client = marketplace_sim.client("amazon", timeout=httpx.Timeout(0.5, connect=1.0), backoff=Backoff(max_attempts=1))
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        AmazonAdapter(client, "ATVPDKIKX0DER").poll_orders(InMemorySink(), START)
    assert time.monotonic() - started < 4


def test_malformed_json_is_transient_and_nothing_is_handed_over(marketplace_sim: RunningSim) -> None:
    marketplace_sim.fault(kind="malformed", channel="amazon", times=1)
    sink = InMemorySink()
    with pytest.raises(TransientError, match="not JSON"):
        AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER").poll_orders(sink, START)
    assert sink.queue == []


def test_latency_is_tolerated(marketplace_sim: RunningSim) -> None:
    marketplace_sim.fault(kind="latency", latency_ms=300, channel="amazon", times=1)
    sink = InMemorySink()
    AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER").poll_orders(sink, START)
    assert len(sink.queue) == 25


def test_closed_port_is_transient() -> None:
    with (
        MarketplaceClient(
            "amazon",
            f"http://127.0.0.1:{free_port()}",
            timeout=1.0,
            backoff=Backoff(max_attempts=2),
            sleep=lambda s: None,
        ) as client,
        pytest.raises(TransientError, match="cannot connect"),
    ):
        client.get_json("/orders/v0/orders")
