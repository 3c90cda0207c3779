"""Property tests of the receiver in-process (no sockets): whatever the body and headers, nothing reaches
the sink unless the signature over the exact body is right, a signed body is stored at most once
whatever unsigned headers come with it, and every answer is a 2xx or a 4xx that says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.signature import sign
from crossdock.bridges.rest.sink import InMemorySink
from tests.unit.rest.test_receiver import AsgiClient

SECRET = b"prop-secret"
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
bodies = st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=10).map(lambda value: json.dumps(value).encode()),
)  # fmt: skip


def base_headers(body: bytes, *, signature: str, topic: str, webhook_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": "2024-03-01T11:59:30Z",
    }


@PROPS
@given(body=bodies, signature=header_text, topic=header_text, webhook_id=header_text)
def test_a_wrong_signature_never_reaches_the_sink(body: bytes, signature: str, topic: str, webhook_id: str) -> None:
    sink = InMemorySink()
    client = AsgiClient(create_receiver(sink, SECRET, clock=lambda: NOW))
    if signature.strip() == sign(SECRET, body):
        signature += "x"
    headers = base_headers(body, signature=signature, topic=topic, webhook_id=webhook_id)
    response = client.post("/webhooks/shopify", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"] in ("unsigned", "bad_signature")
    assert sink.queue == []


@PROPS
@given(body=bodies, variants=st.lists(st.tuples(header_text, header_text), min_size=1, max_size=4))
def test_a_signed_body_is_stored_at_most_once_whatever_its_unsigned_headers(
    body: bytes, variants: list[tuple[str, str]]
) -> None:
    sink = InMemorySink()
    client = AsgiClient(create_receiver(sink, SECRET, clock=lambda: NOW))
    statuses = []
    for topic, webhook_id in variants:
        response = client.post("/webhooks/shopify", content=body, headers=base_headers(
            body, signature=sign(SECRET, body), topic=topic, webhook_id=webhook_id))  # fmt: skip
        assert response.status_code < 500
        if response.status_code >= 400:
            assert response.json()["error"] and response.json()["message"]
        else:
            statuses.append(response.json()["status"])
    assert statuses.count("accepted") <= 1
    assert len(sink.queue) == statuses.count("accepted")
