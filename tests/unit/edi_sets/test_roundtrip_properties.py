"""canonical → X12 → canonical is lossless for every set, over documents each set can carry (see
``strategies`` for the restrictions)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings

from crossdock.canonical import Order, Shipment, WarehouseShippingOrder
from crossdock.edi.sets import x850, x856, x940, x945
from tests.unit.edi_sets import strategies
from tests.unit.edi_sets.envelope import one_set

SETTINGS = settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
ISSUED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@SETTINGS
@given(strategies.orders())
def test_850_roundtrip(order: Order) -> None:
    result = x850.to_canonical(one_set("850", strategies.as_body(x850.from_canonical(order))))
    assert result.document == order
    assert result.unmapped == ()


@SETTINGS
@given(strategies.warehouse_orders())
def test_940_roundtrip(wso: WarehouseShippingOrder) -> None:
    result = x940.to_canonical(one_set("940", strategies.as_body(x940.from_canonical(wso))))
    assert result.document == wso
    assert result.unmapped == ()


@SETTINGS
@given(strategies.shipments("945"))
def test_945_roundtrip(shipment: Shipment) -> None:
    result = x945.to_canonical(one_set("945", strategies.as_body(x945.from_canonical(shipment))))
    assert result.document == shipment
    assert result.unmapped == ()


@SETTINGS
@given(strategies.shipments("856"))
def test_856_roundtrip(shipment: Shipment) -> None:
    body = strategies.as_body(x856.from_canonical(shipment, issued_at=ISSUED))
    result = x856.to_canonical(one_set("856", body))
    assert result.document == shipment
    assert result.unmapped == ()
