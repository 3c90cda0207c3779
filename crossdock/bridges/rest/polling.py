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

    def to_json(self) -> dict[str, Any]:
        return {
            "watermark": self.watermark.isoformat(),
            "cursor": self.cursor,
            "seen_at_watermark": sorted(self.seen_at_watermark),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PollState:
        return cls(
            watermark=datetime.fromisoformat(data["watermark"]),
            cursor=data.get("cursor"),
            seen_at_watermark=frozenset(data.get("seen_at_watermark", ())),
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
    """Store and enqueue a page's new orders, then return the advanced state and how many were new."""
    watermark, seen = state.watermark, set(state.seen_at_watermark)
    handed = 0
    for order in orders:
        if order.updated < state.watermark or (order.updated == state.watermark and order.order_id in seen):
            continue
        body = json.dumps(order.document, separators=(",", ":")).encode()
        ref = sink.store_raw(channel, body, {SOURCE_HEADER: POLLED, ORDER_ID_HEADER: order.order_id})
        sink.enqueue(ref)
        handed += 1
        if order.updated > watermark:
            watermark, seen = order.updated, {order.order_id}
        elif order.updated == watermark:
            seen.add(order.order_id)
    return replace(state, watermark=watermark, cursor=next_cursor, seen_at_watermark=frozenset(seen)), handed
