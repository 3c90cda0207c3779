"""The master of ``crossdock worker``: starts N worker processes and keeps N running.

Dramatiq's own master stops *every* worker process when one dies and exits once they have finished
(with the default shutdown timeout that leaves a live master with no consumer for many seconds). This
one restarts a dead worker process at once, and the others go on consuming; so a ``kill -9`` of one
worker process costs its in-flight messages a redelivery and no more.

* A worker process that dies (signal, unexpected exit) is started again within
  :data:`POLL_S` seconds.
* A worker process that cannot boot (exit 2: import or configuration error; exit 3: RabbitMQ refused
  the connection) stops the master with that code: restarting it would fail the same way, and a
  master alive with no consumer is what must never happen. The supervisor above (systemd
  ``Restart=always``, a container restart policy) starts it again after its own delay.
* More than :data:`MAX_RESTARTS` restarts within :data:`RESTART_WINDOW_S` seconds (a crash loop):
  the master stops its workers and exits 1, for the same supervisor to see.
* SIGTERM / SIGINT: each worker process finishes its in-flight messages (``--shutdown-timeout``) and
  the master exits 0; a second signal makes them exit at once. SIGHUP: rolling restart (each worker
  process is replaced by a new one, which boots before the old one is told to stop), e.g. after a
  deploy or a configuration change.
* The worker processes stop by themselves when the master is gone (``kill -9`` of the master).
"""

from __future__ import annotations

import importlib
import logging
import os
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

from crossdock.broker import worker_child
from crossdock.broker.worker_child import WorkerSpec

POLL_S = 0.2
MAX_RESTARTS = 10
RESTART_WINDOW_S = 60.0
EXIT_CRASH_LOOP = 1

logger = logging.getLogger("crossdock.worker")


@dataclass
class Child:
    """One forked worker process; ``ready_fd`` is the read end of the pipe it writes one byte to once
    it consumes."""

    pid: int
    ready_fd: int
    code: int | None = None
    ready: bool = False

    def is_ready(self) -> bool:
        if not self.ready and self.ready_fd >= 0:
            readable, _, _ = select.select([self.ready_fd], [], [], 0)
            if readable:
                self.ready = os.read(self.ready_fd, 1) == b"r"
                os.close(self.ready_fd)
                self.ready_fd = -1
        return self.ready

    def poll(self) -> int | None:
        """The exit code once the process has ended (negative: killed by that signal)."""
        if self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.code = os.waitstatus_to_exitcode(status)
                if self.ready_fd >= 0:
                    os.close(self.ready_fd)
                    self.ready_fd = -1
        return self.code

    def signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)


@dataclass
class Supervisor:
    spec: WorkerSpec
    processes: int = 2
    children: list[Child] = field(default_factory=list)
    retiring: list[Child] = field(default_factory=list)
    replacing: list[tuple[Child, Child]] = field(default_factory=list)
    restarts: deque[float] = field(default_factory=deque)
    _signals: list[int] = field(default_factory=list)

    def run(self) -> int:
        """Supervise until stopped; the exit code of ``crossdock worker``."""
        module = self.spec.app.partition(":")[0]
        try:
            importlib.import_module(module)  # once here: every worker process forked later has it
        except ImportError as exc:
            logger.critical("cannot boot %s: %s", self.spec.app, exc)
            return worker_child.EXIT_BOOT
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        self.children = [self._start() for _ in range(self.processes)]
        logger.info("crossdock worker: %d worker processes, %d threads each", self.processes, self.spec.threads)
        while True:
            time.sleep(POLL_S)
            if self._signals:
                signum = self._signals.pop(0)
                if signum == signal.SIGHUP:
                    self._roll()
                else:
                    return self._stop()
            self._retire_replaced()
            self.retiring = [c for c in self.retiring if c.poll() is None]
            code = self._replace_dead()
            if code is not None:
                everyone = self._everyone()
                self._terminate(everyone)
                self._wait(everyone)
                return code

    def _everyone(self) -> list[Child]:
        return self.children + self.retiring + [old for old, _ in self.replacing]

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.append(signum)

    def _start(self) -> Child:
        master = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker process: never returns into the master's code
            code = worker_child.EXIT_KILLED
            try:
                for fd in [read_fd, *(c.ready_fd for c in self._everyone() if c.ready_fd >= 0)]:
                    os.close(fd)
                code = worker_child.serve(self.spec, master, ready_fd=write_fd)
            except BaseException:
                logger.exception("worker process failed")
            finally:
                logging.shutdown()
                os._exit(code)
        os.close(write_fd)
        logger.info("Started worker process %d", pid)
        return Child(pid, read_fd)
    def _replace_dead(self) -> int | None:
        """Restart each dead worker process; an exit code for the master when it must stop instead."""
        for slot, child in enumerate(self.children):
            code = child.poll()
            if code is None:
                continue
            if code in (worker_child.EXIT_BOOT, worker_child.EXIT_CONNECT):
                logger.critical("Worker process %d could not boot (exit %d): stopping", child.pid, code)
                return code
            now = time.monotonic()
            while self.restarts and now - self.restarts[0] > RESTART_WINDOW_S:
                self.restarts.popleft()
            if len(self.restarts) >= MAX_RESTARTS:
                logger.critical("%d worker restarts within %.0f s: stopping", len(self.restarts), RESTART_WINDOW_S)
                return EXIT_CRASH_LOOP
            self.restarts.append(now)
            logger.error("Worker process %d ended unexpectedly (code %d): starting another", child.pid, code)
            self.children[slot] = self._start()
        return None

    def _roll(self) -> None:
        logger.info("SIGHUP: replacing every worker process")
        old, self.children = self.children, [self._start() for _ in self.children]
        self.replacing += zip(old, self.children, strict=True)

    def _retire_replaced(self) -> None:
        """Stop each replaced worker process once its replacement consumes (or has died)."""
        waiting = []
        for old, new in self.replacing:
            if new.is_ready() or new.poll() is not None:
                self._terminate([old])
                self.retiring.append(old)
            else:
                waiting.append((old, new))
        self.replacing = waiting

    def _stop(self) -> int:
        everyone = self._everyone()
        logger.info("Stopping %d worker processes...", len(everyone))
        self._terminate(everyone)
        codes = self._wait(everyone)
        return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else EXIT_CRASH_LOOP

    def _wait(self, children: Sequence[Child]) -> list[int]:
        """Wait for ``children`` to exit; a further stop signal is passed on (they then exit at once)."""
        while any(child.poll() is None for child in children):
            time.sleep(POLL_S)
            if self._signals:
                self._signals.clear()
                self._terminate(children)
        return [int(child.code or 0) for child in children]

    @staticmethod
    def _terminate(children: Sequence[Child]) -> None:
        for child in children:
            child.signal(signal.SIGTERM)


def supervise(spec: WorkerSpec, processes: int) -> int:
    """Run ``processes`` worker processes of ``spec`` until SIGTERM; the exit code. As with
    ``python -m dramatiq``, the current folder is importable. The app's module is imported here, in the
    master, so it must open nothing at import (crossdock's build everything in their boot function)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    logging.basicConfig(level=logging.INFO, format=worker_child.LOG_FORMAT, stream=sys.stderr)
    logging.getLogger("pika").setLevel(logging.WARNING)  # pika logs every connection step at INFO
    return Supervisor(spec, processes).run()
