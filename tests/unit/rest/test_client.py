"""The marketplace client against httpx.MockTransport (a fake transport implementing httpx's interface)."""

from __future__ import annotations

import httpx
import pytest

from crossdock.bridges.rest.backoff import Backoff, parse_retry_after
from crossdock.bridges.rest.boundary import MarketplaceRejectedError, RateLimitedError
from crossdock.bridges.rest.client import MarketplaceClient
from crossdock.errors import BusinessError, TransientError


def make(handler, sleeps: list[float], attempts: int = 4) -> MarketplaceClient:  # type: ignore[no-untyped-def]
    return MarketplaceClient(
        "amazon",
        "http://sim.invalid",
        auth_headers={"x-amz-access-token": "Atza|secret"},
        backoff=Backoff(max_attempts=attempts, base=0.1, cap=5),
        sleep=sleeps.append,
        transport=httpx.MockTransport(handler),
    )


def test_429_with_retry_after_then_success() -> None:
    replies = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}, json={"errors": [{"code": "QuotaExceeded"}]}),
            httpx.Response(200, json={"payload": {}}, headers={"x-amzn-RateLimit-Limit": "0.5"}),
        ]
    )
    sleeps: list[float] = []
    client = make(lambda request: next(replies), sleeps)
    assert client.get_json("/orders/v0/orders") == {"payload": {}}
    assert sleeps == [2.0]
    assert client.pacer("GET /orders/v0/orders").interval == 2.2  # 0.5 requests per second advertised, 10% margin
    assert client.pacer("getOrderItems").interval == 0.0  # limits are per operation


def test_retries_are_bounded_and_exponential_without_retry_after() -> None:
    sleeps: list[float] = []
    client = make(lambda request: httpx.Response(503), sleeps, attempts=4)
    with pytest.raises(TransientError, match="503"):
        client.get_json("/x")
    assert len(sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(sleeps, [0.1, 0.2, 0.4], strict=True))


def test_post_is_not_retried_after_a_5xx_but_is_after_429() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(500)

    with pytest.raises(TransientError):
        make(handler, []).send_json("POST", "/x", {})
    assert calls == ["POST"]
    with pytest.raises(RateLimitedError):
        make(lambda r: httpx.Response(429), [], attempts=2).send_json("POST", "/x", {})


def test_4xx_is_a_business_error_with_the_marketplace_message() -> None:
    body = {
        "errors": {
            "error": [{"code": "INVALID_REQUEST_CONTENT.GMP_ORDER_API", "description": "lineNumber 9 not found"}]
        }
    }
    client = make(lambda request: httpx.Response(400, json=body), [])
    with pytest.raises(MarketplaceRejectedError) as caught:
        client.send_json("POST", "/v3/orders/1/shipping", {})
    assert isinstance(caught.value, BusinessError)
    assert "lineNumber 9 not found" in str(caught.value) and caught.value.status == 400


def test_connect_errors_and_timeouts_are_transient_and_tokens_stay_out_of_messages() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-amz-access-token"] == "Atza|secret"
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TransientError) as caught:
        make(refuse, [], attempts=2).get_json("/x")
    assert "secret" not in str(caught.value) and "Atza" not in str(caught.value)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransientError, match="timed out"):
        make(slow, [], attempts=1).get_json("/x")


def test_non_json_2xx_is_transient() -> None:
    with pytest.raises(TransientError, match="not JSON"):
        make(lambda r: httpx.Response(200, content=b"{oops"), [], attempts=1).get_json("/x")


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("-1") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT") > 1000  # type: ignore[operator]
