"""``crossdock rehearse``: a peak day of N orders at a compressed clock, with a burst and an ERP outage.

It runs on the lifecycle demo's rig (:func:`crossdock.actors.lifecycle_demo.lifecycle_rig`): the same
production steps on embedded defaults, the ERP and marketplace simulators on loopback, a simulated 3PL.
The day lasts ``minutes``; orders arrive at a base rate with ``burst`` times that rate in the middle
tenth of the day, round robin over the channels (buyer 850s, Shopify webhooks, Amazon and Walmart orders
appearing at the simulator and found by polls), with Shopify cancellations and the demo's bad and
repeated inputs. In the middle of the day the ERP simulator answers every call with HTTP 503 for
``erp_outage_s``; crossdock's circuit breaker waits it out and the backlog drains after.

The report is read from the store, the journal, the simulators and the broker's queues, never from
what the rehearsal sent: the count check is the demo's (``lost``) plus "no order twice in the ERP, no
order sent twice to the 3PL".
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from crossdock.actors.folder_intake import poll_folder
from crossdock.actors.inventory_pull import send_levels
from crossdock.actors.lifecycle_demo import (
    BUYER,
    CHANNELS,
    FINAL_ROUNDS,
    THREEPL,
    WEBHOOK_SECRET,
    PartnerNumbers,
    Rig,
    bad_inputs,
    buyer_order,
    count_run,
    lifecycle_rig,
    poll_channel,
    split_orders,
    turned,
)  # fmt: skip
from crossdock.bridges.rest.sim.webhooks import WebhookShot, signed_request
from crossdock.broker.lanes import DEAD_LETTER_SUFFIX, DELAY_SUFFIX
from crossdock.canonical.order import OrderPurpose
from crossdock.canonical.warehouse import WarehouseShippingOrder
from crossdock.edi.translate import render, translate
from crossdock.examples import EXAMPLES
from crossdock.soap.sim.control import ALL, Behaviour
from crossdock.store.census import hop_statuses, order_book, step_timings

BURST_SHARE = 0.1
"""The middle tenth of the day runs at ``burst`` times the base rate."""
CANCEL_EVERY = 10
"""Every tenth Shopify order is cancelled by its buyer a few seconds after it arrived."""
CANCEL_AFTER_TICKS = 3
ANSWER_EVERY_TICKS = 5
"""The 3PL answers its mailbox every few ticks."""
ORDER_ID = {"shopify": "id", "amazon": "AmazonOrderId", "walmart": "purchaseOrderId"}
"""Where the simulator's orders carry the id crossdock keys them by."""
MAX_POINTS = 120
SETTLE_S = 900.0


@dataclass(frozen=True)
class Plan:
    orders_per_day: int
    burst: float
    erp_outage_s: float
    minutes: float = 2.0
    tick_s: float = 1.0
    breaker_cooldown_s: float = 5.0

    @property
    def day_s(self) -> float:
        return self.minutes * 60

    @property
    def ticks(self) -> int:
        return max(1, math.ceil(self.day_s / self.tick_s))

    def problems(self) -> list[str]:
        """What makes the plan impossible (empty when it can run)."""
        found = []
        if self.orders_per_day < 4:
            found.append("--orders-per-day must be at least 4 (one per channel)")
        if self.burst < 1:
            found.append("--burst must be at least 1 (times the base rate)")
        if self.minutes <= 0:
            found.append("--minutes must be positive")
        if self.erp_outage_s < 0 or self.erp_outage_s >= self.day_s:
            found.append(f"--erp-outage must be at least 0 and shorter than the day ({self.day_s:g} s)")
        return found

    def arrivals(self) -> list[int]:
        """How many orders have arrived by the end of each tick (cumulative; the last is the day's N)."""
        ticks = self.ticks
        start, end = (1 - BURST_SHARE) / 2 * ticks, (1 + BURST_SHARE) / 2 * ticks
        weights = [self.burst if start <= t + 0.5 < end else 1.0 for t in range(ticks)]
        total, done, cumulative = sum(weights), 0.0, []
        for weight in weights:
            done += weight
            cumulative.append(round(self.orders_per_day * done / total))
        return cumulative


