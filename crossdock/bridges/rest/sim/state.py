"""Everything the simulator remembers: seeded orders per channel, what clients sent it (fulfillments,
confirmations, shipping and inventory updates), rate limits and faults. Thread-safe; in memory."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crossdock.bridges.rest.sim import seed
from crossdock.bridges.rest.sim.auth import SimAuth
from crossdock.bridges.rest.sim.faults import Faults, TokenBucket

CHANNELS = ("shopify", "amazon", "walmart")


@dataclass
class SimState:
    orders_per_channel: int = 25
    shopify: list[dict[str, Any]] = field(default_factory=list)
    amazon: list[dict[str, Any]] = field(default_factory=list)
    walmart: list[dict[str, Any]] = field(default_factory=list)
    walmart_returns: list[dict[str, Any]] = field(default_factory=list)
    shopify_fulfillments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Shopify order id -> the fulfillments created for it (what its fulfillment orders derive from)."""
    amazon_packages: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """AmazonOrderId -> packageReferenceId -> the package as last confirmed (a known id is an edit)."""
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    auth: SimAuth = field(default_factory=SimAuth)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self, orders_per_channel: int | None = None) -> None:
        with self.lock:
            if orders_per_channel is not None:
                self.orders_per_channel = orders_per_channel
            n = self.orders_per_channel
            self.shopify = seed.shopify_orders(n)
            self.amazon = seed.amazon_orders(n)
            self.walmart = seed.walmart_orders(n)
            self.walmart_returns = seed.walmart_returns(self.walmart)
            self.shopify_fulfillments = {}
            self.amazon_packages = {}
            self.received = {}
            self.requests = Counter()
            self.buckets = {channel: TokenBucket(capacity=40, refill_per_s=20) for channel in CHANNELS}
        self.faults.clear()
        self.auth.reset()

    def record(self, kind: str, entry: dict[str, Any]) -> None:
        with self.lock:
            self.received.setdefault(kind, []).append(entry)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "received": {kind: list(entries) for kind, entries in self.received.items()},
                "requests": dict(self.requests),
                "orders": {"shopify": len(self.shopify), "amazon": len(self.amazon), "walmart": len(self.walmart)},
                "rate_limits": {
                    name: {"capacity": b.capacity, "refill_per_s": b.refill_per_s} for name, b in self.buckets.items()
                },
                "faults": [vars(f).copy() for f in self.faults.items if f.times > 0],
                "tokens_issued": dict(self.auth.grants),
            }
