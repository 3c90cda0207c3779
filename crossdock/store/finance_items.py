"""Finance exception items in bulk: :meth:`WorkItems.open`'s rule (re-park into the open item with the
same step and idempotency key, else open one; each with a ``parked`` attempt), for a whole batch in a
handful of statements. A settlement of 200,000 lines may raise thousands of items; one round trip
each would be most of the import's time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from crossdock.errors import Owner
from crossdock.store.base import utcnow
from crossdock.store.models import ExceptionAttemptRow, ExceptionItemRow
from crossdock.store.work_item_history import MAX_DETAIL_CHARS, AttemptKind
from crossdock.store.work_items import MAX_ERROR_CHARS, ItemStatus

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class FinanceItem:
    idempotency_key: str
    business_key: str
    code: str
    error_class: str
    message: str
    channel: str | None = None


def open_finance_items(s: Session, actor: str, items: Sequence[FinanceItem]) -> list[int]:
    """Open (or re-park) one finance item per distinct idempotency key; returns the items' ids. A finding
    a person already closed (an item resolved or ignored with the same key and the same message: the
    same file imported again) is not opened again; a changed finding is."""
    by_key = {item.idempotency_key[:200]: item for item in items}
    rows, table, attempts = ExceptionItemRow, ExceptionItemRow.__table__, ExceptionAttemptRow.__table__
    assert isinstance(table, Table) and isinstance(attempts, Table)
    existing: dict[str, int] = {}
    keys = sorted(by_key)
    for i in range(0, len(keys), _CHUNK):
        query = select(rows.idempotency_key, rows.id).where(
            rows.idempotency_key.in_(keys[i : i + _CHUNK]), rows.actor == actor, rows.status == ItemStatus.OPEN.value
        )
        existing.update((str(key), int(item_id)) for key, item_id in s.execute(query.with_for_update()))
        closed = select(rows.idempotency_key, rows.error_message).where(
            rows.idempotency_key.in_(keys[i : i + _CHUNK]), rows.actor == actor, rows.status != ItemStatus.OPEN.value
        )
        for key, message in s.execute(closed):
            item = by_key.get(str(key))
            if item is not None and key not in existing and item.message[:MAX_ERROR_CHARS] == message:
                del by_key[str(key)]
    keys = sorted(by_key)
    if not keys:
        return []
    now = utcnow()
    if existing:
        s.execute(
            update(table).where(table.c.id == bindparam("item_id")).values(
                error_message=bindparam("message"), code=bindparam("new_code"), updated_at=now
            ),
            [{"item_id": item_id, "message": by_key[key].message[:MAX_ERROR_CHARS], "new_code": by_key[key].code}
             for key, item_id in existing.items()],
        )  # fmt: skip
    new = [key for key in keys if key not in existing]
    ids = dict(existing)
    if new:
        values = [
            {"status": ItemStatus.OPEN.value, "owner": Owner.FINANCE.value,
             "business_key": by_key[k].business_key[:200],
             "error_class": by_key[k].error_class, "error_message": by_key[k].message[:MAX_ERROR_CHARS],
             "actor": actor, "created_at": now, "updated_at": now, "idempotency_key": k, "code": by_key[k].code,
             "channel": by_key[k].channel}
            for k in new
        ]  # fmt: skip
        inserted = s.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), values)
        ids.update(zip(new, (int(row[0]) for row in inserted), strict=True))
    s.execute(
        insert(attempts),
        [{"item_id": ids[k], "at": now, "kind": AttemptKind.PARKED.value, "who": None, "message_id": None,
          "detail": by_key[k].message[:MAX_DETAIL_CHARS]} for k in keys],
    )  # fmt: skip
    return [ids[k] for k in keys]
