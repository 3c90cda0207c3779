from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from crossdock.bridges.rest.signature import parse_triggered_at, sign, verify

SECRET = b"hush"
BODY = b'{"id": 450789469, "note": "caf\xc3\xa9"}'


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    expected = base64.b64encode(hmac.new(SECRET, BODY, hashlib.sha256).digest()).decode()
    assert sign(SECRET, BODY) == expected
    assert verify(SECRET, BODY, expected)


@pytest.mark.parametrize(
    "header",
    [None, "", "not-base64", sign(b"other", BODY), sign(SECRET, BODY + b" "), "é" + sign(SECRET, BODY)],
)
def test_missing_or_wrong_signatures_fail(header: str | None) -> None:
    assert not verify(SECRET, BODY, header)


def test_reserialised_json_does_not_verify() -> None:
    # The signature covers the raw bytes: the same JSON re-serialised is a different body.
    assert not verify(SECRET, b'{"id":450789469,"note":"caf\xc3\xa9"}', sign(SECRET, BODY))


def test_triggered_at_with_nanoseconds_and_z() -> None:
    assert parse_triggered_at("2023-03-29T18:00:27.877041743Z") == datetime(2023, 3, 29, 18, 0, 27, 877041, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_triggered_at("2023-03-29T18:00:27")
    with pytest.raises(ValueError):
        parse_triggered_at("yesterday")
