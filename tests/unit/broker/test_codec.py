from __future__ import annotations

import json

import pytest

from crossdock.broker import codec
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inventory import InventoryLevel
from tests.unit.broker.conftest import inventory, wire


def test_round_trip_keeps_envelope_and_document() -> None:
    decoded = codec.decode(wire("k-9", sku="ABC"))
    assert decoded.envelope.idempotency_key == "k-9"
    assert isinstance(decoded.document, InventoryLevel)
    assert decoded.document == inventory("ABC")


def test_encode_refuses_a_document_of_another_type() -> None:
    env = Envelope(idempotency_key="k", source="t", document_type="shipment")
    with pytest.raises(TypeError, match="shipment"):
        codec.encode(env, inventory())


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ('{"envelope": {', "bad JSON at line 1 column"),
        ("[1, 2]", 'must be an object with "envelope"'),
        (42, "message argument is a int"),
        ('{"envelope": {}, "document": ' + "9" * 5000 + "}", "bad JSON: Exceeds the limit"),
        ("[" * 100_000, "bad JSON: maximum recursion depth"),
    ],
)
def test_garbage_gets_a_clear_reason(payload: object, reason: str) -> None:
    with pytest.raises(codec.MessageDecodeError, match=reason):
        codec.decode(payload)


def test_wrong_schema_version_is_refused_before_validation() -> None:
    data = json.loads(wire())
    data["envelope"]["schema_version"] = 99
    with pytest.raises(codec.MessageDecodeError, match="schema_version 99 is not supported"):
        codec.decode_envelope(json.dumps(data))


def test_invalid_document_names_the_field() -> None:
    data = json.loads(wire())
    data["document"]["on_hand"] = "-3"
    with pytest.raises(codec.MessageDecodeError, match=r"invalid inventory_level document: on_hand"):
        codec.decode(json.dumps(data))


def test_business_keys_come_from_the_document() -> None:
    assert codec.business_key(wire(sku="SKU-7")) == "sku=SKU-7"
    assert codec.business_key("not json") is None
