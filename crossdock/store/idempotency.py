"""Idempotency keys: make a step's effect happen once per key, even with concurrent workers,
duplicate messages, replays and workers killed in the middle of a message.

Two ways to use it; a step uses one of them for all its keys:

* **Atomic** (the effect is a database write): :meth:`IdempotencyKeys.once` inserts the key as
  ``done`` in the same transaction as the effect. Commit → both happened; crash or exception →
  neither did, and the redelivered message runs again. Exactly once, no lease needed.

  ::

      with store.idempotency.once("erp.post_order", key) as run:
          if run.should_run:
              store.links.link(order, erp_order, session=run.session)

* **Lease** (the effect is outside the database: a SOAP call, an SFTP upload): :meth:`claim` inserts
  the key ``in_progress`` with a lease and tells the caller what to do (:class:`ClaimOutcome`);
  after the effect, :meth:`complete` marks it ``done``; on a failure that did *not* cause the effect,
  :meth:`release` deletes the claim so a retry can run. A worker killed mid-message leaves the claim
  ``in_progress``: its redelivery gets ``BUSY`` until the lease expires (retry later), then
  ``TAKEN_OVER`` and runs again. So the external effect is at-least-once with a window of one lease;
  make the remote call idempotent where the partner allows (ERP order reference, file name).
  ``takeover_same_message=True`` lets a redelivery of the *same* message id take over at once.

The insert is ``INSERT ... ON CONFLICT DO NOTHING`` on both backends: concurrent claimers of one key
are serialised by the unique key (PostgreSQL) or the write lock (SQLite); exactly one gets
``CLAIMED``. A claimer waiting behind another worker's open ``once`` transaction waits at most the
engine's lock timeout (30 s), then gets :class:`~crossdock.store.engine.StoreUnavailableError`
(retry later). Lease times use this host's UTC clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, CursorResult, delete, select, update
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import IdempotencyRow

DEFAULT_LEASE_S = 300.0
_MAX_CLAIM_ROUNDS = 5


class KeyState(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    """First claim of this key: run the effect, then ``complete`` (or ``release`` on failure)."""
    TAKEN_OVER = "taken_over"
    """An earlier claimer's lease ran out (its worker died): run the effect again, then ``complete``."""
    DONE = "done"
    """Already processed: skip, acknowledge, journal it as a duplicate."""
    BUSY = "busy"
    """Another worker holds a live lease: retry later (a transient condition)."""


@dataclass(frozen=True, slots=True)
class Claim:
    step: str
    key: str
    outcome: ClaimOutcome
    token: str
    attempts: int

    @property
    def should_run(self) -> bool:
        return self.outcome in (ClaimOutcome.CLAIMED, ClaimOutcome.TAKEN_OVER)


@dataclass(frozen=True, slots=True)
class Once:
    """Yielded by :meth:`IdempotencyKeys.once`: run the effect in ``session`` when ``should_run``."""

    should_run: bool
    session: Session


@dataclass(frozen=True, slots=True)
class KeyRecord:
    step: str
    key: str
    state: KeyState
    message_id: str | None
    attempts: int
    claimed_at: datetime
    lease_expires_at: datetime | None
    finished_at: datetime | None


