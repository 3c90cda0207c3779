from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from crossdock.canonical import (
    Envelope,
    Order,
    Package,
    Party,
    PartyRole,
    gs1_check_digit,
    has_valid_check_digit,
    json_schemas,
    redact,
)
from crossdock.canonical.party import Address


def _order(**overrides: object) -> Order:
    data: dict[str, object] = {
        "channel": "edi",
        "external_id": "PO-1",
        "lines": [{"line_number": "1", "sku": "SKU-1", "quantity": "3", "unit_price": "2.50"}],
    }
    data.update(overrides)
    return Order.model_validate(data)


def test_money_and_quantities_are_decimal() -> None:
    order = _order()
    assert order.lines[0].quantity == Decimal("3")
    assert order.lines[0].extended_price == Decimal("7.50")


def test_validation_error_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        _order(lines=[{"line_number": "1", "sku": "A", "quantity": "-1"}])
    assert info.value.errors()[0]["loc"] == ("lines", 0, "quantity")


def test_currency_must_be_iso_4217() -> None:
    assert _order(currency="eur").currency == "EUR"
    with pytest.raises(ValidationError, match="ISO-4217"):
        _order(currency="XYZ")


def test_line_needs_an_item_identifier() -> None:
    with pytest.raises(ValidationError, match="item identifier"):
        _order(lines=[{"line_number": "1", "quantity": "1"}])


def test_duplicate_line_numbers_rejected() -> None:
    line = {"line_number": "1", "sku": "A", "quantity": "1"}
    with pytest.raises(ValidationError, match="appears twice"):
        _order(lines=[line, line])


def test_dates_must_be_timezone_aware() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        _order(ordered_at="2026-01-02T03:04:05")


def test_unknown_fields_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        _order(colour="red")


def test_sscc_accepts_application_identifier_prefix() -> None:
    assert Package(sscc="00" + "0" * 17 + "1").sscc == "0" * 17 + "1"
    with pytest.raises(ValidationError, match="SSCC"):
        Package(sscc="12345")


def test_gs1_check_digit() -> None:
    # A GTIN-12 (UPC-A) with a known check digit.
    assert gs1_check_digit("03600029145") == 2
    assert has_valid_check_digit("036000291452")
    assert not has_valid_check_digit("036000291453")


def test_envelope_causation_chain() -> None:
    first = Envelope(idempotency_key="k1", source="shopify", document_type="order")
    second = first.caused(idempotency_key="k2", source="erp", document_type="order")
    assert second.correlation_id == first.correlation_id
    assert second.causation_id == first.message_id
    assert second.message_id != first.message_id


def test_json_schema_for_every_document() -> None:
    schemas = json_schemas()
    assert {"order", "shipment", "warehouse_shipping_order", "envelope"} <= set(schemas)
    assert "lines" in schemas["order"]["properties"]  # type: ignore[operator]


def test_redact_removes_party_pii_but_keeps_ids() -> None:
    party = Party(role=PartyRole.SHIP_TO, name="Jane Doe", id_qualifier="92", id_code="STORE-9", email="j@x.io")
    order = _order(parties=[party.model_dump()])
    cleaned = redact(order.model_dump(mode="json"))
    assert cleaned["parties"][0]["name"] == "***"
    assert cleaned["parties"][0]["email"] == "***"
    assert cleaned["parties"][0]["id_code"] == "STORE-9"
    assert "Jane" not in str(cleaned)


def test_validation_errors_never_echo_customer_data() -> None:
    # Given a ship-to whose address has more street lines than the canonical model holds
    street = ["1 Elm St", "Apt 2", "Jane Buyer c/o", "Building 4", "Floor 5"]
    with pytest.raises(ValidationError) as caught:
        Party(role=PartyRole.SHIP_TO, name="Jane Buyer", address=Address(lines=street))
    # Then the error (logged with its traceback, kept in dead letters) names the field, not the data
    text = str(caught.value)
    assert "lines" in text and "at most 4 items" in text
    assert "Elm St" not in text and "Jane Buyer" not in text


def test_only_a_cancellation_of_the_whole_order_has_no_line() -> None:
    assert _order(purpose="cancellation", lines=[]).lines == []
    for refused in ({"lines": []}, {"purpose": "change", "lines": []},
                    {"purpose": "cancellation", "lines": [], "line_changes_only": True}):  # fmt: skip
        with pytest.raises(ValidationError, match="at least one line"):
            _order(**refused)
