from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from crossdock.bridges.rest.pacing import MAX_INTERVAL_S, Pacer
from crossdock.bridges.rest.polling import PolledOrder, PollState, hand_page, version
from crossdock.bridges.rest.sink import InMemorySink


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_amazon_rate_header_spaces_calls() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.wait()
    pacer.observe({"x-amzn-ratelimit-limit": "2.0"})
    clock.now += 0.1
    pacer.wait()
    assert clock.slept == [0.45]  # 1/2 s plus a 10% margin, less the 0.1 s already gone
    pacer.observe({"x-amzn-ratelimit-limit": "0.0001"})
    assert pacer.interval == MAX_INTERVAL_S
    pacer.observe({"x-amzn-ratelimit-limit": "nonsense"})
    assert pacer.interval == MAX_INTERVAL_S


def test_shopify_bucket_nearly_full_slows_down() -> None:
    pacer = Pacer()
    pacer.observe({"x-shopify-shop-api-call-limit": "39/40"})
    assert pacer.interval == 0.5
    pacer.observe({"x-shopify-shop-api-call-limit": "3/40"})
    assert pacer.interval == 0.0


T0 = datetime(2024, 1, 1, tzinfo=UTC)


def order(n: int, minutes: int) -> PolledOrder:
    return PolledOrder(f"O{n}", T0 + timedelta(minutes=minutes), {"id": n})


def test_hand_page_advances_watermark_and_remembers_ids_at_it() -> None:
    sink = InMemorySink()
    state, handed = hand_page(sink, "amazon", PollState(T0), [order(1, 0), order(2, 5), order(3, 5)], "next")
    assert handed == 3
    assert (state.watermark, state.cursor, state.seen_at_watermark, state.floor) == (
        T0 + timedelta(minutes=5), "next", frozenset({"O2", "O3"}), T0)  # fmt: skip
    assert state.recent == {version("O2", T0 + timedelta(minutes=5)), version("O3", T0 + timedelta(minutes=5))}
    assert [json.loads(b) for b in sink.bodies()] == [{"id": 1}, {"id": 2}, {"id": 3}]

    # The next poll starts AT the watermark: O2 and O3 come back and are skipped, O4 at the same instant is new.
    again = InMemorySink()
    new_poll = replace(state, cursor=None)
    state2, handed2 = hand_page(again, "amazon", new_poll, [order(2, 5), order(3, 5), order(4, 5)], None)
    assert handed2 == 1 and state2.seen_at_watermark == {"O2", "O3", "O4"} and state2.cursor is None
    assert PollState.from_json(json.loads(json.dumps(state2.to_json()))) == state2


def test_a_run_paging_newest_first_loses_nothing_and_resumes_from_its_saved_floor() -> None:
    # Given a marketplace that pages newest first (Walmart's default order): page 1 holds the newest
    sink = InMemorySink()
    state, handed = hand_page(sink, "walmart", PollState(T0), [order(9, 90), order(8, 80)], "page-2")
    assert handed == 2 and state.watermark == T0 + timedelta(minutes=90) and state.floor == T0
    # When page 2 (older orders) comes after a restart from the saved state
    saved = PollState.from_json(json.loads(json.dumps(state.to_json())))
    state, handed = hand_page(sink, "walmart", saved, [order(2, 20), order(1, 10)], None)
    # Then they are handed over too, and the finished run keeps no floor
    assert handed == 2 and [json.loads(b)["id"] for b in sink.bodies()] == [9, 8, 2, 1]
    assert state.watermark == T0 + timedelta(minutes=90) and state.floor is None and state.cursor is None


def test_a_poll_starts_before_the_watermark_and_takes_a_late_listed_update_once() -> None:
    overlap = timedelta(minutes=5)
    sink = InMemorySink()
    # Given a poll that handed orders updated up to minute 30
    state, _ = hand_page(sink, "amazon", PollState(T0), [order(1, 10), order(2, 30)], None, overlap=overlap)
    assert state.since(overlap) == T0 + timedelta(minutes=25)
    # When the next poll (from minute 25) lists O2 again and O3, updated at minute 28 but listed only now
    state, handed = hand_page(sink, "amazon", state, [order(2, 30), order(3, 28)], None, overlap=overlap)
    # Then O3 is handed over, O2 is not handed twice, and what is kept is pruned to the overlap
    assert handed == 1 and [json.loads(b)["id"] for b in sink.bodies()] == [1, 2, 3]
    assert state.watermark == T0 + timedelta(minutes=30)
    assert state.recent == {version("O2", T0 + timedelta(minutes=30)), version("O3", T0 + timedelta(minutes=28))}
    # And a later version of O2 (changed at minute 40) is new
    state, handed = hand_page(sink, "amazon", state, [order(2, 40)], None, overlap=overlap)
    assert handed == 1 and state.recent == {version("O2", T0 + timedelta(minutes=40))}
    assert PollState.from_json(json.loads(json.dumps(state.to_json()))) == state
