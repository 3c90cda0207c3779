"""The worker app the reliability tests and the backbone bench run in real worker processes.

``python -m dramatiq tests.reliability_app:boot`` builds the project's broker from ``CROSSDOCK_*``
settings with the SQL store, then declares probe actors. Each probe writes its effect, a row in
``probe_effects`` keyed by the document's SKU, through the idempotency claim's transaction, so
the effect and the idempotency mark commit together. What a probe does is read from the document's
``location``:

- ``plain``: write the effect.
- ``slow``: writes the effect (uncommitted), then, on the first delivery only, records its PID in
  ``$PROBE_MARKERS/slow-<sku>`` and sleeps, to be killed with ``kill -9`` mid-message.
- ``poison``: raise a TransientError until ``$PROBE_MARKERS/fixed`` exists, then write the effect.
- ``business``: raise a BusinessError for the warehouse until ``$PROBE_MARKERS/fixed`` exists.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.broker import Broker
from sqlalchemy import text

from crossdock.broker import codec
from crossdock.broker.hop import current_hop
from crossdock.broker.lanes import PRIORITY, Lane
from crossdock.broker.middleware.correlation import install_log_filter
from crossdock.broker.setup import build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inventory import InventoryLevel
from crossdock.errors import BusinessError, Owner, TransientError
from crossdock.settings import Settings, load_settings
from crossdock.store import Store

EFFECTS_DDL = "CREATE TABLE probe_effects (sku VARCHAR(200) PRIMARY KEY, actor VARCHAR(200), pid INTEGER, at FLOAT)"
SLOW_SLEEP_S = 60.0
PROBES = {"probe.effect": Lane.ORDERS, "probe.stock": Lane.INVENTORY, "probe.settle": Lane.SETTLEMENTS}


def write_marker(marker: Path, text: str) -> None:
    """Write ``marker`` whole or not at all (a test waiting for it to exist reads it at once)."""
    temp = marker.with_name(f".{marker.name}.{os.getpid()}")
    temp.write_text(text)
    os.replace(temp, marker)


def create_effects_table(url: str) -> None:
    store = Store.from_url(url)
    try:
        with store.db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS probe_effects"))
            conn.execute(text(EFFECTS_DDL))
    finally:
        store.close()


def effects(url: str) -> dict[str, tuple[str, int, float]]:
    store = Store.from_url(url)
    try:
        with store.db.engine.connect() as conn:
            rows = conn.execute(text("SELECT sku, actor, pid, at FROM probe_effects")).all()
    finally:
        store.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def probe_message(sku: str, behaviour: str = "plain", *, key: str | None = None) -> tuple[Envelope, InventoryLevel]:
    envelope = Envelope(idempotency_key=key or f"probe-{sku}", source="probe", document_type="inventory_level")
    document = InventoryLevel(
        sku=sku, location=behaviour, on_hand=Decimal(1), available=Decimal(1), as_of=envelope.created_at
    )
    return envelope, document


def _write_effect(actor: str, sku: str) -> None:
    claim = current_hop().claim
    if claim is None:
        raise RuntimeError("probe actors need the idempotency middleware (a store)")
    claim.connection.execute(
        text("INSERT INTO probe_effects (sku, actor, pid, at) VALUES (:sku, :actor, :pid, :at)"),
        {"sku": sku, "actor": actor, "pid": os.getpid(), "at": time.time()},
    )


def _probe(actor: str, markers: Path, delay_s: float) -> Any:
    def run(payload: str) -> None:
        document = codec.decode(payload).document
        assert isinstance(document, InventoryLevel)
        fixed = (markers / "fixed").exists()
        if document.location == "poison" and not fixed:
            raise TransientError(f"poison: downstream rejects {document.sku}")
        if document.location == "business" and not fixed:
            raise BusinessError(f"unknown SKU {document.sku}", owner=Owner.WAREHOUSE, key=document.sku)
        if delay_s:
            time.sleep(delay_s)
        _write_effect(actor, document.sku)
        marker = markers / f"slow-{document.sku}"
        if document.location == "slow" and not marker.exists():
            write_marker(marker, str(os.getpid()))
            time.sleep(SLOW_SLEEP_S)

    run.__name__ = actor.replace(".", "_")
    return run


def declare(broker: Broker, markers: Path) -> dict[str, Any]:
    delay = float(os.environ.get("PROBE_SETTLE_DELAY_S", "0"))
    return {
        name: dramatiq.actor(
            _probe(name, markers, delay if lane is Lane.SETTLEMENTS else 0.0),
            broker=broker,
            actor_name=name,
            queue_name=lane.value,
            priority=PRIORITY[lane],
        )
        for name, lane in PROBES.items()
    }


def producer(settings: Settings, markers: Path) -> Broker:
    """A broker for the test process that only sends (no store, no metrics)."""
    broker = build_broker(settings, store=None, metrics=False)
    declare(broker, markers)
    return broker


def boot() -> Broker:
    install_log_filter()
    settings = load_settings()
    broker = build_broker(settings, store=SqlMessageStore(Store.from_settings(settings)))
    declare(broker, Path(os.environ.get("PROBE_MARKERS", "/nonexistent")))
    return broker
