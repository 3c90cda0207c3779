"""Backbone bench: messages per second through a no-op actor on the real RabbitMQ, with Dramatiq's
default middleware (baseline) and with all of crossdock's middleware (correlation, size limit,
idempotency and journal on PostgreSQL, error policy, metrics), in the same run.

Three variants: bare Dramatiq; crossdock with ``group_commit=True`` (the headline ``ratio``); crossdock
with one transaction per hop (the default for steps with database effects). Each preloads
``--messages`` messages into its own queue, then an in-process Dramatiq worker (``--threads``
threads and a prefetch of ``GROUP_COMMIT_PREFETCH``, the same for every variant) drains it; the
rate is messages / drain time. ``--rounds`` rounds run all three, the order rotated each round; the
figures are the medians. Per-hop latency
runs from the first middleware's ``before_process_message`` to the last ``after_process_message``
or, for a group-commit hop (whose worker thread does not wait for the commit), to its batch's
commit: everything the worker does for one message but the ack. Uses a throwaway vhost and a
throwaway PostgreSQL database, both removed at the end.

    .venv/bin/python bench/backbone_bench.py [--messages 3000] [--threads 32] [--rounds 3]

The last line is one JSON object: bare_msgs_per_s, crossdock_msgs_per_s, ratio, p99_hop_ms (and
the per-hop-transaction figures, each round's ratio).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dramatiq
import httpx
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import Middleware
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossdock.broker.hop import peek_hop
from crossdock.broker.rabbitmq import GROUP_COMMIT_PREFETCH
from crossdock.broker.send import send
from crossdock.broker.setup import amqp_parameters_url, build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.settings import load_settings
from crossdock.store import Database, Store, upgrade
from tests.reliability_app import probe_message

MANAGEMENT = "http://127.0.0.1:15672"
AUTH = ("guest", "guest")
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class HopTimer(Middleware):
    """Times each message from the first before-hook to the last after-hook; counts them."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.durations: list[float] = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.expected = 0

    def before_process_message(self, broker: Any, message: Any) -> None:
        self.started[message.message_id] = time.perf_counter()

    def _finish(self, message: Any) -> None:
        elapsed = time.perf_counter() - self.started.pop(message.message_id)
        with self.lock:
            self.durations.append(elapsed)
            if len(self.durations) >= self.expected:
                self.done.set()

    def after_process_message(self, broker: Any, message: Any, *, result: Any = None, exception: Any = None) -> None:
        hop = peek_hop(message)
        if hop is not None and hop.deferred is not None:
            # A group-commit hop on RabbitMQ: its worker thread is free now, but the hop ends (and the
            # message is acknowledged) only once its batch committed.
            hop.deferred.then(lambda _: self._finish(message))
            return
        self._finish(message)

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self._finish(message)


def noop(payload: str) -> None:
    """The actor under test does nothing."""


def drain(broker: Any, timer: HopTimer, messages: int, threads: int) -> float:
    timer.expected = messages
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    # The same prefetch for every variant: crossdock's broker gives a queue with group-commit steps
    # this much (GROUP_COMMIT_PREFETCH), so the bare worker gets it too (it makes no difference there).
    worker.queue_prefetch = GROUP_COMMIT_PREFETCH
    started = time.perf_counter()
    worker.start()
    try:
        if not timer.done.wait(timeout=300):
            raise RuntimeError(f"only {len(timer.durations)} of {messages} messages processed in 300 s")
        return time.perf_counter() - started
    finally:
        worker.stop()


def p99_ms(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=100)[98] * 1000


def run_bare(url: str, messages: int, threads: int, round_no: int) -> tuple[float, float]:
    timer = HopTimer()
    broker = RabbitmqBroker(url=amqp_parameters_url(url, 30), confirm_delivery=True)
    broker.add_middleware(timer, before=broker.middleware[0].__class__)
    actor = dramatiq.actor(noop, broker=broker, actor_name="bench.bare", queue_name="bench-bare")
    for n in range(messages):
        envelope, document = probe_message(f"B-{round_no}-{n}")
        actor.send(send_payload(envelope, document))
    elapsed = drain(broker, timer, messages, threads)
    broker.close()
    return messages / elapsed, p99_ms(timer.durations)


def send_payload(envelope: Any, document: Any) -> str:
    from crossdock.broker import codec

    return codec.encode(envelope, document)


