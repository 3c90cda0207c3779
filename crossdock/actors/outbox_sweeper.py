"""Rows left pending in the outbox are sent to delivery again: by a thread in each worker process.

A step's delivery message goes out right after its commit; a worker killed between the two, or a
delivery dead-lettered while the partner's server was down, leaves the row pending. Every
``outbox_sweep_interval_s`` the sweeper takes the pending rows older than ``outbox_sweep_after_s``
(:meth:`crossdock.store.outbox.Outbox.sweep`: a row is taken by one sweeper at a time, at most once per
``outbox_sweep_after_s``, whichever worker process sweeps) and sends each an ``outbox.deliver``
message. Delivery is idempotent on the row, so a row whose first message is still on its way is
delivered once. Held rows (another file under the name) wait for a person (``crossdock outbox``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dramatiq.broker import Broker
from dramatiq.middleware import Middleware

from crossdock.actors.graph import OUTBOX_DELIVER
from crossdock.broker.send import send
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inbound import OutboxDelivery
from crossdock.store import Store

log = logging.getLogger(__name__)
SOURCE = "outbox.sweeper"


def resend_pending(broker: Broker, store: Store, *, older_than_s: float, limit: int = 500) -> list[int]:
    """Send ``outbox.deliver`` for the pending rows a sweep takes; returns their ids."""
    ids = store.outbox.sweep(older_than_s=older_than_s, limit=limit)
    for outbox_id in ids:
        envelope = Envelope(idempotency_key=f"outbox:{outbox_id}", source=SOURCE,
                            document_type=OUTBOX_DELIVER.document_type)  # fmt: skip
        send(broker, OUTBOX_DELIVER.name, envelope, OutboxDelivery(outbox_id=outbox_id))
    if ids:
        log.info("outbox: %d pending row(s) sent to delivery again (%s)", len(ids), ", ".join(map(str, ids[:20])))
    return ids


class OutboxSweeper(Middleware):
    """Runs :func:`resend_pending` on a timer in each worker process, from boot to shutdown."""

    def __init__(self, store: Store, *, interval_s: float, after_s: float) -> None:
        self.store = store
        self.interval_s = interval_s
        self.after_s = after_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: Broker, worker: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(broker,), name="crossdock-outbox-sweeper", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self, broker: Broker) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                resend_pending(broker, self.store, older_than_s=self.after_s)
            except Exception:  # the database or the broker is away: the next sweep tries again
                log.exception("outbox sweep failed; trying again in %.0f s", self.interval_s)