def _where(step: str, key: str, token: str | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [IdempotencyRow.step == step, IdempotencyRow.key == key]
    if token is not None:
        conditions.append(IdempotencyRow.token == token)
    return conditions


class IdempotencyKeys:
    def __init__(self, db: Database) -> None:
        self._db = db

    @contextmanager
    def once(self, step: str, key: str, *, message_id: str | None = None) -> Iterator[Once]:
        """Atomic mode: the key is recorded ``done`` in the transaction the caller's effect uses."""
        with self._db.write() as s:
            now = utcnow()
            inserted = insert_ignore(
                s,
                IdempotencyRow,
                {
                    "step": step,
                    "key": key,
                    "state": KeyState.DONE.value,
                    "token": uuid.uuid4().hex,
                    "message_id": message_id,
                    "attempts": 1,
                    "claimed_at": now,
                    "lease_expires_at": None,
                    "finished_at": now,
                },
            )
            yield Once(should_run=inserted, session=s)

    def claim(
        self,
        step: str,
        key: str,
        *,
        message_id: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        takeover_same_message: bool = False,
        session: Session | None = None,
    ) -> Claim:
        """Lease mode: try to claim ``key`` for ``step``; see :class:`ClaimOutcome` for what to do."""
        token = uuid.uuid4().hex
        with self._db.write(session) as s:
            for _ in range(_MAX_CLAIM_ROUNDS):
                now = utcnow()
                lease = now + timedelta(seconds=lease_s)
                values = {
                    "step": step,
                    "key": key,
                    "state": KeyState.IN_PROGRESS.value,
                    "token": token,
                    "message_id": message_id,
                    "attempts": 1,
                    "claimed_at": now,
                    "lease_expires_at": lease,
                    "finished_at": None,
                }
                if insert_ignore(s, IdempotencyRow, values):
                    return Claim(step, key, ClaimOutcome.CLAIMED, token, 1)
                row = s.scalars(
                    select(IdempotencyRow)
                    .where(*_where(step, key))
                    .with_for_update()
                    .execution_options(populate_existing=True)
                ).first()
                if row is None:  # released between our insert and our read: try again
                    continue
                if row.state == KeyState.DONE:
                    return Claim(step, key, ClaimOutcome.DONE, row.token, row.attempts)
                expired = row.lease_expires_at is not None and row.lease_expires_at <= now
                same = takeover_same_message and message_id is not None and row.message_id == message_id
                if not (expired or same):
                    return Claim(step, key, ClaimOutcome.BUSY, row.token, row.attempts)
                row.token, row.message_id, row.attempts = token, message_id, row.attempts + 1
                row.claimed_at, row.lease_expires_at = now, lease
                s.flush()
                return Claim(step, key, ClaimOutcome.TAKEN_OVER, token, row.attempts)
        return Claim(step, key, ClaimOutcome.BUSY, "", 0)

    def complete(self, claim: Claim, *, session: Session | None = None) -> bool:
        """Mark a claimed key ``done``. ``False`` when the claim was lost (its lease expired and
        another worker took over): the effect may then have happened twice — log it loudly."""
        with self._db.write(session) as s:
            result = s.execute(
                update(IdempotencyRow)
                .where(*_where(claim.step, claim.key, claim.token), IdempotencyRow.state == KeyState.IN_PROGRESS)
                .values(state=KeyState.DONE.value, finished_at=utcnow(), lease_expires_at=None)
            )
            assert isinstance(result, CursorResult)
            return result.rowcount == 1

    def release(self, claim: Claim, *, session: Session | None = None) -> bool:
        """Give up a claim whose effect did not happen, so the next delivery can run it."""
        with self._db.write(session) as s:
            result = s.execute(
                delete(IdempotencyRow).where(
                    *_where(claim.step, claim.key, claim.token), IdempotencyRow.state == KeyState.IN_PROGRESS
                )
            )
            assert isinstance(result, CursorResult)
            return result.rowcount == 1

    def renew(self, claim: Claim, lease_s: float = DEFAULT_LEASE_S) -> bool:
        """Extend a live claim's lease (for long effects); ``False`` when the claim was lost."""
        with self._db.write() as s:
            result = s.execute(
                update(IdempotencyRow)
                .where(*_where(claim.step, claim.key, claim.token), IdempotencyRow.state == KeyState.IN_PROGRESS)
                .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
            )
            assert isinstance(result, CursorResult)
            return result.rowcount == 1

    def get(self, step: str, key: str) -> KeyRecord | None:
        with self._db.read() as s:
            row = s.scalars(select(IdempotencyRow).where(*_where(step, key))).first()
            if row is None:
                return None
            return KeyRecord(
                step=row.step,
                key=row.key,
                state=KeyState(row.state),
                message_id=row.message_id,
                attempts=row.attempts,
                claimed_at=row.claimed_at,
                lease_expires_at=row.lease_expires_at,
                finished_at=row.finished_at,
            )
