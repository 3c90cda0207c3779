"""Backbone bench: messages per second through worker processes on the real RabbitMQ, bare Dramatiq
against crossdock's production hop path, in the same run.

* **bare**: Dramatiq's ``RabbitmqBroker`` with its default middleware and a no-op actor.
* **production**: the broker, store adapter and actor exactly as ``crossdock worker``'s boot builds
  them (:func:`crossdock.broker.setup.build_broker` with :class:`~crossdock.broker.sql_store.SqlMessageStore`
  on PostgreSQL, the step declared by :func:`crossdock.actors.steps.declare_steps`), sent as the sinks
  send (:func:`crossdock.actors.steps.publish`). The step has a database effect, as the business steps
  do: its handler links two documents in its step context's session (``ctx.session``: the hop's own
  transaction). Each hop is one transaction: claim, the effect, raw payload, journal row,
  business keys, commit.

Both run as ``crossdock worker`` runs: ``--processes`` processes forked from this one (default 2, as
``crossdock worker``), each building its broker and one Dramatiq ``Worker`` with ``--threads`` threads
(default 8, as ``crossdock worker``; Dramatiq's default prefetch). Each variant preloads
``--messages`` messages into its own queue, then the processes drain it; the rate is messages / drain
time. ``--rounds`` rounds run both variants, the order alternating; the figures are the medians. The
per-hop latency runs from the first ``before_process_message`` to the last ``after_process_message``.
After each production round the bench checks one ``succeeded`` journal row, one raw payload and one
link per message. Uses a throwaway vhost and PostgreSQL database, both removed at the end.

    .venv/bin/python bench/backbone_bench.py [--messages 3000] [--processes 2] [--threads 8] [--rounds 3]

The last line is one JSON object: bare_msgs_per_s, production_msgs_per_s, production_ratio,
production_p99_hop_ms, bare_p99_hop_ms, round_ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import Middleware
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossdock.actors.context import StepContext
from crossdock.actors.graph import Step
from crossdock.actors.steps import FlowStep, Outgoing, declare_steps, publish
from crossdock.broker import codec
from crossdock.broker.lanes import Lane
from crossdock.broker.setup import amqp_parameters_url, build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.canonical import InventoryLevel
from crossdock.settings import load_settings
from crossdock.store import Database, Store, upgrade
from crossdock.store.links import DocRef, DocType
from tests.fixtures.rabbitmq import _create as create_vhost
from tests.fixtures.rabbitmq import _delete as delete_vhost
from tests.reliability_app import probe_message

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DRAIN_LIMIT_S = 300


class HopTimer(Middleware):
    """Times each message from the first before-hook to the last after-hook and counts it in ``done``
    (shared by the worker processes)."""

    def __init__(self, done: Any) -> None:
        self.started: dict[str, float] = {}
        self.durations: list[float] = []
        self.done = done

    def before_process_message(self, broker: Any, message: Any) -> None:
        self.started[message.message_id] = time.perf_counter()

    def _finish(self, message: Any) -> None:
        self.durations.append(time.perf_counter() - self.started.pop(message.message_id))
        with self.done.get_lock():
            self.done.value += 1

    def after_process_message(self, broker: Any, message: Any, *, result: Any = None, exception: Any = None) -> None:
        self._finish(message)

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self._finish(message)


def noop(payload: str) -> None:
    """The bare actor does nothing."""


def link_step(store: Store, name: str) -> FlowStep[InventoryLevel]:
    """A step with a database effect written as the business handlers write theirs."""

    def handle(ctx: StepContext, document: InventoryLevel) -> list[Outgoing]:
        envelope = ctx.envelope
        store.links.link(
            DocRef(DocType.ERP_ORDER, f"SO-{envelope.idempotency_key}"),
            DocRef(DocType.MARKETPLACE_ORDER, envelope.idempotency_key),
            message_id=envelope.message_id,
            session=ctx.session,
        )
        return []

    return FlowStep(Step(name, Lane.ORDERS, InventoryLevel), handle, store=store)


def bare_broker(url: str) -> tuple[RabbitmqBroker, Any]:
    broker = RabbitmqBroker(url=amqp_parameters_url(url, 30), confirm_delivery=True)
    actor = dramatiq.actor(noop, broker=broker, actor_name="bench.bare", queue_name="bench-bare")
    return broker, actor


def production_broker(url: str, db_url: str, name: str) -> tuple[Any, Store]:
    """The broker and the step as ``crossdock worker``'s boot builds them (crossdock.actors.wiring)."""
    settings = load_settings(environ={"CROSSDOCK_BROKER_URL": url, "CROSSDOCK_DATABASE_URL": db_url})
    store = Store.from_settings(settings)
    broker = build_broker(settings, store=SqlMessageStore(store))
    declare_steps(broker, [link_step(store, name)])
    return broker, store


def worker_process(variant: str, url: str, db_url: str, name: str, threads: int, sync: dict[str, Any]) -> None:
    """One worker process, as ``crossdock worker`` runs each: the broker built in the process, one
    Dramatiq ``Worker`` with ``threads`` threads (Dramatiq's default prefetch)."""
    timer = HopTimer(sync["done"])
    store = None
    if variant == "bare":
        broker, _ = bare_broker(url)
    else:
        broker, store = production_broker(url, db_url, name)
    broker.add_middleware(timer, before=broker.middleware[0].__class__)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    sync["ready"].wait()
    sync["go"].wait()
    worker.start()
    sync["stop"].wait()
    worker.stop()
    broker.close()
    if store is not None:
        store.close()
    sync["durations"].put(timer.durations)


