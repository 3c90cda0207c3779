"""``crossdock scheduler run``: the periodic work (mailbox and marketplace polls, overdue
documents, retention, the ERP inventory pull) run from the ``schedule:`` section of flows.yaml,
on one host at a time.

* Leadership: every scheduler process asks for one named lock in the store (a PostgreSQL advisory lock
  on its own connection, across hosts; a file lock on SQLite). The holder runs the jobs; the others wait
  as hot standbys and ask again every ``standby_s``. A leader whose lock connection stops answering
  (terminated session, lost database) stops scheduling at once and goes back to standby; a leader that
  dies loses its connection, and with it the lock, so a standby takes over.
* Slots: each job's schedule (APScheduler's interval and cron triggers, interval slots aligned to the
  epoch) gives fire times; a fire time is claimed in ``scheduler_runs`` (unique job + slot) before the
  job runs, so even two leaders (a partition, a clock skew) never run one slot twice. Missed slots are
  coalesced: after downtime a job runs once, not once per missed slot. A job still running when its
  next slot comes skips that slot.
* Each run ends ``ok`` or ``failed`` with a short detail; a failure is one log line and the job runs
  again at its next slot (the work it does is idempotent: a polled file or order already stored is a
  duplicate, an overdue document gets one work item).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger

from crossdock.actors.flow_config import FlowConfig, PartnerConfig
from crossdock.actors.schedule_config import ScheduledJob
from crossdock.edi.partners import load_partner_profile
from crossdock.errors import ConfigError, CrossdockError, TransientError
from crossdock.settings import Settings
from crossdock.store import Lease, Store
from crossdock.store.sla import Deadlines, acknowledgments_after

log = logging.getLogger(__name__)

LEADER_LOCK = "crossdock scheduler"
STANDBY_S = 5.0
TICK_S = 1.0


@dataclass(frozen=True, slots=True)
class Job:
    """A job as the scheduler runs it: its name, its trigger, and the work (returns a short detail,
    raises when the run failed)."""

    name: str
    trigger: BaseTrigger
    run: Callable[[], str]


class Scheduler:
    def __init__(
        self,
        store: Store,
        jobs: list[Job],
        *,
        standby_s: float = STANDBY_S,
        tick_s: float = TICK_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_event: Callable[[str], None] = lambda message: log.info("%s", message),
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.standby_s = standby_s
        self.tick_s = tick_s
        self.clock = clock
        self.on_event = on_event
        self.host = socket.gethostname()
        self.pid = os.getpid()

    def run(self, stop: threading.Event) -> None:
        """Lead or stand by until ``stop`` is set."""
        announced_standby = False
        while not stop.is_set():
            with self.store.locks.lease(LEADER_LOCK) as lease:
                if lease is None:
                    if not announced_standby:
                        self.on_event(f"standby: another scheduler leads; asking again every {self.standby_s:g}s")
                        announced_standby = True
                else:
                    announced_standby = False
                    self.on_event(f"leading: {len(self.jobs)} jobs on {self.host} (pid {self.pid})")
                    self._lead(lease, stop)
            if not stop.is_set():
                stop.wait(self.standby_s)

    def _lead(self, lease: Lease, stop: threading.Event) -> None:
        now = self.clock()
        due: dict[str, datetime | None] = {job.name: job.trigger.get_next_fire_time(None, now) for job in self.jobs}
        running: dict[str, Future[None]] = {}
        with ThreadPoolExecutor(max_workers=max(1, len(self.jobs)), thread_name_prefix="scheduled") as pool:
            while not stop.is_set():
                if not lease.alive():
                    self.on_event("lost the leader lock (its database connection): stopped scheduling")
                    break
                now = self.clock()
                for job in self.jobs:
                    slot = due[job.name]
                    if slot is None or slot > now:
                        continue
                    # coalesce missed slots: the next one is the first after now
                    due[job.name] = job.trigger.get_next_fire_time(None, max(now, slot) + timedelta(microseconds=1))
                    previous = running.get(job.name)
                    if previous is not None and not previous.done():
                        self.on_event(f"{job.name}: still running, slot {slot.isoformat()} skipped")
                        continue
                    running[job.name] = pool.submit(self.run_slot, job, slot)
                upcoming = [d for d in due.values() if d is not None]
                wait = min([self.tick_s, *((d - self.clock()).total_seconds() for d in upcoming)])
                stop.wait(max(0.05, wait))
            # leaving: the jobs started finish (each is bounded), new slots start elsewhere

    def run_slot(self, job: Job, slot: datetime) -> None:
        """Claim ``(job, slot)`` and run it; a slot claimed before (another scheduler) is left alone."""
        run_id = self.store.scheduler_runs.claim(job.name, slot, host=self.host, pid=self.pid)
        if run_id is None:
            self.on_event(f"{job.name}: slot {slot.isoformat()} already ran elsewhere")
            return
        try:
            detail = job.run()
        except CrossdockError as exc:
            self.store.scheduler_runs.finish(run_id, "failed", str(exc))
            log.warning("scheduled job %s failed: %s", job.name, exc)
            return
        except Exception as exc:  # an unexpected failure: its traceback, and the next slot runs
            self.store.scheduler_runs.finish(run_id, "failed", f"{type(exc).__name__}: {exc}")
            log.exception("scheduled job %s failed unexpectedly", job.name)
            return
        self.store.scheduler_runs.finish(run_id, "ok", detail)
        self.on_event(f"{job.name}: {detail}")


def slot_now(clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> datetime:
    """The slot of a run asked for by hand (``scheduler run-job``): now, to the second."""
    return clock().replace(microsecond=0)


# --- the jobs -----------------------------------------------------------------------------------


def build_jobs(settings: Settings, config: FlowConfig, store: Store) -> list[Job]:
    """The jobs of ``config.schedule``, each bound to what it needs; nothing connects yet."""
    return [Job(entry.name, entry.trigger(), _work(entry, settings, config, store)) for entry in config.schedule]


def _work(entry: ScheduledJob, settings: Settings, config: FlowConfig, store: Store) -> Callable[[], str]:
    if entry.job == "sftp-poll":
        assert entry.partner is not None
        profile_path = _sftp_profile(config, entry.partner)
        return lambda: _sftp_poll(settings, profile_path)
    if entry.job == "marketplace-poll":
        assert entry.channel is not None
        channel = entry.channel
        return lambda: _marketplace_poll(settings, config, channel)
    if entry.job == "sla-overdue":
        from crossdock.actors.sla_watch import deadlines_of

        deadlines = deadlines_of(config)
        return lambda: _sla_overdue(store, deadlines)
    if entry.job == "acks-overdue":
        hours = entry.hours
        return lambda: _sla_overdue(store, acknowledgments_after(hours))
    if entry.job == "erp-inventory-pull":
        return lambda: _erp_inventory_pull(settings, config)
    days = entry.older_than_days
    return lambda: _prune(store, days)


def _sftp_profile(config: FlowConfig, partner: str) -> Path:
    for item in config.partners:
        if _partner_name(item) == partner:
            if item.sftp is None:
                raise ConfigError(f"schedule: sftp-poll:{partner}: the partner has no sftp profile in flows.yaml")
            return item.sftp
    raise ConfigError(f"schedule: sftp-poll:{partner}: no such partner in flows.yaml")


def _partner_name(item: PartnerConfig) -> str:
    try:
        return load_partner_profile(item.edi.read_bytes(), name_hint=str(item.edi)).name
    except OSError as exc:
        raise ConfigError(f"cannot read partner profile {item.edi}: {exc.strerror}") from exc


def _sftp_poll(settings: Settings, profile_path: Path) -> str:
    from crossdock.actors.wiring import intake
    from crossdock.bridges.sftp import InboundPoller, SftpSession, load_profile

    profile = load_profile(profile_path)
    with intake(settings) as (sink, _), SftpSession(profile) as session:
        report = InboundPoller(session, sink, lock=sink).poll_once()
    if report.busy:
        return f"busy: {report.busy}"
    parts = [f"{len(report.accepted)} accepted", f"{len(report.duplicates)} duplicates",
             f"{len(report.rejected)} rejected", f"{len(report.waiting)} settling"]  # fmt: skip
    return ", ".join(parts)


def _marketplace_poll(settings: Settings, config: FlowConfig, channel: str) -> str:
    from crossdock.actors.wiring import build_order_poller, intake
    from crossdock.bridges.rest.poll_service import PollService
    from crossdock.bridges.rest.poll_state_file import PollStateFile

    poller, client = build_order_poller(config, channel)
    state_file = PollStateFile(settings.data_dir / "rest" / f"poll-{channel}.json", channel)
    start = datetime.now(UTC) - timedelta(hours=config.marketplaces[channel].lookback_h)
    with client, state_file.exclusive(), intake(settings) as (_, sink):
        report = PollService(channel, poller, sink, state_file, start).poll_once()
    if report.error is not None:
        raise _PollFailedError(f"{channel}: {report.handed} new orders, then failed: {report.error}")
    return f"{report.handed} new orders, watermark {report.state.watermark.isoformat()}"


class _PollFailedError(TransientError):
    """A marketplace poll that ended on an error (its state up to then is saved; the next slot resumes)."""


def _sla_overdue(store: Store, deadlines: Deadlines) -> str:
    from crossdock.actors.sla_watch import check

    return check(store, deadlines, now=datetime.now(UTC), open_items=True).summary()


def _erp_inventory_pull(settings: Settings, config: FlowConfig) -> str:
    from crossdock.actors.inventory_pull import pull

    return pull(settings, config)


def _prune(store: Store, days: int) -> str:
    report = store.prune(before=datetime.now(UTC) - timedelta(days=days), who="crossdock scheduler")
    return "pruned " + ", ".join(f"{name} {count}" for name, count in asdict(report).items())


@contextmanager
def scheduler_from_settings(settings: Settings, config: FlowConfig) -> Iterator[Scheduler]:
    store = Store.from_settings(settings)
    try:
        yield Scheduler(store, build_jobs(settings, config, store))
    finally:
        store.close()
