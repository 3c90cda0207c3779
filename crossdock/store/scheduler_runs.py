"""The scheduler's record of runs: a job's slot (the fire time its schedule gave it) is claimed with an
INSERT on a unique (job, slot), so one slot runs once whatever the number of scheduler processes, and
each run ends with its outcome (``ok``, ``failed``) and a short detail for operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import SchedulerRunRow

DETAIL_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class SchedulerRun:
    id: int
    job: str
    slot: datetime
    host: str
    pid: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    detail: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "job": self.job,
            "slot": self.slot.isoformat(),
            "host": self.host,
            "pid": self.pid,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "outcome": self.outcome,
            "detail": self.detail,
        }


def _run(row: SchedulerRunRow) -> SchedulerRun:
    return SchedulerRun(
        row.id, row.job, row.slot, row.host, row.pid, row.started_at, row.finished_at, row.outcome, row.detail
    )


class SchedulerRuns:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, job: str, slot: datetime, *, host: str, pid: int) -> int | None:
        """The run's id when this caller got ``(job, slot)``; ``None`` when it was claimed before."""
        values = {"job": job, "slot": slot, "host": host, "pid": pid, "started_at": utcnow(), "outcome": "running"}
        with self._db.write() as session:
            if not insert_ignore(session, SchedulerRunRow, values):
                return None
            query = select(SchedulerRunRow.id).where(SchedulerRunRow.job == job, SchedulerRunRow.slot == slot)
            return session.scalars(query).one()

    def finish(self, run_id: int, outcome: str, detail: str | None = None) -> None:
        if detail is not None and len(detail) > DETAIL_LIMIT:
            detail = detail[: DETAIL_LIMIT - 1] + "…"
        with self._db.write() as session:
            session.execute(
                update(SchedulerRunRow)
                .where(SchedulerRunRow.id == run_id)
                .values(outcome=outcome, detail=detail, finished_at=utcnow())
            )

    def runs(self, *, job: str | None = None, limit: int = 100) -> list[SchedulerRun]:
        """The latest runs first."""
        query = select(SchedulerRunRow).order_by(SchedulerRunRow.slot.desc(), SchedulerRunRow.id.desc())
        if job is not None:
            query = query.where(SchedulerRunRow.job == job)
        with self._db.read() as session:
            return [_run(row) for row in session.scalars(query.limit(limit))]

    def latest_per_job(self) -> dict[str, SchedulerRun]:
        newest = (
            select(SchedulerRunRow.job, func.max(SchedulerRunRow.slot).label("slot"))
            .group_by(SchedulerRunRow.job)
            .subquery()
        )
        query = select(SchedulerRunRow).join(
            newest, (SchedulerRunRow.job == newest.c.job) & (SchedulerRunRow.slot == newest.c.slot)
        )
        with self._db.read() as session:
            return {row.job: _run(row) for row in session.scalars(query)}