@dataclass
class Report:
    plan: Plan
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.figures.get("count_check", {}).get("ok"))


class DepthSampler:
    """Samples the depth of every lane (messages enqueued and not yet done, delayed retries included,
    under their lane's name) every ``interval_s`` in a thread."""

    def __init__(self, broker: Any, interval_s: float = 1.0) -> None:
        self.broker, self.interval_s = broker, interval_s
        self.samples: list[tuple[float, dict[str, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crossdock-rehearse-depths", daemon=True)
        self.t0 = time.monotonic()

    def depths(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for name, queue in list(self.broker.queues.items()):
            if name.endswith(DEAD_LETTER_SUFFIX):
                continue
            found[name.removesuffix(DELAY_SUFFIX)] += int(queue.unfinished_tasks)
        return dict(found)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.samples.append((time.monotonic() - self.t0, self.depths()))

    def start(self) -> DepthSampler:
        self.t0 = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def series(self) -> dict[str, Any]:
        """At most ``MAX_POINTS`` points per lane (the maximum of each bucket), lanes that never held a
        message left out."""
        step = max(1, math.ceil(len(self.samples) / MAX_POINTS))
        lanes = sorted({lane for _, d in self.samples for lane, n in d.items() if n})
        buckets = [self.samples[i : i + step] for i in range(0, len(self.samples), step)]
        return {
            "interval_s": round(self.interval_s * step, 2),
            "lanes": {lane: [max(d.get(lane, 0) for _, d in b) for b in buckets] for lane in lanes},
            "total": [max(sum(d.values()) for _, d in b) for b in buckets],
        }

    def drain_s(self, outage_start: float, outage_end: float, settled: float | None = None) -> float | None:
        """Seconds from the outage's end until the queues were back at their depth when it began; when no
        sample shows it, ``settled`` (when every queue was found empty) is that moment."""
        before = [sum(d.values()) for t, d in self.samples if t <= outage_start]
        level = before[-1] if before else 0
        for t, d in self.samples:
            if t >= outage_end and sum(d.values()) <= level:
                return round(t - outage_end, 1)
        return round(settled - outage_end, 1) if settled is not None and settled >= outage_end else None


def _sent_940s(mailbox: Path) -> Counter[str]:
    """Original 940s the 3PL received, per order: read from its mailbox, not from crossdock."""
    originals: Counter[str] = Counter()
    for path in sorted((mailbox / "outbound").iterdir()):
        if "_940_" not in path.name:
            continue
        for result in translate(path.read_bytes()).sets:
            wso = result.document
            if isinstance(wso, WarehouseShippingOrder) and wso.purpose == OrderPurpose.ORIGINAL:
                originals[wso.order_ref] += 1
    return originals


class _Day:
    """The day's inputs, tick by tick."""

    def __init__(self, rig: Rig, plan: Plan) -> None:
        self.rig, self.plan = rig, plan
        state = rig.market_state
        with state.lock:
            self.hidden = {"shopify": state.shopify, "amazon": state.amazon, "walmart": state.walmart}
            state.shopify, state.amazon, state.walmart = [], [], []
        self.next = dict.fromkeys(CHANNELS, 0)
        self.sends, self.numbers = turned(rig.buyer), PartnerNumbers(300_000)
        self.cancels: list[tuple[int, dict[str, Any]]] = []
        self.cancelled = 0
        self.issued: set[str] = set()
        """Every order the day brought (PO numbers, marketplace order ids): what crossdock must have received."""
        self.shot = WebhookShot(url=rig.receiver.url + "/webhooks/shopify", secret=WEBHOOK_SECRET.encode())
        self.http = httpx.Client(timeout=30)

    def arrive(self, first: int, last: int, tick: int, now: datetime) -> None:
        new: Counter[str] = Counter(CHANNELS[n % len(CHANNELS)] for n in range(first, last))
        inbound = self.rig.mailboxes[BUYER] / "inbound"
        for _ in range(new["edi"]):
            i = self.next["edi"]
            data = render("850", buyer_order(i), self.sends, self.numbers, now=now)
            (inbound / f"850_PO-DEMO-{i + 1:05d}.x12").write_bytes(data)
            self.issued.add(f"PO-DEMO-{i + 1:05d}")
            self.next["edi"] += 1
        if new["edi"]:
            poll_folder(self.rig.mailboxes[BUYER], BUYER, self.rig.flows.sftp_sink, lock=self.rig.flows.sftp_sink)
        for channel in ("shopify", "amazon", "walmart"):
            start = self.next[channel]
            orders = [_placed(channel, o, now) for o in self.hidden[channel][start : start + new[channel]]]
            self.next[channel] += len(orders)
            self.issued.update(str(order[ORDER_ID[channel]]) for order in orders)
            with self.rig.market_state.lock:
                getattr(self.rig.market_state, channel).extend(orders)
            if channel == "shopify":
                for n, order in enumerate(orders, start=start):
                    self._webhook(order, "orders/create")
                    if n % CANCEL_EVERY == CANCEL_EVERY - 1:
                        self.cancels.append((tick + CANCEL_AFTER_TICKS, order))
            elif orders:
                poll_channel(self.rig.config, channel, self.rig.flows, self.rig.work, now)
        due = [order for at, order in self.cancels if at <= tick]
        self.cancels = [(at, order) for at, order in self.cancels if at > tick]
        for order in due:
            self._webhook({**order, "cancelled_at": now.isoformat(), "cancel_reason": "customer"}, "orders/cancelled")
            self.cancelled += 1

    def _webhook(self, order: dict[str, Any], topic: str) -> None:
        shot = WebhookShot(url=self.shot.url, secret=self.shot.secret, topic=topic)
        body, headers = signed_request(shot, order)
        self.http.post(shot.url, content=body, headers=headers).raise_for_status()

    def answer(self, now: datetime) -> None:
        if self.rig.threepl.answer(now):
            rig = self.rig
            poll_folder(rig.mailboxes[THREEPL], THREEPL, rig.flows.sftp_sink, lock=rig.flows.sftp_sink)


def _placed(channel: str, order: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The simulator's order as placed now (its seed stamps lie in the past, behind the pollers' watermark)."""
    if channel == "amazon":
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {**order, "PurchaseDate": stamp, "LastUpdateDate": stamp}
    if channel == "walmart":
        millis = int(now.timestamp() * 1000)
        lines = [{**line, "statusDate": millis} if line.get("statusDate") else line
                 for line in order["orderLines"]["orderLine"]]  # fmt: skip
        return {**order, "orderDate": millis, "orderLines": {**order["orderLines"], "orderLine": lines}}
    return order


def rehearse(plan: Plan, workdir: Path | None = None, *, examples: Path = EXAMPLES) -> Report:
    """Run the day of ``plan`` on embedded defaults and report its figures."""
    problems = plan.problems()
    if problems:
        raise ValueError("; ".join(problems))
    arrivals = plan.arrivals()
    outage_start = (plan.day_s - plan.erp_outage_s) / 2
    outage_end = outage_start + plan.erp_outage_s
    report = Report(plan)
    with lifecycle_rig(split_orders(plan.orders_per_day), workdir, examples=examples,
                       erp={"breaker_cooldown_s": plan.breaker_cooldown_s}) as rig:  # fmt: skip
        flows, control = rig.flows, rig.erp.control
        send_levels(flows.broker, rig.ports.erp, rig.config.item_map, location="MAIN")
        flows.settle(timeout_s=120)
        day = _Day(rig, plan)
        began = datetime.now(UTC)
        sampler = DepthSampler(flows.broker, interval_s=min(1.0, plan.tick_s)).start()
        issued, down, up_at = 0, False, None
        try:
            for tick, target in enumerate(arrivals):
                wait = sampler.t0 + tick * plan.tick_s - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                clock = time.monotonic() - sampler.t0
                if not down and up_at is None and plan.erp_outage_s and clock >= outage_start:
                    control.set(ALL, Behaviour(http_status=503))
                    down, outage_start = True, clock
                if down and clock >= outage_end:
                    control.unset(ALL)
                    down, up_at = False, clock
                now = datetime.now(UTC)
                day.arrive(issued, target, tick, now)
                issued = target
                if tick == len(arrivals) // 2:
                    bad_inputs(rig.mailboxes[BUYER], rig.buyer, rig.receiver.url, now)
                    poll_folder(rig.mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
                if tick % ANSWER_EVERY_TICKS == ANSWER_EVERY_TICKS - 1:
                    day.answer(now)
            if down:
                time.sleep(max(0.0, sampler.t0 + outage_end - time.monotonic()))
                control.unset(ALL)
                up_at = time.monotonic() - sampler.t0
            day.arrive(issued, issued, len(arrivals) + CANCEL_AFTER_TICKS, datetime.now(UTC))
            day_end = time.monotonic() - sampler.t0
            flows.settle(timeout_s=SETTLE_S)
            for round_no in range(FINAL_ROUNDS):
                day.answer(datetime.now(UTC) + timedelta(hours=round_no + 1))
                flows.settle(timeout_s=SETTLE_S)
            settled = time.monotonic() - sampler.t0
        finally:
            sampler.stop()
            control.unset(ALL)
            day.http.close()
        counts = count_run(rig.store, rig.erp, rig.market_state)
        report.figures = _figures(plan, rig, counts, sampler, day, began,
                                  (outage_start, up_at or outage_end), day_end, settled)  # fmt: skip
    return report


def _figures(plan: Plan, rig: Rig, counts: dict[str, Any], sampler: DepthSampler, day: _Day, began: datetime,
             outage: tuple[float, float], day_end: float, settled: float) -> dict[str, Any]:  # fmt: skip
    steps = step_timings(rig.store, began)
    slowest = max(steps.items(), key=lambda kv: kv[1]["p99_ms"], default=(None, {}))
    erp_twice = sorted(ref for ref, n in rig.erp.references().items() if n > 1)
    sent_twice = sorted(ref for ref, n in _sent_940s(rig.mailboxes[THREEPL]).items() if n > 1)
    book = {order for _, order in order_book(rig.store)}
    never = sorted(day.issued - book)
    in_erp = rig.erp.references()
    check = {"lost": counts["lost"], "lost_orders": counts["lost_orders"], "never_received": never[:20],
             "never_received_count": len(never), "not_in_erp": len(book - set(in_erp)),
             "erp_doubled": erp_twice[:20], "sent_twice_to_3pl": sent_twice[:20]}  # fmt: skip
    check["ok"] = counts["lost"] == 0 and not never and not erp_twice and not sent_twice
    return {
        "orders_per_day": plan.orders_per_day, "burst": plan.burst, "erp_outage_s": plan.erp_outage_s,
        "day_s": plan.day_s, "orders_issued": len(day.issued),
        "orders_received": counts["orders_received"], "cancellations_sent": day.cancelled,
        "wall_s": round(settled, 1), "day_s_actual": round(day_end, 1),
        "drained_after_day_s": round(settled - day_end, 1),
        "throughput_orders_per_s": round(counts["orders_received"] / settled, 2) if settled else 0.0,
        "outage": {"start_s": round(outage[0], 1), "end_s": round(outage[1], 1),
                   "drain_s": sampler.drain_s(*outage, settled)},
        "slowest_step": {"step": slowest[0], **slowest[1]},
        "steps": steps,
        "hop_statuses": hop_statuses(rig.store, began),
        "queue_depths": sampler.series(),
        "counts": {k: v for k, v in counts.items() if k not in ("lost", "lost_orders")},
        "count_check": check,
    }  # fmt: skip