def run_crossdock(
    url: str, db_url: str, messages: int, threads: int, round_no: int, *, group_commit: bool
) -> tuple[float, float]:
    timer = HopTimer()
    settings = load_settings(environ={"CROSSDOCK_BROKER_URL": url, "CROSSDOCK_DATABASE_URL": db_url})
    store = Store.from_url(db_url)
    adapter = SqlMessageStore(store)
    broker = build_broker(settings, store=adapter)
    broker.add_middleware(timer, before=broker.middleware[0].__class__)
    base = "bench.grouped" if group_commit else "bench.crossdock"
    name = f"{base}.r{round_no}"
    dramatiq.actor(noop, broker=broker, actor_name=name, queue_name=base.replace(".", "-"), group_commit=group_commit)
    for n in range(messages):
        envelope, document = probe_message(f"{name}-{n}")
        send(broker, name, envelope, document)
    elapsed = drain(broker, timer, messages, threads)
    broker.close()
    adapter.close()
    with store.db.engine.connect() as conn:
        hops, raw = conn.execute(
            text(
                "SELECT count(*), count(r.id) FROM journal j LEFT JOIN raw_payloads r "
                "ON r.id = j.raw_payload_id AND r.name = j.message_id AND r.sha256 = j.payload_sha256 "
                "WHERE j.status = 'succeeded' AND j.actor = :a"
            ),
            {"a": name},
        ).one()
    store.close()
    if hops != messages:
        raise RuntimeError(f"journal has {hops} succeeded hops for {name}, expected {messages}")
    if raw != messages:
        raise RuntimeError(f"{raw} of {messages} hops of {name} point to their own first-hop raw payload")
    return messages / elapsed, p99_ms(timer.durations)


VARIANTS = {
    "bare": "bare      (Dramatiq defaults)       ",
    "grouped": "crossdock, group_commit=True (no-op)",
    "per_hop": "crossdock, one transaction per hop  ",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all three variants, order rotated")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:10]
    vhost, database = f"crossdock-bench-{tag}", f"crossdock_bench_{tag}"
    api = httpx.Client(base_url=MANAGEMENT, auth=AUTH, timeout=10)
    api.put(f"/api/vhosts/{quote(vhost, safe='')}").raise_for_status()
    api.put(
        f"/api/permissions/{quote(vhost, safe='')}/guest", json={"configure": ".*", "write": ".*", "read": ".*"}
    ).raise_for_status()
    admin = Database.from_url(PG_ADMIN)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    runs: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
    try:
        db = Database.from_url(db_url)
        upgrade(db)
        db.dispose()
        url = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
        order = list(VARIANTS)
        for round_no in range(1, args.rounds + 1):
            shift = (round_no - 1) % len(order)
            for variant in order[shift:] + order[:shift]:  # each variant goes first once in three rounds
                if variant == "bare":
                    rate, p99 = run_bare(url, args.messages, args.threads, round_no)
                else:
                    grouped = variant == "grouped"
                    rate, p99 = run_crossdock(
                        url, db_url, args.messages, args.threads, round_no, group_commit=grouped
                    )
                runs[variant].append((rate, p99))
                print(f"round {round_no}  {VARIANTS[variant]}: {rate:8.1f} msg/s   p99 hop {p99:7.2f} ms", flush=True)
    finally:
        api.delete(f"/api/vhosts/{quote(vhost, safe='')}")
        api.close()
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    median = {v: (statistics.median(r for r, _ in runs[v]), statistics.median(p for _, p in runs[v])) for v in runs}
    for variant, (rate, p99) in median.items():
        print(f"median    {VARIANTS[variant]}: {rate:8.1f} msg/s   p99 hop {p99:7.2f} ms")
    bare_rate, bare_p99 = median["bare"]
    cd_rate, cd_p99 = median["grouped"]
    safe_rate, safe_p99 = median["per_hop"]
    ratio = cd_rate / bare_rate
    print(
        f"ratio {ratio:.2f} (target >= 0.50; group commit, medians of {args.rounds} rounds), one transaction per hop "
        f"{safe_rate / bare_rate:.2f}; {args.messages} messages, {args.threads} threads, "
        f"prefetch {GROUP_COMMIT_PREFETCH}, PostgreSQL store"
    )
    result = {
        "bare_msgs_per_s": round(bare_rate, 1),
        "crossdock_msgs_per_s": round(cd_rate, 1),
        "ratio": round(ratio, 3),
        "p99_hop_ms": round(cd_p99, 2),
        "per_hop_transaction_msgs_per_s": round(safe_rate, 1),
        "per_hop_transaction_ratio": round(safe_rate / bare_rate, 3),
        "per_hop_transaction_p99_hop_ms": round(safe_p99, 2),
        "bare_p99_hop_ms": round(bare_p99, 2),
        "round_ratios": [round(g / b, 3) for (g, _), (b, _) in zip(runs["grouped"], runs["bare"], strict=True)],
        "messages": args.messages,
        "threads": args.threads,
        "prefetch": GROUP_COMMIT_PREFETCH,
        "rounds": args.rounds,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
