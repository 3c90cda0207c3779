"""Honour the rate a marketplace advertises before it has to answer 429.

SP-API sends ``x-amzn-RateLimit-Limit`` (requests per second for this operation); Shopify sends
``X-Shopify-Shop-Api-Call-Limit: used/size`` (a leaky bucket). The pacer spaces calls accordingly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MAX_INTERVAL_S = 60.0
MARGIN = 1.1
"""Stay 10% under the advertised rate: clocks and network jitter would otherwise meet the limit head on."""
SHOPIFY_LEAK_PER_S = 2.0


@dataclass
class Pacer:
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = 0.0
    _last: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the allowed rate from a response's headers."""
        limit = headers.get("x-amzn-ratelimit-limit")
        if limit:
            try:
                rate = float(limit)
            except ValueError:
                return
            if rate > 0:
                self.interval = min(MARGIN / rate, MAX_INTERVAL_S)
            return
        bucket = headers.get("x-shopify-shop-api-call-limit")
        if bucket and "/" in bucket:
            used_text, _, size_text = bucket.partition("/")
            try:
                used, size = int(used_text), int(size_text)
            except ValueError:
                return
            # Nearly full: wait for one call to leak out before the next.
            self.interval = 1.0 / SHOPIFY_LEAK_PER_S if size and used >= size * 0.8 else 0.0

    def wait(self) -> None:
        """Sleep just long enough to keep to the advertised rate, then mark a call."""
        with self._lock:
            now = self.clock()
            if self._last is not None and self.interval:
                remaining = self._last + self.interval - now
                if remaining > 0:
                    self.sleep(remaining)
                    now = self.clock()
            self._last = now
