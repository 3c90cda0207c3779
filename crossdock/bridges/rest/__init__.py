"""Marketplaces over REST: the httpx client (timeouts, pacing, bounded retries, error mapping), the
signed-webhook receiver (Starlette), the polling/outbound channel adapters and ``sim/``, the simulator.
IO only: mapping lives in :mod:`crossdock.canonical.marketplaces`; raw payloads go to a :class:`RawSink`."""

from crossdock.bridges.rest.sink import InMemorySink, RawSink

__all__ = ["InMemorySink", "RawSink"]
