"""Where an order poll stands: a last-updated-after watermark (the marketplace's last-update time of the
newest order version handed over), the cursor of an unfinished page run, and the order versions handed
over within ``overlap`` of the watermark (so the next poll, which starts ``overlap`` BEFORE the
watermark, does not hand them over again). Advanced only after a page is in the sink. Polling by
last-update time, an order changed or cancelled after it was first handed over comes again as a new
version; starting each poll :data:`OVERLAP` before the watermark takes in an update the marketplace
indexed late (SP-API: about two minutes after the change)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from crossdock.bridges.rest.sink import RawSink

SOURCE_HEADER = "source"
ORDER_ID_HEADER = "order_id"
POLLED = "poll"
"""A polled order reaches ``RawSink.store_raw`` with headers ``{"source": "poll", "order_id": <id>}``:
a store-backed sink keys it by channel and order id (``crossdock.actors.intake.StoreWebhookSink``)."""
OVERLAP = timedelta(minutes=5)
"""How far before the watermark the adapters start each poll: an order updated just before the watermark
but listed by the marketplace only later is still seen (versions already handed are skipped)."""


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
    """The versions (:func:`version`) already handed over when the run started."""
    recent: frozenset[str] = field(default_factory=frozenset)
    """The versions handed over within the overlap before the watermark: skipped when listed again."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "watermark": self.watermark.isoformat(),
            "cursor": self.cursor,
            "seen_at_watermark": sorted(self.seen_at_watermark),
        }
        if self.floor is not None:
            data |= {"floor": self.floor.isoformat(), "seen_at_floor": sorted(self.seen_at_floor)}
        if self.recent:
            data["recent"] = sorted(self.recent)
        return data

    def since(self, overlap: timedelta) -> datetime:
        """Where a new poll starts: ``overlap`` before the watermark."""
        return self.watermark - overlap

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PollState:
        return cls(
            watermark=datetime.fromisoformat(data["watermark"]),
            cursor=data.get("cursor"),
            seen_at_watermark=frozenset(data.get("seen_at_watermark", ())),
            floor=datetime.fromisoformat(data["floor"]) if data.get("floor") else None,
            seen_at_floor=frozenset(data.get("seen_at_floor", ())),
            recent=frozenset(data.get("recent", ())),
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


def version(order_id: str, updated: datetime) -> str:
    """One version of an order: its id and its last-update time (``<id>|<ISO time>``)."""
    return f"{order_id}|{updated.isoformat()}"


def _updated(entry: str) -> datetime:
    return datetime.fromisoformat(entry.rpartition("|")[2])


def hand_page(
    sink: RawSink,
    channel: str,
    state: PollState,
    orders: Iterable[PolledOrder],
    next_cursor: str | None,
    *,
    overlap: timedelta = timedelta(0),
) -> tuple[PollState, int]:
    """Store and enqueue a page's new order versions, then return the advanced state and how many were new.

    A page is read against where its run started (``overlap`` before the watermark; ``state.floor``
    while a run is unfinished), whatever order the marketplace pages in; a version already handed over
    is skipped; the watermark advances to the newest version handed over."""
    mid_run = state.cursor is not None and state.floor is not None
    if mid_run and state.floor is not None:
        floor, known = state.floor, set(state.seen_at_floor)
    else:
        floor = state.since(overlap)
        known = set(state.recent) | {version(i, state.watermark) for i in state.seen_at_watermark}
    watermark, seen, recent = state.watermark, set(state.seen_at_watermark), set(state.recent)
    handed = 0
    for order in orders:
        this = version(order.order_id, order.updated)
        if order.updated < floor or this in known or this in recent:
            continue
        body = json.dumps(order.document, separators=(",", ":")).encode()
        ref = sink.store_raw(channel, body, {SOURCE_HEADER: POLLED, ORDER_ID_HEADER: order.order_id})
        sink.enqueue(ref)
        handed += 1
        recent.add(this)
        if order.updated > watermark:
            watermark, seen = order.updated, {order.order_id}
        elif order.updated == watermark:
            seen.add(order.order_id)
    kept = frozenset(entry for entry in recent if _updated(entry) >= watermark - overlap)
    advanced = replace(state, watermark=watermark, cursor=next_cursor, seen_at_watermark=frozenset(seen), recent=kept)
    if next_cursor:
        return replace(advanced, floor=floor, seen_at_floor=frozenset(known)), handed
    return replace(advanced, floor=None, seen_at_floor=frozenset()), handed
