"""An exception item's history: every park, replay, reprocess and the hop that finally succeeded.

Append-only rows beside the item (``exception_attempts``): what the operator sees in
``crossdock exceptions show`` to tell a replay that parked again from one that is still on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.models import ExceptionAttemptRow

MAX_DETAIL_CHARS = 2000


class AttemptKind(StrEnum):
    PARKED = "parked"
    """The step raised a business error (first time, or again after a replay or reprocess)."""
    REPLAY = "replay"
    """A person sent the parked message to its step again."""
    REPROCESS = "reprocess"
    """A person ran the stored raw payload from the flow's first step again."""
    NOT_SENT = "not_sent"
    """A replay or reprocess could not be published (the broker refused or was unreachable)."""
    SUCCEEDED = "succeeded"
    """A hop of the item's step and key succeeded: the item was resolved by it."""


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    kind: AttemptKind
    who: str | None
    message_id: str | None
    detail: str | None


def add_attempt(
    s: Session,
    item_id: int,
    kind: AttemptKind,
    *,
    who: str | None = None,
    message_id: str | None = None,
    detail: str | None = None,
) -> None:
    s.add(
        ExceptionAttemptRow(
            item_id=item_id,
            at=utcnow(),
            kind=kind.value,
            who=who,
            message_id=message_id,
            detail=detail[:MAX_DETAIL_CHARS] if detail else None,
        )
    )


def attempts_of(s: Session, item_id: int) -> tuple[Attempt, ...]:
    rows = s.scalars(
        select(ExceptionAttemptRow).where(ExceptionAttemptRow.item_id == item_id).order_by(ExceptionAttemptRow.id)
    )
    return tuple(Attempt(r.at, AttemptKind(r.kind), r.who, r.message_id, r.detail) for r in rows)


def last_request(s: Session, item_id: int) -> tuple[str | None, str | None]:
    """(who, note) of the latest replay or reprocess request of the item, or ``(None, None)``."""
    row = s.scalars(
        select(ExceptionAttemptRow)
        .where(
            ExceptionAttemptRow.item_id == item_id,
            ExceptionAttemptRow.kind.in_([AttemptKind.REPLAY.value, AttemptKind.REPROCESS.value]),
        )
        .order_by(ExceptionAttemptRow.id.desc())
        .limit(1)
    ).first()
    return (row.who, row.detail) if row is not None else (None, None)
