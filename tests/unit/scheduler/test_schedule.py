"""The schedule section of flows.yaml and the scheduler's slots, on a real SQLite store."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.schedule_config import ScheduledJob, parse_every
from crossdock.actors.scheduler import Job, Scheduler
from crossdock.errors import ConfigError, TransientError
from crossdock.store import Store

FLOWS: dict[str, Any] = {
    "warehouse_partner": "northstar-3pl",
    "erp": {"endpoint": "http://127.0.0.1:8089/erp"},
    "partners": [{"edi": "acme.yaml", "outbound_folder": "out"}],
}


def write_flows(tmp_path: Path, **extra: Any) -> Path:
    path = tmp_path / "flows.yaml"
    path.write_text(yaml.safe_dump({**FLOWS, **extra}))
    return path


def test_a_schedule_is_read_with_names_and_triggers(tmp_path: Path) -> None:
    config = load_flow_config(write_flows(tmp_path, schedule=[
        {"job": "sftp-poll", "partner": "northstar-3pl", "every": "90s"},
        {"job": "acks-overdue", "hours": 12, "cron": "0 * * * *"},
        {"job": "prune", "older_than_days": 7, "cron": "30 3 * * *"},
    ]))  # fmt: skip
    assert [job.name for job in config.schedule] == ["sftp-poll:northstar-3pl", "acks-overdue", "prune"]
    at = datetime(2026, 12, 7, 14, 3, 7, tzinfo=UTC)
    # interval slots are aligned to the epoch, so every host computes the same ones
    assert config.schedule[0].trigger().get_next_fire_time(None, at) == datetime(2026, 12, 7, 14, 4, 30, tzinfo=UTC)
    assert config.schedule[1].trigger().get_next_fire_time(None, at) == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert config.schedule[2].trigger().get_next_fire_time(None, at) == datetime(2026, 12, 8, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"job": "prune", "every": "5m", "cron": "* * * * *"}, "exactly one of every or cron"),
        ({"job": "prune"}, "exactly one of every or cron"),
        ({"job": "prune", "every": "5 minutes"}, "not a period"),
        ({"job": "prune", "cron": "61 * * * *"}, "not a five-field cron"),
        ({"job": "sftp-poll", "every": "1m"}, "sftp-poll needs one"),
        ({"job": "marketplace-poll", "channel": "amazon", "every": "1m"}, "marketplaces.amazon is not configured"),
        ({"job": "reboot", "every": "1m"}, "schedule.0.job"),
    ],
)
def test_a_bad_schedule_entry_is_a_config_error_naming_it(tmp_path: Path, entry: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_flow_config(write_flows(tmp_path, schedule=[entry]))


def test_a_job_listed_twice_is_refused(tmp_path: Path) -> None:
    twice = [{"job": "prune", "every": "1h"}, {"job": "prune", "cron": "0 0 * * *"}]
    with pytest.raises(ConfigError, match="prune is listed twice"):
        load_flow_config(write_flows(tmp_path, schedule=twice))


def test_periods() -> None:
    assert parse_every("90s") == timedelta(seconds=90)
    assert parse_every("1d") == timedelta(days=1)
    with pytest.raises(ValueError, match="not a period"):
        parse_every("0.5s")


def run_for(scheduler: Scheduler, seconds: float) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()


def every_second(name: str, work: Any) -> Job:
    return Job(name, ScheduledJob(job="prune", every="1s").trigger(), work)


def test_each_slot_runs_once_and_a_failure_is_recorded_and_does_not_stop_the_others(sqlite_store: Store) -> None:
    ran: list[str] = []

    def fails() -> str:
        raise TransientError("the mailbox did not answer")

    def works() -> str:
        ran.append("works")
        return "did it"

    scheduler = Scheduler(sqlite_store, [every_second("works", works), every_second("fails", fails)], tick_s=0.1)
    run_for(scheduler, 3.5)

    works_runs = sqlite_store.scheduler_runs.runs(job="works")
    fails_runs = sqlite_store.scheduler_runs.runs(job="fails")
    assert 2 <= len(works_runs) <= 5 and len(ran) == len(works_runs)
    assert {r.outcome for r in works_runs} == {"ok"} and {r.detail for r in works_runs} == {"did it"}
    assert len({r.slot for r in works_runs}) == len(works_runs)
    assert all(r.slot.microsecond == 0 for r in works_runs)  # the schedule's fire times, not "now"
    assert fails_runs and {r.outcome for r in fails_runs} == {"failed"}
    assert fails_runs[0].detail == "the mailbox did not answer"


def test_a_slot_claimed_elsewhere_is_not_run_again(sqlite_store: Store) -> None:
    ran: list[datetime] = []
    job = every_second("once", lambda: ran.append(datetime.now(UTC)) or "ok")
    slot = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    first = Scheduler(sqlite_store, [job])
    second = Scheduler(sqlite_store, [job])
    first.run_slot(job, slot)
    second.run_slot(job, slot)
    assert len(ran) == 1
    assert len(sqlite_store.scheduler_runs.runs(job="once")) == 1


def test_a_job_still_running_skips_its_next_slot(sqlite_store: Store) -> None:
    release = threading.Event()
    started: list[int] = []

    def slow() -> str:
        started.append(1)
        release.wait(10)
        return "done"

    events: list[str] = []
    scheduler = Scheduler(sqlite_store, [every_second("slow", slow)], tick_s=0.1, on_event=events.append)
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,))
    thread.start()
    time.sleep(3.2)
    release.set()
    stop.set()
    thread.join(30)
    assert len(started) == 1
    assert any("still running" in e and "skipped" in e for e in events)


def test_missed_slots_coalesce_into_one_run(sqlite_store: Store) -> None:
    # a clock that jumps an hour ahead after the first look: 3,600 slots missed, one run
    times = iter([datetime(2026, 12, 7, 14, 0, 0, 500_000, tzinfo=UTC)])
    later = datetime(2026, 12, 7, 15, 0, 0, 500_000, tzinfo=UTC)
    ran: list[int] = []
    scheduler = Scheduler(
        sqlite_store,
        [every_second("catch-up", lambda: ran.append(1) or "ok")],
        tick_s=0.05,
        clock=lambda: next(times, later),
    )
    run_for(scheduler, 1.0)
    assert len(ran) == 1
