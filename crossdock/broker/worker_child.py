"""One worker process of ``crossdock worker``: the broker built by the app's boot function, one Dramatiq
``Worker`` with its threads, until SIGTERM (or until its master is gone).

:mod:`crossdock.broker.supervisor` forks it from a master that has already imported the app's module, so
a new worker process needs no interpreter start and no imports: it only builds the broker and starts
consuming. :func:`serve` returns the process's exit code, which tells the master what to do:

* ``0``: stopped on request (SIGTERM/SIGHUP; SIGINT is ignored: the master passes Ctrl-C on),
  in-flight messages finished or given back;
* ``2`` (:data:`EXIT_BOOT`): the app's boot function failed (import or configuration error):
  restarting will not help, the master stops;
* ``3`` (:data:`EXIT_CONNECT`): RabbitMQ refused the connection while booting: the master stops and its
  own supervisor (systemd, the container runtime) starts it again later.

Anything else (killed by a signal, an unexpected exit) is a crash: the master starts a new process.
A second SIGTERM (one second or more after the first) exits at once: messages not yet acknowledged go
back to RabbitMQ.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from types import FrameType

from dramatiq import Worker
from dramatiq.cli import import_broker
from dramatiq.errors import BrokerConnectionError

from crossdock.broker.middleware.error_policy import ExpectedFailures, quiet_expected_failures
from crossdock.errors import CrossdockError

EXIT_STOPPED = 0
EXIT_KILLED = 1
EXIT_BOOT = 2
EXIT_CONNECT = 3
PARENT_CHECK_S = 0.5
SECOND_SIGNAL_AFTER_S = 1.0
LOG_FORMAT = "[%(asctime)s] [PID %(process)d] [%(threadName)s] [%(name)s] [%(levelname)s] %(message)s"

logger = logging.getLogger("crossdock.worker")


@dataclass(frozen=True)
class WorkerSpec:
    """What each worker process runs: the app (``module:function`` building the broker and declaring
    the actors), its threads, the queues it consumes (all when empty), and how long a stopping process
    gives its in-flight messages."""

    app: str
    threads: int = 8
    queues: tuple[str, ...] = ()
    shutdown_timeout_s: float = 30.0


WaitsAreNotFailures = ExpectedFailures
"""The error policy's filter (its old name here): no Dramatiq traceback for a wait or a parked message."""


def serve(spec: WorkerSpec, master: int, ready_fd: int | None = None) -> int:
    """Run one worker process until it is told to stop or ``master`` (a PID) is gone; the exit code.
    Once it consumes it writes ``r`` to ``ready_fd`` (a pipe to the master) and closes it."""
    stop = threading.Event()
    first_signal_at: list[float] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # The master passes every stop signal on; a signal sent to the whole process group (systemd's
        # default KillMode, a terminal) arrives twice at once: only a later one means "now".
        if first_signal_at and time.monotonic() - first_signal_at[0] > SECOND_SIGNAL_AFTER_S:
            logger.warning("Second stop signal: exiting now; unacknowledged messages go back to RabbitMQ")
            os._exit(EXIT_KILLED)
        if not first_signal_at:
            first_signal_at.append(time.monotonic())
        stop.set()

    quiet_expected_failures()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the master, which passes SIGTERM on
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        _, broker = import_broker(spec.app)  # type: ignore[no-untyped-call]
        broker.emit_after("process_boot")
        worker = Worker(broker, queues=set(spec.queues) if spec.queues else None, worker_threads=spec.threads)
        worker.start()
    except BrokerConnectionError as exc:
        logger.error("cannot connect to the broker while booting %s: %s", spec.app, exc)
        return EXIT_CONNECT
    except (ImportError, CrossdockError) as exc:
        logger.error("cannot boot %s: %s", spec.app, exc)
        return EXIT_BOOT
    except Exception:  # a boot that fails for another reason fails the same way on every restart
        logger.exception("cannot boot %s", spec.app)
        return EXIT_BOOT
    logger.info("Worker process is ready (%d threads)", spec.threads)
    if ready_fd is not None:
        os.write(ready_fd, b"r")
        os.close(ready_fd)
    while not stop.wait(PARENT_CHECK_S):
        if os.getppid() != master:
            logger.warning("The crossdock worker master (PID %d) is gone: stopping", master)
            break
    logger.info("Stopping worker process...")
    worker.stop(timeout=int(spec.shutdown_timeout_s * 1000))
    broker.close()
    return EXIT_STOPPED

