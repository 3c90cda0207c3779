"""Where an order poll stands: a last-updated-after watermark (the marketplace's last-update time of the
newest order version handed over), the cursor of an unfinished page run, and the ids already handed
over at exactly the watermark instant (so the next poll, which starts AT the watermark, does not hand
them over again). Advanced only after a page is in the sink. Polling by last-update time, an order
changed or cancelled after it was first handed over comes again as a new version."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from crossdock.bridges.rest.sink import RawSink

SOURCE_HEADER = "source"
ORDER_ID_HEADER = "order_id"
POLLED = "poll"
"""A polled order reaches ``RawSink.store_raw`` with headers ``{"source": "poll", "order_id": <id>}``:
a store-backed sink keys it by channel and order id (``crossdock.actors.intake.StoreWebhookSink``)."""


@dataclass(frozen=True)
class PollState:
    watermark: datetime
    cursor: str | None = None
    seen_at_watermark: frozenset[str] = field(default_factory=frozenset)
    floor: datetime | None = None
    """While a page run is unfinished (``cursor`` set): the watermark it started from. Every page of
    the run is read against it, not against the watermark earlier pages advanced, so a marketplace
    that pages newest first (or in no order) loses nothing."""
    seen_at_floor: frozenset[str] = field(default_factory=frozenset)
    """The ids handed over at exactly ``floor`` before the run started."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "watermark": self.watermark.isoformat(),
            "cursor": self.cursor,
            "seen_at_watermark": sorted(self.seen_at_watermark),
        }
        if self.floor is not None:
            data |= {"floor": self.floor.isoformat(), "seen_at_floor": sorted(self.seen_at_floor)}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PollState:
        return cls(
            watermark=datetime.fromisoformat(data["watermark"]),
            cursor=data.get("cursor"),
            seen_at_watermark=frozenset(data.get("seen_at_watermark", ())),
            floor=datetime.fromisoformat(data["floor"]) if data.get("floor") else None,
            seen_at_floor=frozenset(data.get("seen_at_floor", ())),
        )


Checkpoint = Callable[[PollState], None]


class OrderPoller(Protocol):
    """A marketplace's order poller (``AmazonAdapter``, ``WalmartAdapter``)."""

    def poll_orders(
        self, sink: RawSink, state: PollState, *, checkpoint: Checkpoint | None = None, max_pages: int = 1000
    ) -> PollState:
        """Hand every order updated at or after ``state`` to ``sink``, page by page, calling
        ``checkpoint`` with the advanced state after each page is in the sink; return the final state."""
        ...


@dataclass(frozen=True)
class PolledOrder:
    order_id: str
    updated: datetime
    """When the marketplace last changed the order (created it, at first): what the watermark follows."""
    document: Any


def hand_page(
    sink: RawSink, channel: str, state: PollState, orders: Iterable[PolledOrder], next_cursor: str | None
) -> tuple[PollState, int]:
    """Store and enqueue a page's new orders, then return the advanced state and how many were new.

    A page is read against the watermark its run started from (``state.floor`` while a run is
    unfinished), whatever order the marketplace pages in; the watermark advances to the newest version
    handed over."""
    mid_run = state.cursor is not None and state.floor is not None
    floor = state.floor if mid_run and state.floor is not None else state.watermark
    floor_seen = state.seen_at_floor if mid_run else state.seen_at_watermark
    watermark, seen = state.watermark, set(state.seen_at_watermark)
    handed = 0
    for order in orders:
        if order.updated < floor or (order.updated == floor and order.order_id in floor_seen):
            continue
        body = json.dumps(order.document, separators=(",", ":")).encode()
        ref = sink.store_raw(channel, body, {SOURCE_HEADER: POLLED, ORDER_ID_HEADER: order.order_id})
        sink.enqueue(ref)
        handed += 1
        if order.updated > watermark:
            watermark, seen = order.updated, {order.order_id}
        elif order.updated == watermark:
            seen.add(order.order_id)
    advanced = replace(state, watermark=watermark, cursor=next_cursor, seen_at_watermark=frozenset(seen))
    if next_cursor:
        return replace(advanced, floor=floor, seen_at_floor=floor_seen), handed
    return replace(advanced, floor=None, seen_at_floor=frozenset()), handed
