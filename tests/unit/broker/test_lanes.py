from __future__ import annotations

from crossdock.broker.lanes import LANES, PRIORITY, Lane, canonical_queue, dead_letter_queue, delay_queue


def test_every_lane_has_a_priority_and_settlements_yield_to_inventory() -> None:
    assert set(PRIORITY) == set(Lane)
    assert PRIORITY[Lane.INVENTORY] < PRIORITY[Lane.SETTLEMENTS]
    assert PRIORITY[Lane.SHIPMENTS] < PRIORITY[Lane.SETTLEMENTS]
    assert len(set(LANES)) == len(LANES)


def test_delay_and_dead_letter_names_follow_dramatiq() -> None:
    assert dead_letter_queue("orders") == "orders.XQ"
    assert dead_letter_queue("orders.DQ") == "orders.XQ"
    assert delay_queue("edi.inbound") == "edi.inbound.DQ"
    assert canonical_queue("edi.inbound.XQ") == "edi.inbound"
