"""The :class:`Store`: one object holding the database and every repository, built once per process
at the composition root (CLI, worker boot) and passed down."""

from __future__ import annotations

from datetime import datetime

from crossdock.settings import Settings
from crossdock.store import migrate
from crossdock.store.audit import AuditLog
from crossdock.store.control_numbers import ControlNumbers
from crossdock.store.dead_letters import DeadLetters
from crossdock.store.engine import Database
from crossdock.store.idempotency import IdempotencyKeys
from crossdock.store.inventory import InventoryStore
from crossdock.store.invoices import InvoiceBook
from crossdock.store.journal import Journal
from crossdock.store.links import DocumentLinks
from crossdock.store.locks import NamedLocks
from crossdock.store.order_book import OrderBook
from crossdock.store.outbox import Outbox
from crossdock.store.raw import RawStore
from crossdock.store.retention import PruneReport, prune
from crossdock.store.scheduler_runs import SchedulerRuns
from crossdock.store.settlements import SettlementBook
from crossdock.store.trace import Tracer, TraceResult
from crossdock.store.work_items import WorkItems


class Store:
    """Facade over one :class:`Database`. Constructing it connects to nothing.

    Attributes: ``journal``, ``raw``, ``idempotency``, ``links``, ``control_numbers``,
    ``exceptions``, ``dead_letters``, ``audit``, ``locks``, ``scheduler_runs``, ``outbox``,
    ``settlements``, ``inventory``, ``orders`` (the order book), ``invoices``; methods :meth:`trace`,
    :meth:`upgrade`, :meth:`prune`, :meth:`close`.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.journal = Journal(db)
        self.raw = RawStore(db)
        self.idempotency = IdempotencyKeys(db)
        self.links = DocumentLinks(db)
        self.control_numbers = ControlNumbers(db)
        self.audit = AuditLog(db)
        self.exceptions = WorkItems(db, self.audit)
        self.dead_letters = DeadLetters(db, self.raw)
        self.locks = NamedLocks(db)
        self.scheduler_runs = SchedulerRuns(db)
        self.outbox = Outbox(db)
        self.settlements = SettlementBook(db)
        self.inventory = InventoryStore(db)
        self.orders = OrderBook(db)
        self.invoices = InvoiceBook(db)
        self._tracer = Tracer(db, self.journal, self.links)

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(Database.from_url(url))

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(Database.from_settings(settings))

    def upgrade(self) -> str | None:
        """Apply pending migrations (what ``crossdock db upgrade`` does); returns the revision."""
        return migrate.upgrade(self.db)

    def trace(self, key: str) -> TraceResult:
        return self._tracer.trace(key)

    def prune(self, *, before: datetime, who: str, idempotency_keys: bool = False) -> PruneReport:
        """Delete journal rows, orphaned keys and unreferenced raw payloads older than ``before``
        (and, when asked, finished idempotency keys); audited. See :mod:`crossdock.store.retention`."""
        return prune(self.db, self.audit, before=before, who=who, idempotency_keys=idempotency_keys)

    def close(self) -> None:
        """Close pooled connections (worker shutdown)."""
        self.db.dispose()
