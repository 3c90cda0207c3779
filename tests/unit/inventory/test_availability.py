"""Available to sell: the allocation rules, kits, and the version rule under shuffled and repeated events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crossdock.canonical.availability import (
    AvailabilityRules,
    Ledger,
    ReservationUpdate,
    StockUpdate,
    available_to_sell,
)
from crossdock.canonical.availability.allocate import affected_skus, allocate

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def rules(**data: object) -> AvailabilityRules:
    return AvailabilityRules.model_validate(data)


def test_on_hand_less_reserved_less_safety_stock_offered_to_every_channel() -> None:
    ledger = Ledger(
        [
            StockUpdate("SKU-1", "COL1", 20, at(0)),
            ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 3, at(1)),
        ]
    )
    config = rules(safety_stock=2, channels={"shopify": {}, "amazon": {}})
    ats = available_to_sell(ledger, config, "SKU-1")
    assert ats.free == {"COL1": 15}
    assert ats.totals() == {"amazon": 15, "shopify": 15}


def test_fixed_quantities_by_priority_then_shares_of_the_rest_then_channel_safety_stock() -> None:
    config = rules(
        channels={
            "walmart": {"fixed": 10, "priority": 2},
            "b2b": {"fixed": 8, "priority": 1},
            "shopify": {"share": 1.0, "safety_stock": 1},
            "amazon": {"share": 0.5},
            "ebay": {"enabled": False, "fixed": 5, "priority": 0},
        }
    )
    # Given 15 free units: b2b (priority 1) takes 8, walmart gets the 7 left, nothing is shared
    assert allocate(15, config) == {"b2b": 8, "walmart": 7, "shopify": 0, "amazon": 0, "ebay": 0}
    # Given 30: 18 dedicated, the rest of 12 offered whole to shopify (less 1) and half to amazon
    assert allocate(30, config) == {"b2b": 8, "walmart": 10, "shopify": 11, "amazon": 6, "ebay": 0}


def test_free_stock_never_negative_and_locations_outside_the_offer_are_left_out() -> None:
    ledger = Ledger(
        [
            StockUpdate("SKU-1", "COL1", 2, at(0)),
            StockUpdate("SKU-1", "STORE9", 50, at(0)),
            ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 5, at(1)),
        ]
    )
    ats = available_to_sell(ledger, rules(locations=["COL1"], channels={"shopify": {}}), "SKU-1")
    assert ats.free == {"COL1": 0}
    assert ats.totals() == {"shopify": 0}


def test_a_kit_is_the_minimum_over_its_components_and_its_reservations_hold_components() -> None:
    config = rules(channels={"shopify": {}}, kits={"GIFT": {"TEE": 1, "MUG": 2}})
    ledger = Ledger(
        [
            StockUpdate("TEE", "COL1", 10, at(0)),
            StockUpdate("MUG", "COL1", 9, at(0)),
        ]
    )
    assert available_to_sell(ledger, config, "GIFT").totals() == {"shopify": 4}
    # When an order reserves two kits, each component is held for them
    ledger.apply(ReservationUpdate("PO-7", "1", "GIFT", "COL1", 2, at(1)))
    assert available_to_sell(ledger, config, "MUG").totals() == {"shopify": 5}
    assert available_to_sell(ledger, config, "TEE").totals() == {"shopify": 8}
    assert available_to_sell(ledger, config, "GIFT").totals() == {"shopify": 2}
    assert affected_skus(config, {"MUG"}) == {"MUG", "GIFT"}


def test_an_older_balance_never_overwrites_a_newer_one_and_a_repeat_changes_nothing() -> None:
    ledger = Ledger()
    assert ledger.apply(StockUpdate("SKU-1", "COL1", 7, at(10), source="846:3pl:2"))
    assert not ledger.apply(StockUpdate("SKU-1", "COL1", 99, at(5), source="erp"))
    assert not ledger.apply(StockUpdate("SKU-1", "COL1", 7, at(10), source="846:3pl:2"))
    assert ledger.stock("SKU-1")["COL1"].on_hand == 7


def test_a_reservation_changed_then_released() -> None:
    ledger = Ledger([StockUpdate("SKU-1", "COL1", 10, at(0))])
    ledger.apply(ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 4, at(1)))
    ledger.apply(ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 6, at(2)))  # changed
    assert ledger.reserved("SKU-1", "COL1") == 6
    ledger.apply(ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 0, at(3)))  # shipped
    ledger.apply(ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 6, at(2)))  # a late duplicate
    assert ledger.reserved("SKU-1", "COL1") == 0


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"channels": {"x": {"share": 0.5, "fixed": 3}}}, "share or fixed"),
        ({"channels": {"x": {"share": 1.5}}}, "less than or equal to 1"),
        ({"kits": {"K": {}}}, "at least one component"),
        ({"kits": {"K": {"A": 1}, "L": {"K": 1}}}, "cannot itself be a kit"),
    ],
)
def test_rules_refuse_what_cannot_be_meant(data: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        AvailabilityRules.model_validate(data)


# --- properties: the result depends on the set of events, not on their order or repeats ---------

SKUS = ["A", "B", "KIT"]
LOCATIONS = ["COL1", "STORE9"]
stock_updates = st.builds(
    StockUpdate,
    sku=st.sampled_from(SKUS[:2]),
    location=st.sampled_from(LOCATIONS),
    on_hand=st.integers(0, 50),
    as_of=st.integers(0, 6).map(at),
    sequence=st.integers(0, 3),
)
reservation_updates = st.builds(
    ReservationUpdate,
    order_ref=st.sampled_from(["PO-1", "PO-2", "PO-3"]),
    line=st.sampled_from(["1", "2"]),
    sku=st.sampled_from(SKUS),
    location=st.sampled_from(LOCATIONS),
    quantity=st.integers(0, 10),
    as_of=st.integers(0, 6).map(at),
    sequence=st.integers(0, 3),
    shipped=st.integers(0, 4),
)
events = st.lists(st.one_of(stock_updates, reservation_updates), max_size=40)
RULES = rules(
    safety_stock=1,
    channels={"shopify": {"share": 1.0}, "amazon": {"share": 0.5, "safety_stock": 2}, "walmart": {"fixed": 3}},
    kits={"KIT": {"A": 1, "B": 2}},
)


def quantities(ledger: Ledger) -> dict[str, dict[str, dict[str, int]]]:
    return {sku: available_to_sell(ledger, RULES, sku).by_location for sku in SKUS}


@settings(max_examples=300, deadline=None)
@given(events=events, data=st.data())
def test_shuffled_and_duplicated_events_give_the_same_state_and_quantities(events: list, data: st.DataObject) -> None:
    in_order = Ledger(events)
    repeated = data.draw(st.lists(st.sampled_from(events), max_size=20)) if events else []
    shuffled = data.draw(st.permutations(events + repeated))
    other = Ledger(shuffled)
    assert other.snapshot() == in_order.snapshot()
    assert quantities(other) == quantities(in_order)


@settings(max_examples=200, deadline=None)
@given(events=events)
def test_the_newest_version_of_each_key_wins_and_offers_never_exceed_free_stock(events: list) -> None:
    ledger = Ledger(events)
    stock, reservations = ledger.snapshot()
    for key, held in stock.items():
        same = [e for e in events if isinstance(e, StockUpdate) and e.key == key]
        newest = max(e.version for e in same)
        assert held.version == newest
        assert held.on_hand == min(e.on_hand for e in same if e.version == newest)
    assert set(reservations) == {e.key for e in events if isinstance(e, ReservationUpdate)}
    for sku in SKUS:
        ats = available_to_sell(ledger, RULES, sku)
        for location, offers in ats.by_location.items():
            dedicated = offers["walmart"]
            assert dedicated + max(offers["shopify"], offers["amazon"]) <= ats.free[location]
            assert all(qty >= 0 for qty in offers.values())


def test_shipped_units_stay_held_against_an_on_hand_figure_older_than_the_shipment() -> None:
    config = rules(channels={"shopify": {}})
    ledger = Ledger([
        StockUpdate("SKU-1", "COL1", 10, at(0)),
        ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 4, at(1)),
    ])
    assert available_to_sell(ledger, config, "SKU-1").totals() == {"shopify": 6}
    # When the 945 says all 4 shipped: released, but the stock figure (as of minute 0) still holds them
    ledger.apply(ReservationUpdate("PO-1", "1", "SKU-1", "COL1", 0, at(5), shipped=4))
    assert available_to_sell(ledger, config, "SKU-1").totals() == {"shopify": 6}
    # And once the warehouse reports stock after the shipment, they are gone from on hand instead
    ledger.apply(StockUpdate("SKU-1", "COL1", 6, at(6)))
    assert available_to_sell(ledger, config, "SKU-1").totals() == {"shopify": 6}
    # While a cancelled line frees its units at once
    ledger.apply(ReservationUpdate("PO-2", "1", "SKU-1", "COL1", 2, at(7)))
    ledger.apply(ReservationUpdate("PO-2", "1", "SKU-1", "COL1", 0, at(8)))
    assert available_to_sell(ledger, config, "SKU-1").totals() == {"shopify": 6}
