"""``crossdock scheduler run`` as OS processes on one PostgreSQL database: one leads, the other stands
by; each slot runs once; the standby takes over when the leader is killed (kill -9) or loses its
database session (pg_terminate_backend)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from crossdock.store import Database, SchedulerRun, Store, upgrade
from tests.fixtures.database import PostgresDatabases

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


class Schedulers:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp = tmp_path
        self.url = url
        self.procs: list[subprocess.Popen[bytes]] = []
        config = tmp_path / "config"
        config.mkdir()
        flows = {
            "warehouse_partner": "northstar-3pl",
            "erp": {"endpoint": "http://127.0.0.1:9/erp"},
            "partners": [{"edi": str(ROOT / "examples" / "partners" / "acme-retail.yaml"), "outbound_folder": "out"}],
            "schedule": [{"job": "acks-overdue", "every": "1s"}, {"job": "prune", "every": "2s"}],
        }
        (config / "flows.yaml").write_text(yaml.safe_dump(flows))
        self.env = {**os.environ, "CROSSDOCK_DATABASE_URL": url, "CROSSDOCK_CONFIG_DIR": str(config),
                    "CROSSDOCK_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
        self.env.pop("CROSSDOCK_CONFIG", None)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.tmp / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "crossdock", "scheduler", "run", "--standby-s", "0.5"],
                env=self.env, stdout=log, stderr=log, cwd=self.tmp, start_new_session=True,
            )  # fmt: skip
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def pg_url(pg_databases: PostgresDatabases) -> str:
    url = pg_databases.create()
    db = Database.from_url(url)
    try:
        upgrade(db)
    finally:
        db.dispose()
    return url


@pytest.fixture
def schedulers(tmp_path: Path, pg_url: str) -> Iterator[Schedulers]:
    built = Schedulers(tmp_path, pg_url)
    yield built
    built.stop()


def runs(store: Store) -> list[SchedulerRun]:
    return store.scheduler_runs.runs(limit=10_000)


def test_one_scheduler_leads_each_slot_runs_once_and_the_standby_takes_over(schedulers: Schedulers) -> None:
    store = Store.from_url(schedulers.url)
    try:
        # Given two scheduler processes on one database
        first = schedulers.start("first")
        wait_for(lambda: any(r.pid == first.pid for r in runs(store)), 60, "the first scheduler to lead")
        second = schedulers.start("second")
        wait_for(lambda: "standby" in schedulers.log("second"), 60, "the second scheduler to stand by")
        time.sleep(3)

        # Then only the leader runs jobs, one run per slot, each ok
        seen = runs(store)
        assert {r.pid for r in seen} == {first.pid}
        assert {r.outcome for r in seen if r.outcome != "running"} == {"ok"}
        assert len({(r.job, r.slot) for r in seen}) == len(seen)

        # When the leader is killed with SIGKILL
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        killed_at = max(r.slot for r in runs(store))

        # Then the standby leads within seconds and the slots go on, still once each
        wait_for(lambda: any(r.pid == second.pid for r in runs(store)), 30, "the standby to take over")
        after = [r for r in runs(store) if r.slot > killed_at]
        assert after and {r.pid for r in after} == {second.pid}

        # When the new leader's database session is terminated under it (its lock goes with it)
        third = schedulers.start("third")
        wait_for(lambda: schedulers.log("third").count("standby") >= 1, 60, "the third scheduler to stand by")
        with store.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            terminated = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )).scalar()  # fmt: skip
        assert terminated == 1

        # Then it stops scheduling and one of the two leads again; no slot ever ran twice
        wait_for(lambda: "lost the leader lock" in schedulers.log("second"), 30, "the leader to notice")
        lost_at = max(r.slot for r in runs(store))
        wait_for(lambda: any(r.slot > lost_at + timedelta(seconds=2) for r in runs(store)), 30, "a leader again")
        final = runs(store)
        assert len({(r.job, r.slot) for r in final}) == len(final)
        assert second.poll() is None and third.poll() is None
    finally:
        store.close()

