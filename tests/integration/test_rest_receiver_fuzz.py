"""schemathesis drives the receiver's own OpenAPI document against the live loopback server: positive
and negative cases, unsigned and signed. Every answer is a 2xx for a valid signed delivery, otherwise a
4xx with an ``error`` code and a ``message``; never a 5xx."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.bridges.rest.signature import sign
from crossdock.bridges.rest.sink import InMemorySink

pytestmark = pytest.mark.integration
SECRET = b"fuzz-secret"
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def receiver_url() -> Iterator[str]:
    with ServerThread(create_receiver(InMemorySink(), SECRET, max_body_bytes=64_000)) as server:
        yield server.url


@pytest.fixture(scope="module")
def operations(receiver_url: str) -> dict[str, Any]:
    # schemathesis' pytest plugin does not load under pytest 9, so its strategies are driven directly.
    schema = schemathesis.openapi.from_url(receiver_url + "/openapi.json")
    return {"webhook": schema["/webhooks/shopify"]["POST"], "health": schema["/health"]["GET"]}


def assert_clear(response: Any) -> None:
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:300]}"
    if status >= 400:
        body = response.json()
        assert body["error"] and body["message"], body


@pytest.mark.parametrize(
    ("name", "mode"),
    [("webhook", GenerationMode.POSITIVE), ("webhook", GenerationMode.NEGATIVE), ("health", GenerationMode.POSITIVE)],
)
def test_generated_requests_never_5xx_and_4xx_say_why(
    operations: dict[str, Any], receiver_url: str, name: str, mode: GenerationMode
) -> None:
    @given(case=operations[name].as_strategy(generation_mode=mode))
    @FUZZ
    def check(case: Any) -> None:
        response = case.call(base_url=receiver_url, timeout=10)
        assert_clear(response)
        if name == "health":
            assert response.status_code == 200
        else:
            # Generated headers cannot carry a valid signature over the body.
            assert response.status_code in {400, 401, 413, 415}

    check()


def test_unknown_paths_and_methods_are_clear_4xx(receiver_url: str) -> None:
    with httpx.Client(base_url=receiver_url, timeout=10) as client:
        for response in (client.get("/nope"), client.get("/webhooks/shopify"), client.delete("/health")):
            assert response.status_code in {404, 405}
            assert_clear(response)


def test_signed_generated_bodies_are_accepted_or_refused_clearly(operations: dict[str, Any], receiver_url: str) -> None:
    @given(case=operations["webhook"].as_strategy(generation_mode=GenerationMode.POSITIVE))
    @FUZZ
    def check(case: Any) -> None:
        body = json.dumps(case.body).encode() if case.body is not None else b""
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": sign(SECRET, body),
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": f"fuzz-{hashlib.sha256(body).hexdigest()}",
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        with httpx.Client(base_url=receiver_url, timeout=10) as client:
            response = client.post("/webhooks/shopify", content=body, headers=headers)
        assert_clear(response)
        if len(body) <= 64_000:
            assert response.status_code == 200, response.text
            assert response.json()["status"] in {"accepted", "duplicate"}

    check()
