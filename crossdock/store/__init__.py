"""Persistence with SQLAlchemy 2 and Alembic: message journal, raw payloads, idempotency keys,
document cross-references, X12 control numbers, exception work items and the audit log.

Works the same on SQLite (embedded default, WAL) and PostgreSQL (psycopg 3). Build one
:class:`Store` per process from settings; constructing it does no IO::

    store = Store.from_settings(load_settings())
    store.upgrade()                       # or `crossdock db upgrade`
    store.journal.record(JournalEvent(...))
    claim = store.idempotency.claim("erp.post_order", key, message_id=mid)

Public API:

- Store, Database, create_engine_for, database_url, StoreUnavailableError (a TransientError),
  NestedWriteError
- migrations: upgrade, current, head (module ``crossdock.store.migrate``)
- journal: Journal, JournalEvent, Hop, HopStatus, BusinessKeys
- raw payloads: RawStore, RawRef, RawPayload, sha256_hex
- idempotency: IdempotencyKeys, Claim, ClaimOutcome, Once, KeyState, KeyRecord, DEFAULT_LEASE_S
- cross-references: DocumentLinks, DocRef, DocType, Link, LinkedSet
- control numbers: ControlNumbers (implements crossdock.edi.control.ControlNumberAllocator)
- exception work items: WorkItems, WorkItem, ItemStatus, ItemFilter, Note, WorkItemNotFoundError,
  WorkItemStateError, Attempt, AttemptKind
- dead letters: DeadLetters, NewDeadLetter, StoredDeadLetter, LetterStatus, AmbiguousIdError
- audit: AuditLog, AuditEntry, AuditAction
- trace: TraceResult, key_variants
- named locks across processes and hosts: NamedLocks, Lease (``Store.locks``)
- scheduler runs: SchedulerRuns, SchedulerRun (``Store.scheduler_runs``)
- outbound documents: Outbox, OutboxEntry (``Store.outbox``)
- retention: PruneReport (``Store.prune``)

See docs/store.md.
"""

from crossdock.store.audit import AuditAction, AuditEntry, AuditLog
from crossdock.store.control_numbers import ControlNumbers
from crossdock.store.dead_letters import AmbiguousIdError, DeadLetters, LetterStatus, NewDeadLetter, StoredDeadLetter
from crossdock.store.engine import (
    Database,
    NestedWriteError,
    StoreUnavailableError,
    create_engine_for,
    database_url,
)
from crossdock.store.idempotency import (
    DEFAULT_LEASE_S,
    Claim,
    ClaimOutcome,
    IdempotencyKeys,
    KeyRecord,
    KeyState,
    Once,
)
from crossdock.store.journal import BusinessKeys, Hop, HopStatus, Journal, JournalEvent
from crossdock.store.links import DocRef, DocType, DocumentLinks, Link, LinkedSet
from crossdock.store.locks import Lease, NamedLocks
from crossdock.store.migrate import current, head, upgrade
from crossdock.store.outbox import Outbox, OutboxEntry
from crossdock.store.raw import RawPayload, RawRef, RawStore, sha256_hex
from crossdock.store.retention import PruneReport
from crossdock.store.scheduler_runs import SchedulerRun, SchedulerRuns
from crossdock.store.store import Store
from crossdock.store.trace import TraceResult, key_variants
from crossdock.store.work_item_history import Attempt, AttemptKind
from crossdock.store.work_items import (
    ItemFilter,
    ItemStatus,
    Note,
    WorkItem,
    WorkItemNotFoundError,
    WorkItems,
    WorkItemStateError,
)

__all__ = [
    # the facade and engine
    "Store",
    "Database",
    "create_engine_for",
    "database_url",
    "StoreUnavailableError",
    "NestedWriteError",
    # migrations
    "upgrade",
    "current",
    "head",
    # journal
    "Journal",
    "JournalEvent",
    "Hop",
    "HopStatus",
    "BusinessKeys",
    # raw payloads
    "RawStore",
    "RawRef",
    "RawPayload",
    "sha256_hex",
    # idempotency
    "IdempotencyKeys",
    "Claim",
    "ClaimOutcome",
    "Once",
    "KeyState",
    "KeyRecord",
    "DEFAULT_LEASE_S",
    # cross-references
    "DocumentLinks",
    "DocRef",
    "DocType",
    "Link",
    "LinkedSet",
    # control numbers
    "ControlNumbers",
    # exception work items
    "WorkItems",
    "WorkItem",
    "ItemStatus",
    "Note",
    "WorkItemNotFoundError",
    "WorkItemStateError",
    "ItemFilter",
    "Attempt",
    "AttemptKind",
    # dead letters
    "DeadLetters",
    "NewDeadLetter",
    "StoredDeadLetter",
    "LetterStatus",
    "AmbiguousIdError",
    # audit
    "AuditLog",
    "AuditEntry",
    "AuditAction",
    # trace
    "TraceResult",
    "key_variants",
    # retention
    "PruneReport",
    # locks
    "Lease",
    "NamedLocks",
    # scheduler runs
    "SchedulerRun",
    "SchedulerRuns",
    # outbox
    "Outbox",
    "OutboxEntry",
]
