"""``crossdock worker`` keeps its worker processes running: a worker process killed with ``kill -9`` is
replaced at once, the master stays up, and RabbitMQ never sees the queue without a consumer for more
than 5 s while the master is alive. A worker that cannot boot stops the master with exit code 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CROSSDOCK = Path(sys.executable).with_name("crossdock")
ROOT = Path(__file__).resolve().parents[2]
MAX_IDLE_S = 5.0
WATCH_S = 20.0


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def children_of(pid: int) -> set[int]:
    """The PIDs whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def start_crossdock_worker(probe_run: ProbeRun, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **probe_run.env, "PYTHONPATH": str(ROOT)}
    command = [str(CROSSDOCK), "worker", "--threads", "2", "--shutdown-timeout", "3", *args]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


@pytest.fixture
def master(probe_run: ProbeRun, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_crossdock_worker(probe_run, tmp_path / "worker.log", "--processes", "2", "--app",
                                  "tests.reliability_app:boot")  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def longest_idle_while_alive(probe_run: ProbeRun, master: subprocess.Popen[bytes], seconds: float) -> float:
    """Poll the ``orders`` queue's consumers for ``seconds``; the longest stretch with none while the
    master process was alive."""
    longest, idle_since = 0.0, None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumers = probe_run.vhost.queue_counts("orders")[1]
        now = time.monotonic()
        assert master.poll() is None, f"the master exited with {master.returncode}"
        if consumers == 0:
            idle_since = now if idle_since is None else idle_since
            longest = max(longest, now - idle_since)
        else:
            idle_since = None
        time.sleep(0.2)
    return longest


def test_a_killed_worker_process_is_replaced_and_the_queue_keeps_a_consumer(
    probe_run: ProbeRun, master: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    # Given crossdock worker with two worker processes consuming
    wait_for(lambda: probe_run.vhost.queue_counts("orders")[1] == 2, 60, message=f"2 consumers: {log.read_text()}")
    first = children_of(master.pid)
    assert len(first) == 2

    # When one worker process is killed with SIGKILL
    victim = min(first)
    os.kill(victim, signal.SIGKILL)

    # Then the master stays up, never leaves the queue without a consumer for more than 5 s, and
    # starts a new worker process in place of the dead one
    try:
        idle = longest_idle_while_alive(probe_run, master, WATCH_S)
    finally:
        print(log.read_text()[-4000:])  # shown by pytest on failure
    assert idle <= MAX_IDLE_S
    now = children_of(master.pid)
    assert victim not in now and len(now) == 2 and len(now - first) == 1
    assert probe_run.vhost.queue_counts("orders")[1] == 2

    # And when every worker process is killed at once, they are replaced just as fast
    for pid in now:
        os.kill(pid, signal.SIGKILL)
    idle = longest_idle_while_alive(probe_run, master, WATCH_S)
    assert idle <= MAX_IDLE_S, log.read_text()[-4000:]
    assert not children_of(master.pid) & now

    # And messages sent afterwards are processed
    skus = [f"SKU-AFTER-{n}" for n in range(10)]
    for sku in skus:
        probe_run.send(sku)
    wait_for(lambda: set(skus) <= set(probe_run.effects()), 60, message="the messages sent after the kills")
    assert {probe_run.effects()[sku][1] for sku in skus} <= children_of(master.pid)

    # And SIGHUP replaces every worker process without leaving the queue without a consumer
    before = children_of(master.pid)
    master.send_signal(signal.SIGHUP)
    idle = longest_idle_while_alive(probe_run, master, WATCH_S)
    assert idle <= MAX_IDLE_S, log.read_text()[-4000:]
    after = children_of(master.pid)
    assert len(after) == 2 and not after & before

    # And SIGTERM stops everything with exit code 0
    master.send_signal(signal.SIGTERM)
    assert master.wait(30) == 0


def test_a_worker_that_cannot_boot_stops_the_master_with_exit_2(probe_run: ProbeRun, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    proc = start_crossdock_worker(probe_run, log, "--processes", "2", "--app", "tests.no_such_module:boot")
    try:
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    output = log.read_text()
    assert code == 2, output
    assert "cannot boot tests.no_such_module:boot" in output
    assert "Traceback" not in output


def test_worker_processes_stop_when_their_master_is_killed(
    probe_run: ProbeRun, master: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    wait_for(lambda: probe_run.vhost.queue_counts("orders")[1] == 2, 60, message=f"2 consumers: {log.read_text()}")
    children = children_of(master.pid)
    assert len(children) == 2

    # When the master is killed with SIGKILL
    master.kill()
    master.wait(10)

    # Then its worker processes notice and stop on their own: no orphan keeps consuming
    def gone() -> bool:
        return not any(Path(f"/proc/{pid}").exists() and _running(pid) for pid in children)

    wait_for(gone, 30, message=f"the orphaned worker processes to stop: {log.read_text()[-3000:]}")
    assert probe_run.vhost.queue_counts("orders")[1] == 0


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, but may be a zombie for a moment)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"
