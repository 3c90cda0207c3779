"""What a handler is given besides its ports and its document: the :class:`StepContext`.

The step runner (:mod:`crossdock.actors.steps`) builds it for each call: the step it runs as, the
message's envelope, the step's database transaction and a control-number allocator inside it. In a
worker the transaction is the hop's (its idempotency claim, committed by the hop lifecycle with the
mark and the journal row); called outside a worker (tests, tools) it is a fresh write transaction,
begun when the handler first uses it and committed by the runner when the handler returns (rolled back
when it raises). A handler that makes a remote call should make it before it first touches
:attr:`StepContext.session` where it can: outside a worker nothing is held until then.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session

from crossdock.actors.graph import Step
from crossdock.canonical.envelope import Envelope
from crossdock.edi.control import ControlKind
from crossdock.store import Store


class StepControlNumbers:
    """The store's control-number allocator inside ``session``; remembers what it handed out, so the
    step can record and link the numbers it used. Numbers are used up only if the step commits, and
    the step records its documents in the outbox in that same transaction: a number is never handed
    out again once a document holding it may have left."""

    def __init__(self, store: Store, session: Session) -> None:
        self._store = store
        self._session = session
        self.taken: list[tuple[str, ControlKind, int]] = []

    def next(self, partner: str, kind: ControlKind) -> int:
        value = self._store.control_numbers.next(partner, kind, session=self._session)
        self.taken.append((partner, ControlKind(kind), value))
        return value

    def first(self, kind: ControlKind) -> int:
        return next(value for _, k, value in self.taken if k is kind)


class StepContext:
    """One call of a step's handler: ``step``, ``envelope``, the step's :attr:`session` and
    :meth:`control_numbers` in it."""

    def __init__(
        self, step: Step[Any], envelope: Envelope, store: Store | None, session: Session | None = None
    ) -> None:
        self.step = step
        self.envelope = envelope
        self._store = store
        self._session = session
        self._scope: AbstractContextManager[Session] | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError(f"step {self.step.name} was bound without a store: it has no database transaction")
        return self._store

    @property
    def session(self) -> Session:
        """The step's transaction: the hop's in a worker, else a write transaction begun now."""
        if self._session is None:
            self._scope = self.store.db.write()
            self._session = self._scope.__enter__()
        return self._session

    def control_numbers(self) -> StepControlNumbers:
        """A fresh allocator in the step's transaction (each remembers only the numbers it handed out)."""
        return StepControlNumbers(self.store, self.session)

    def finish(self, error: BaseException | None = None) -> None:
        """Commit the transaction this context began (roll it back after ``error``); the hop's own
        transaction is left to the hop lifecycle."""
        scope, self._scope = self._scope, None
        if scope is None:
            return
        self._session = None
        if error is None:
            scope.__exit__(None, None, None)
        else:
            scope.__exit__(type(error), error, error.__traceback__)