def run(variant: str, url: str, db_url: str, args: argparse.Namespace, round_no: int) -> tuple[float, float]:
    """Preload the messages, then drain them with ``--processes`` worker processes; (msg/s, p99 ms)."""
    messages = args.messages
    name = f"bench.{variant}_r{round_no}"
    if variant == "bare":
        broker, actor = bare_broker(url)
        for n in range(messages):
            actor.send(codec.encode(*probe_message(f"{name}-{n}")))
        broker.close()
    else:
        broker, store = production_broker(url, db_url, name)
        for n in range(messages):
            envelope, document = probe_message(f"{name}-{n}")
            publish(broker, name, envelope, document)
        broker.close()
        store.close()
    context = multiprocessing.get_context("fork")  # as crossdock worker's master forks its processes
    sync = {
        "done": context.Value("i", 0),
        "ready": context.Barrier(args.processes + 1),
        "go": context.Event(),
        "stop": context.Event(),
        "durations": context.Queue(),
    }
    procs = [
        context.Process(target=worker_process, args=(variant, url, db_url, name, args.threads, sync))
        for _ in range(args.processes)
    ]
    for proc in procs:
        proc.start()
    sync["ready"].wait(60)
    started = time.perf_counter()
    sync["go"].set()
    deadline = started + DRAIN_LIMIT_S
    while sync["done"].value < messages:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {sync['done'].value} of {messages} messages processed")
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    sync["stop"].set()
    durations = [d for _ in procs for d in sync["durations"].get(timeout=60)]
    for proc in procs:
        proc.join(60)
    if variant == "production":
        check_production(db_url, name, messages)
    return messages / elapsed, p99_ms(durations)


def check_production(db_url: str, name: str, messages: int) -> None:
    store = Store.from_url(db_url)
    with store.db.engine.connect() as conn:
        hops, raw, links = conn.execute(
            text(
                "SELECT count(*), count(r.id), (SELECT count(*) FROM document_links WHERE message_id IN "
                "(SELECT message_id FROM journal WHERE actor = :a)) FROM journal j LEFT JOIN raw_payloads r "
                "ON r.id = j.raw_payload_id AND r.name = j.message_id AND r.sha256 = j.payload_sha256 "
                "WHERE j.status = 'succeeded' AND j.actor = :a"
            ),
            {"a": name},
        ).one()
    store.close()
    if (hops, raw, links) != (messages, messages, messages):
        raise RuntimeError(f"{name}: {hops} succeeded hops, {raw} raw payloads, {links} links for {messages} messages")


def p99_ms(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=100)[98] * 1000


VARIANTS = {
    "bare": "bare Dramatiq (no-op actor)          ",
    "production": "crossdock production hop (DB effect)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=2, help="worker processes (crossdock worker's default: 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per process (crossdock worker's default: 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both variants, order alternating")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:10]
    vhost, database = f"crossdock-bench-{tag}", f"crossdock_bench_{tag}"
    created = create_vhost(vhost)  # the management API, or rabbitmqctl when the API is off (as the tests do)
    admin = Database.from_url(PG_ADMIN)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    runs: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
    try:
        db = Database.from_url(db_url)
        upgrade(db)
        db.dispose()
        url = created.amqp_url
        for round_no in range(1, args.rounds + 1):
            order = list(VARIANTS) if round_no % 2 else list(reversed(VARIANTS))
            for variant in order:
                rate, p99 = run(variant, url, db_url, args, round_no)
                runs[variant].append((rate, p99))
                print(f"round {round_no}  {VARIANTS[variant]}: {rate:8.1f} msg/s   p99 hop {p99:7.2f} ms", flush=True)
    finally:
        delete_vhost(created)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    median = {v: (statistics.median(r for r, _ in runs[v]), statistics.median(p for _, p in runs[v])) for v in runs}
    for variant, (rate, p99) in median.items():
        print(f"median    {VARIANTS[variant]}: {rate:8.1f} msg/s   p99 hop {p99:7.2f} ms")
    bare_rate, bare_p99 = median["bare"]
    prod_rate, prod_p99 = median["production"]
    ratio = prod_rate / bare_rate
    print(
        f"production_ratio {ratio:.2f} (target >= 0.35; medians of {args.rounds} rounds); {args.messages} messages, "
        f"{args.processes} processes x {args.threads} threads, PostgreSQL store"
    )
    result = {
        "bare_msgs_per_s": round(bare_rate, 1),
        "production_msgs_per_s": round(prod_rate, 1),
        "production_ratio": round(ratio, 3),
        "production_p99_hop_ms": round(prod_p99, 2),
        "bare_p99_hop_ms": round(bare_p99, 2),
        "round_ratios": [round(p / b, 3) for (p, _), (b, _) in zip(runs["production"], runs["bare"], strict=True)],
        "messages": args.messages,
        "processes": args.processes,
        "threads": args.threads,
        "rounds": args.rounds,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
